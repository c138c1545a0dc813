package dev.vigil.tsdb.wal;

import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.StaleMarker;
import dev.vigil.tsdb.wal.ModelRecord.Sample;
import dev.vigil.tsdb.wal.ModelRecord.SeriesEntry;
import dev.vigil.tsdb.wal.ModelRecord.Tombstone;
import java.util.List;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** QuickTheories generators for WAL records, biased towards the edges of every field. */
final class WalGenerators {
    private WalGenerators() {}

    static Gen<Long> ids() {
        return Generate.oneOf(longs().between(0, 1000), longs().all(),
                Generate.pick(List.of(Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1, 0L, -1L)));
    }

    static Gen<Long> timestamps() {
        return Generate.oneOf(longs().between(1_700_000_000_000L, 1_700_000_100_000L), longs().all(),
                Generate.pick(List.of(Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1, 0L)));
    }

    /** Raw value bits: ordinary doubles, any bit pattern (NaNs with random payloads), and the specials. */
    static Gen<Long> valueBits() {
        return Generate.oneOf(doubles().any().map(Double::doubleToRawLongBits), longs().all(),
                Generate.pick(List.of(StaleMarker.STALE_NAN_BITS, Double.doubleToRawLongBits(Double.NaN),
                        0xfff8_0000_0000_0001L, 0x7ff0_0000_0000_0001L, Double.doubleToRawLongBits(Double.POSITIVE_INFINITY),
                        Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY), Double.doubleToRawLongBits(-0.0), 0L,
                        Double.doubleToRawLongBits(Double.MIN_VALUE), Double.doubleToRawLongBits(Double.MAX_VALUE))));
    }

    static Gen<Labels> labels() {
        Gen<String> value = strings().basicLatinAlphabet().ofLengthBetween(0, 12);
        return value.zip(value, integers().between(0, 50),
                (a, b, n) -> Labels.of(Labels.METRIC_NAME, "metric_" + n, "instance", a, "job", b));
    }

    static Gen<ModelRecord> samples(int maxSamples) {
        Gen<Sample> s = ids().zip(timestamps(), valueBits(), Sample::new);
        return lists().of(s).ofSizeBetween(0, maxSamples).map(ModelRecord.Samples::new);
    }

    static Gen<ModelRecord> series(int maxSeries) {
        return lists().of(ids().zip(labels(), SeriesEntry::new)).ofSizeBetween(0, maxSeries).map(ModelRecord.Series::new);
    }

    static Gen<ModelRecord> tombstones(int max) {
        Gen<Tombstone> t = ids().zip(timestamps(), timestamps(), (id, a, b) -> new Tombstone(id, Math.min(a, b), Math.max(a, b)));
        return lists().of(t).ofSizeBetween(0, max).map(ModelRecord.Tombstones::new);
    }

    static Gen<ModelRecord> opaque() {
        return integers().between(WalRecords.PACKED_SAMPLES + 1, WalRecords.MAX_TYPE).zip(lists().of(integers().between(-128, 127).map(Integer::byteValue))
                .ofSizeBetween(0, 40), (t, p) -> new ModelRecord.Opaque(t.byteValue(), p));
    }

    static Gen<ModelRecord> anyRecord(int maxEntries) {
        return Generate.frequency(List.of(
                org.quicktheories.api.Pair.of(6, samples(maxEntries)),
                org.quicktheories.api.Pair.of(2, series(maxEntries / 4 + 1)),
                org.quicktheories.api.Pair.of(1, tombstones(maxEntries / 4 + 1)),
                org.quicktheories.api.Pair.of(1, opaque())));
    }

    /** A commit: one to three records logged by one {@code log} call. */
    static Gen<List<ModelRecord>> batches(int maxEntries) {
        return lists().of(anyRecord(maxEntries)).ofSizeBetween(1, 3);
    }
}
