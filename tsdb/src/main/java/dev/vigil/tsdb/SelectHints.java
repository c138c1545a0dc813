package dev.vigil.tsdb;

/**
 * Optional hints for a select.
 *
 * @param sorted whether series must come in label order (needed for merging; costs a sort)
 * @param limit the maximum number of series to return, 0 for no limit
 */
public record SelectHints(boolean sorted, int limit) {
    public static final SelectHints DEFAULT = new SelectHints(true, 0);
}
