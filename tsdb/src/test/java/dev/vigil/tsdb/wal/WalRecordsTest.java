package dev.vigil.tsdb.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.StaleMarker;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class WalRecordsTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Pins the byte layout documented in docs/format/wal.md (the PACKED_SAMPLES example). */
    @Test
    void frameSamples_matches_documented_bytes() {
        RecordBuffer out = new RecordBuffer();
        WalRecords.frameSamples(out, new long[] {1, 3}, new long[] {1000, 990}, new double[] {1.0, StaleMarker.STALE_NAN}, 2);
        // 1.0 keeps 2 of its 8 bytes (header 2000 << 3 | 1); the stale NaN keeps all 8 (header 19 << 3 | 7)
        String payload = "02" + "02" + "817d" + "3ff0" + "04" + "9f01" + "7ff0000000000002";
        assertEquals(frame(WalRecords.PACKED_SAMPLES, payload), HEX.formatHex(out.array(), 0, out.length()));
    }

    /** Pins the SAMPLES layout, written when a timestamp delta is beyond the packed header's range. */
    @Test
    void frameSamples_falls_back_to_full_values_for_timestamps_out_of_packed_range() {
        RecordBuffer out = new RecordBuffer();
        WalRecords.frameSamples(out, new long[] {1, 3}, new long[] {1L << 59, (1L << 59) - 10}, new double[] {1.0, 2.0}, 2);
        assertEquals(frame(WalRecords.PACKED_SAMPLES, "02" + "02" + "81808080808080808001" + "3ff0" + "04" + "9801" + "40"),
                HEX.formatHex(out.array(), 0, out.length()), "2^59 ms still fits");
        out.reset();
        WalRecords.frameSamples(out, new long[] {1, 3}, new long[] {1L << 60, (1L << 60) - 10}, new double[] {1.0, 2.0}, 2);
        String payload = "02" + "02" + "808080808080808020" + "3ff0000000000000" + "04" + "13" + "4000000000000000";
        assertEquals(frame(WalRecords.SAMPLES, payload), HEX.formatHex(out.array(), 0, out.length()));
        SampleBatch batch = new SampleBatch(1);
        assertEquals(2, WalRecords.decodeSamples(WalRecords.SAMPLES, payload(out), batch));
        assertEquals((1L << 60) - 10, batch.ts()[1]);
        assertEquals(2.0, batch.vs()[1]);
    }

    private static String frame(byte type, String payloadHex) {
        byte[] p = HEX.parseHex(payloadHex);
        CRC32C crc = new CRC32C();
        crc.update(type);
        crc.update(p);
        return String.format("%02x%08x%08x", type, p.length, (int) crc.getValue()) + payloadHex;
    }

    @Test
    void frameTombstones_and_frameSeries_match_documented_bytes() {
        RecordBuffer out = new RecordBuffer();
        WalRecords.frameTombstones(out, new long[] {5}, new long[] {-1}, new long[] {1}, 1);
        // n=1, id delta 5 -> zigzag 10, minT -1 -> zigzag 1, span 2 -> zigzag 4
        assertEquals("01" + "0a" + "01" + "04", HEX.formatHex(out.array(), 9, out.length()));
        out.reset();
        byte[] l = Labels.of("a", "b").encode();
        WalRecords.frameSeries(out, new long[] {-1}, new byte[][] {l}, 1);
        // n=1, id delta -1 -> zigzag 1, label length 4, labels "\x01a\x01b"
        assertEquals("01" + "01" + "04" + "01610162", HEX.formatHex(out.array(), 9, out.length()));
    }

    @Test
    void frames_append_so_one_buffer_holds_a_whole_commit() {
        RecordBuffer out = new RecordBuffer(1);
        WalRecords.frameSeries(out, new long[] {7}, new byte[][] {Labels.of("__name__", "up").encode()}, 1);
        int first = out.length();
        WalRecords.frameSamples(out, new long[] {7}, new long[] {42}, new double[] {-0.0}, 1);
        assertEquals(WalRecords.SERIES, out.array()[0]);
        assertEquals(WalRecords.PACKED_SAMPLES, out.array()[first]);
        ByteBuffer b = ByteBuffer.wrap(out.array(), first, out.length() - first);
        b.position(first + WalRecords.HEADER_BYTES);
        SampleBatch batch = new SampleBatch(1);
        assertEquals(1, WalRecords.decodeSamples(WalRecords.PACKED_SAMPLES, b, batch));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(batch.vs()[0]));
    }

    @Test
    void decodeSamples_reuses_and_grows_the_batch() {
        SampleBatch batch = new SampleBatch(1);
        batch.add(99, 99, 99);
        RecordBuffer out = new RecordBuffer();
        int n = 1000;
        long[] ids = new long[n], ts = new long[n];
        double[] vs = new double[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i % 7;
            ts[i] = 1000L * i;
            vs[i] = i;
        }
        WalRecords.frameSamples(out, ids, ts, vs, n);
        assertEquals(n, WalRecords.decodeSamples(WalRecords.PACKED_SAMPLES, payload(out), batch));
        assertEquals(n, batch.size());
        for (int i = 0; i < n; i++) {
            assertEquals(ids[i], batch.ids()[i]);
            assertEquals(ts[i], batch.ts()[i]);
            assertEquals(vs[i], batch.vs()[i]);
        }
        out.reset();
        WalRecords.frameSamples(out, ids, ts, vs, 0);
        assertEquals(0, WalRecords.decodeSamples(WalRecords.PACKED_SAMPLES, payload(out), batch));
        assertEquals(0, batch.size());
    }

    @Test
    void decodeSeries_reads_direct_buffers_like_mapped_segments() {
        RecordBuffer out = new RecordBuffer();
        Labels a = Labels.of("__name__", "héllo", "job", "ü∑");
        WalRecords.frameSeries(out, new long[] {3, 1}, new byte[][] {a.encode(), Labels.EMPTY.encode()}, 2);
        ByteBuffer heap = payload(out);
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining()).put(heap.duplicate()).flip();
        for (ByteBuffer b : List.of(heap, direct)) {
            List<Object> got = new ArrayList<>();
            WalRecords.decodeSeries(b, (id, l) -> {
                got.add(id);
                got.add(l);
            });
            assertEquals(List.of(3L, a, 1L, Labels.EMPTY), got);
        }
    }

    @Test
    void frame_rejects_count_beyond_arrays() {
        RecordBuffer out = new RecordBuffer();
        assertThrows(IllegalArgumentException.class,
                () -> WalRecords.frameSamples(out, new long[1], new long[1], new double[0], 1));
        assertThrows(IllegalArgumentException.class, () -> WalRecords.frameTombstones(out, new long[1], new long[1], new long[1], -1));
        assertEquals(0, out.length());
    }

    record Malformed(String name, byte type, String payloadHex) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Malformed> malformed() {
        return Stream.of(
                new Malformed("samples: empty payload", WalRecords.SAMPLES, ""),
                new Malformed("samples: count larger than payload", WalRecords.SAMPLES, "ffffffff0f" + "00".repeat(12)),
                new Malformed("samples: truncated value", WalRecords.SAMPLES, "01" + "02" + "02" + "3ff00000"),
                new Malformed("samples: trailing bytes", WalRecords.SAMPLES, "01" + "02" + "02" + "3ff0000000000000" + "00"),
                new Malformed("samples: varint over 64 bits", WalRecords.SAMPLES, "01" + "ffffffffffffffffff7f" + "00" + "00".repeat(8)),
                new Malformed("samples: varint with no end", WalRecords.SAMPLES, "01" + "ff".repeat(17)),
                new Malformed("packed samples: empty payload", WalRecords.PACKED_SAMPLES, ""),
                new Malformed("packed samples: count larger than payload", WalRecords.PACKED_SAMPLES, "05" + "020201"),
                new Malformed("packed samples: value shorter than its header says", WalRecords.PACKED_SAMPLES, "01" + "02" + "07" + "3ff0"),
                new Malformed("packed samples: trailing bytes", WalRecords.PACKED_SAMPLES, "01" + "02" + "01" + "3ff0" + "00"),
                new Malformed("packed samples: header over 64 bits", WalRecords.PACKED_SAMPLES, "01" + "02" + "ffffffffffffffffff7f" + "00"),
                new Malformed("series: label length past end", WalRecords.SERIES, "01" + "02" + "10" + "0161"),
                new Malformed("series: label length above 2^63", WalRecords.SERIES, "01" + "02" + "ffffffffffffffffff01" + "0161"),
                new Malformed("series: odd label strings", WalRecords.SERIES, "01" + "02" + "02" + "0161"),
                new Malformed("series: trailing bytes", WalRecords.SERIES, "01" + "02" + "00" + "00"),
                new Malformed("tombstones: missing maxT", WalRecords.TOMBSTONES, "01" + "02" + "02"),
                new Malformed("tombstones: count larger than payload", WalRecords.TOMBSTONES, "05" + "020202"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void decoders_reject_malformed_payloads_with_IllegalArgumentException(Malformed m) {
        ByteBuffer p = ByteBuffer.wrap(HEX.parseHex(m.payloadHex()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            switch (m.type()) {
                case WalRecords.SAMPLES, WalRecords.PACKED_SAMPLES -> WalRecords.decodeSamples(m.type(), p, new SampleBatch(1));
                case WalRecords.SERIES -> WalRecords.decodeSeries(p, (id, l) -> {});
                default -> WalRecords.decodeTombstones(p, (id, a, b) -> {});
            }
        });
        assertTrue(e.getMessage().startsWith("malformed"), e.getMessage());
    }

    @Test
    void recordBuffer_grows_and_resets() {
        RecordBuffer b = new RecordBuffer(0);
        byte[] big = new byte[1000];
        big[999] = 7;
        b.putBytes(big, 0, big.length);
        b.putUvarint(Long.MIN_VALUE); // 10 bytes
        assertEquals(1010, b.length());
        assertEquals(7, b.array()[999]);
        byte[] arr = b.array();
        b.reset();
        assertEquals(0, b.length());
        assertSame(arr, b.array());
    }

    private static ByteBuffer payload(RecordBuffer out) {
        return ByteBuffer.wrap(out.array(), WalRecords.HEADER_BYTES, out.length() - WalRecords.HEADER_BYTES).slice();
    }
}
