package dev.vigil.tsdb;

/**
 * A single-use, single-thread batch of samples: one scrape or one remote-write request. Nothing is
 * visible to readers or durable until {@link #commit()}; {@link #rollback()} discards the batch.
 *
 * <p>{@link #append} returns the series ref, which the caller may cache and pass back on later
 * appends (in this or any later appender of the same storage) to skip the label lookup. A rejected
 * sample is not an exception: {@code append} returns a negative {@link AppendStatus} code, the
 * rejection is counted by reason, and the rest of the batch still commits.
 */
public interface Appender {
    /**
     * Adds one sample.
     *
     * @param ref a ref returned earlier by this storage, or 0 to look the series up by {@code labels}
     * @param labels the series' labels; used only when {@code ref} is 0 or no longer known
     * @param t the timestamp, epoch milliseconds
     * @param v the value; {@link StaleMarker#STALE_NAN} marks the series stale
     * @return the series ref (&gt; 0), or a negative {@link AppendStatus} code when rejected
     */
    long append(long ref, Labels labels, long t, double v);

    /**
     * Adds one sample for a label set not yet validated (alternating names and values, as a parser
     * produced them): an invalid set (empty name, duplicate name, invalid UTF-8) is a counted
     * {@link AppendStatus#INVALID_LABELS} rejection instead of an exception; empty values are
     * treated as absent.
     */
    default long append(String[] namesAndValues, long t, double v) {
        Labels labels;
        try {
            labels = Labels.of(namesAndValues);
        } catch (IllegalArgumentException e) {
            labels = Labels.EMPTY; // counted as invalid by append below
        }
        return append(0, labels, t, v);
    }

    /**
     * Makes the batch durable (written to the WAL per the storage's fsync policy) and visible.
     *
     * @return the number of samples committed
     * @throws StorageException when the WAL cannot be written (e.g. a full disk); nothing of the
     *     batch is then visible and the appender is closed
     */
    int commit();

    /** Discards the batch. */
    void rollback();
}
