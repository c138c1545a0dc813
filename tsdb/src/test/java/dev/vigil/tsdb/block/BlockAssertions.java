package dev.vigil.tsdb.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.chunk.XorIterator;
import dev.vigil.tsdb.index.ChunkMetas;
import dev.vigil.tsdb.index.IndexReader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.roaringbitmap.RoaringBitmap;

/** Compares an open block with the series it should hold. */
final class BlockAssertions {
    private BlockAssertions() {}

    /** The series a block over {@code [minT, maxT)} must hold: clipped, non-empty, in label order. */
    static List<TestSeries> expected(List<TestSeries> input, long minT, long maxT) {
        List<TestSeries> out = new ArrayList<>();
        for (TestSeries s : input) {
            TestSeries c = s.clip(minT, maxT);
            if (c.size() > 0) out.add(c);
        }
        return out;
    }

    /** Decodes all samples of the series at {@code ordinal} through chunk metas and the chunk reader. */
    static TestSeries read(Block b, int ordinal) {
        ChunkMetas metas = new ChunkMetas();
        b.index().chunkMetas(ordinal, metas);
        long[] t = new long[16];
        long[] v = new long[16];
        int n = 0;
        XorIterator it = new XorIterator();
        long prevMaxT = Long.MIN_VALUE;
        for (int i = 0; i < metas.size(); i++) {
            ByteBuffer chunk = b.chunks().chunk(metas.ref(i));
            assertTrue(chunk.remaining() <= BlockWriter.MAX_CHUNK_BYTES, "chunk too big: " + chunk.remaining());
            assertTrue(metas.minT(i) > prevMaxT, "chunks overlap or out of order");
            it.reset(chunk);
            int inChunk = 0;
            long first = 0, last = 0;
            while (it.next() == SampleIterator.FLOAT) {
                if (n == t.length) {
                    t = Arrays.copyOf(t, n * 2);
                    v = Arrays.copyOf(v, n * 2);
                }
                t[n] = it.atT();
                v[n] = it.atVBits();
                if (inChunk == 0) first = t[n];
                last = t[n];
                n++;
                inChunk++;
            }
            assertTrue(!it.corrupt(), "chunk decoded past its end");
            assertTrue(inChunk >= 1 && inChunk <= BlockWriter.MAX_SAMPLES_PER_CHUNK, "samples in chunk: " + inChunk);
            assertEquals(metas.minT(i), first, "chunk meta minT");
            assertEquals(metas.maxT(i), last, "chunk meta maxT");
            prevMaxT = metas.maxT(i);
        }
        return new TestSeries(b.index().labels(ordinal), Arrays.copyOf(t, n), Arrays.copyOf(v, n));
    }

    /** Asserts that {@code b} holds exactly {@code want} (already clipped and sorted). */
    static void assertBlockHolds(Block b, List<TestSeries> want) {
        IndexReader ix = b.index();
        assertEquals(want.size(), ix.allPostings().getCardinality(), "series count");
        assertEquals(want.size(), b.meta().stats().numSeries(), "meta numSeries");
        long samples = 0;
        for (TestSeries s : want) samples += s.size();
        assertEquals(samples, b.meta().stats().numSamples(), "meta numSamples");

        // the oracle index: names -> values -> ordinals, in UTF-8 order
        Map<String, Map<String, RoaringBitmap>> oracle = new TreeMap<>(Labels::compareUtf8);
        for (int ord = 0; ord < want.size(); ord++) {
            Labels l = want.get(ord).labels();
            for (int i = 0; i < l.size(); i++) {
                oracle.computeIfAbsent(l.name(i), k -> new TreeMap<>(Labels::compareUtf8))
                        .computeIfAbsent(l.value(i), k -> new RoaringBitmap()).add(ord);
            }
        }
        assertEquals(List.copyOf(oracle.keySet()), ix.labelNames(), "label names");
        for (var e : oracle.entrySet()) {
            assertEquals(List.copyOf(e.getValue().keySet()), ix.labelValues(e.getKey()), "values of " + e.getKey());
            for (var v : e.getValue().entrySet()) {
                assertEquals(v.getValue(), ix.postings(e.getKey(), v.getKey()), "postings " + e.getKey() + "=" + v.getKey());
            }
        }
        assertTrue(ix.labelValues("no such label \u0000").isEmpty());
        assertTrue(ix.postings("no such label", "x").isEmpty());
        if (!oracle.isEmpty()) {
            String name = oracle.keySet().iterator().next();
            assertTrue(ix.postings(name, "no such value \uD83D\uDE00").isEmpty());
        }

        // every expected series is found through its postings and reads back exactly
        int ordinal = 0;
        for (TestSeries s : want) {
            RoaringBitmap match = ix.allPostings().clone();
            for (int i = 0; i < s.labels().size(); i++) match.and(ix.postings(s.labels().name(i), s.labels().value(i)));
            int found = -1;
            for (int o : match) {
                if (ix.labels(o).equals(s.labels())) found = o;
            }
            assertEquals(ordinal, found, "ordinal of " + s.labels());
            TestSeries got = read(b, found);
            assertEquals(s.labels(), got.labels());
            assertArrayEquals(s.t(), got.t(), "timestamps of " + s.labels());
            assertArrayEquals(s.vBits(), got.vBits(), "value bits of " + s.labels());
            ordinal++;
        }

        // iterating all postings yields label order
        TreeSet<Labels> seen = new TreeSet<>();
        Labels prev = null;
        for (int o : ix.allPostings()) {
            Labels l = ix.labels(o);
            if (prev != null) assertTrue(prev.compareTo(l) < 0, "postings not in label order");
            prev = l;
            seen.add(l);
        }
        assertEquals(want.size(), seen.size());
    }
}
