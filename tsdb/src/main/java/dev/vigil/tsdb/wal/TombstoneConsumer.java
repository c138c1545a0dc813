package dev.vigil.tsdb.wal;

/** Receives one decoded tombstone: the samples of {@code seriesId} in {@code [minT, maxT]} (inclusive epoch millis) are deleted. */
@FunctionalInterface
public interface TombstoneConsumer {
    void accept(long seriesId, long minT, long maxT);
}
