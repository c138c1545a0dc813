package dev.vigil.tsdb.wal;

import dev.vigil.tsdb.Labels;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Test oracle: WAL records as plain values with structural equality (values as raw bits), plus
 * framing into a {@link RecordBuffer} and a {@link RecordHandler} that decodes replayed records back.
 */
sealed interface ModelRecord {
    record Sample(long id, long t, long vBits) {}

    record SeriesEntry(long id, Labels labels) {}

    record Tombstone(long id, long minT, long maxT) {}

    record Samples(List<Sample> samples) implements ModelRecord {}

    record Series(List<SeriesEntry> series) implements ModelRecord {}

    record Tombstones(List<Tombstone> tombstones) implements ModelRecord {}

    /** An opaque record of a type this build does not decode. */
    record Opaque(byte type, List<Byte> payload) implements ModelRecord {}

    default void frame(RecordBuffer out) {
        switch (this) {
            case Samples s -> {
                int n = s.samples().size();
                long[] ids = new long[n], ts = new long[n];
                double[] vs = new double[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = s.samples().get(i).id();
                    ts[i] = s.samples().get(i).t();
                    vs[i] = Double.longBitsToDouble(s.samples().get(i).vBits());
                }
                WalRecords.frameSamples(out, ids, ts, vs, n);
            }
            case Series s -> {
                int n = s.series().size();
                long[] ids = new long[n];
                byte[][] labels = new byte[n][];
                for (int i = 0; i < n; i++) {
                    ids[i] = s.series().get(i).id();
                    labels[i] = s.series().get(i).labels().encode();
                }
                WalRecords.frameSeries(out, ids, labels, n);
            }
            case Tombstones s -> {
                int n = s.tombstones().size();
                long[] ids = new long[n], minTs = new long[n], maxTs = new long[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = s.tombstones().get(i).id();
                    minTs[i] = s.tombstones().get(i).minT();
                    maxTs[i] = s.tombstones().get(i).maxT();
                }
                WalRecords.frameTombstones(out, ids, minTs, maxTs, n);
            }
            case Opaque o -> {
                // Hand-framed, per wal.md, to check replay passes unknown-but-valid types through.
                byte[] p = new byte[o.payload().size()];
                for (int i = 0; i < p.length; i++) p[i] = o.payload().get(i);
                java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
                crc.update(o.type());
                crc.update(p);
                ByteBuffer h = ByteBuffer.allocate(9).put(o.type()).putInt(p.length).putInt((int) crc.getValue());
                out.putBytes(h.array(), 0, 9);
                out.putBytes(p, 0, p.length);
            }
        }
    }

    static ModelRecord decode(byte type, ByteBuffer payload, SampleBatch scratch) {
        switch (type) {
            case WalRecords.SAMPLES, WalRecords.PACKED_SAMPLES -> {
                int n = WalRecords.decodeSamples(type, payload, scratch);
                List<Sample> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    out.add(new Sample(scratch.ids()[i], scratch.ts()[i], Double.doubleToRawLongBits(scratch.vs()[i])));
                }
                return new Samples(out);
            }
            case WalRecords.SERIES -> {
                List<SeriesEntry> out = new ArrayList<>();
                WalRecords.decodeSeries(payload, (id, l) -> out.add(new SeriesEntry(id, l)));
                return new Series(out);
            }
            case WalRecords.TOMBSTONES -> {
                List<Tombstone> out = new ArrayList<>();
                WalRecords.decodeTombstones(payload, (id, minT, maxT) -> out.add(new Tombstone(id, minT, maxT)));
                return new Tombstones(out);
            }
            default -> {
                List<Byte> p = new ArrayList<>();
                while (payload.hasRemaining()) p.add(payload.get());
                return new Opaque(type, p);
            }
        }
    }

    /** Collects replayed records, and the segment of each. */
    final class Collector implements RecordHandler {
        final List<ModelRecord> records = new ArrayList<>();
        final List<Integer> segments = new ArrayList<>();
        private final SampleBatch scratch = new SampleBatch(4);

        @Override
        public void record(int segment, byte type, ByteBuffer payload) {
            records.add(decode(type, payload, scratch));
            segments.add(segment);
        }
    }

    /** Frames a batch of records into a fresh buffer's bytes. */
    static byte[] frameAll(List<? extends ModelRecord> batch) {
        RecordBuffer out = new RecordBuffer(8);
        for (ModelRecord r : batch) r.frame(out);
        return java.util.Arrays.copyOf(out.array(), out.length());
    }
}
