package dev.vigil.tsdb.wal;

/**
 * What a {@link Wal#replay} found and did.
 *
 * @param recordsRead records passed to the handler
 * @param segmentsRead segments opened (including one with a corruption, excluding quarantined ones)
 * @param corruptions damage found: 0 for a clean log; a torn tail, a damaged record, or a gap in the
 *     segment numbering each count 1 (replay stops at the first damaged record, so that is at most 1)
 * @param bytesDropped bytes cut from the WAL directory: truncated, or moved to the quarantine directory
 * @param lastSegment the highest segment index left in the directory, 0 when there is none
 * @param message a one-line human summary naming the file and offset of any damage
 */
public record ReplayResult(long recordsRead, int segmentsRead, int corruptions, long bytesDropped, int lastSegment,
        String message) {

    /** True when nothing was damaged or dropped. */
    public boolean clean() {
        return corruptions == 0 && bytesDropped == 0;
    }
}
