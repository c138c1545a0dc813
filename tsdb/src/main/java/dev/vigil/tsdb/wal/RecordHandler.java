package dev.vigil.tsdb.wal;

import java.nio.ByteBuffer;

/** Receives the records of a {@link Wal#replay WAL replay}, in log order. */
@FunctionalInterface
public interface RecordHandler {
    /**
     * Called once per record whose CRC checked out.
     *
     * @param segment the index of the segment the record is in
     * @param type the record type, 1..127 (see {@link WalRecords}); types this build does not know
     *     are passed through, so the handler decides whether to skip them
     * @param payload the payload between its position and limit, big-endian. It is a read-only view of
     *     the mapped segment, valid only during this call (it is reused for the next record and unmapped
     *     after the segment): copy what must outlive the call. The handler may move its position.
     * @throws RuntimeException anything the handler throws (e.g. a decoder's
     *     {@link IllegalArgumentException}) aborts the replay and propagates unchanged
     */
    void record(int segment, byte type, ByteBuffer payload);
}
