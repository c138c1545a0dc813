package dev.vigil.ingest.relabel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.vigil.tsdb.Labels;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RelabelProperties {
    private static final String[] NAMES = {"a", "b", "job", "instance", "__name__", "__meta_x", "utf-8.label"};
    private static final String[] VALUES = {"", "foo", "bar", "fo", "a;b", "10.0.0.1:80", "ünï", "line1\nline2"};
    private static final String[] REGEXES = {"(.*)", "f(.*)", ".*o.*", "(b.*)", "__meta_(.*)", "[a-z]+", "(a|b);(.*)"};

    static Labels randomLabels(Random r) {
        Labels.Builder b = Labels.builder();
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) b.set(NAMES[r.nextInt(NAMES.length)], VALUES[r.nextInt(VALUES.length)]);
        return b.build();
    }

    @Test
    void keepAndDrop_withTheSameRule_areComplementary() {
        qt().withExamples(500).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            Labels l = randomLabels(r);
            String regex = REGEXES[r.nextInt(REGEXES.length)];
            String[] src = {NAMES[r.nextInt(NAMES.length)], NAMES[r.nextInt(NAMES.length)]};
            RelabelConfig keep = RelabelConfig.builder().action(RelabelAction.KEEP).sourceLabels(src).regex(regex).build();
            RelabelConfig drop = RelabelConfig.builder().action(RelabelAction.DROP).sourceLabels(src).regex(regex).build();
            boolean kept = Relabel.process(l, List.of(keep)) != null;
            boolean notDropped = Relabel.process(l, List.of(drop)) != null;
            assertTrue(kept != notDropped, () -> l + " " + regex);
        });
    }

    @Test
    void hashmod_isBelowTheModulus_andDeterministic() {
        qt().withExamples(500).forAll(longs().all(), longs().all()).checkAssert((seed, modulus) -> {
            if (modulus == 0) return;
            Random r = new Random(seed);
            Labels l = randomLabels(r);
            RelabelConfig c = RelabelConfig.builder().action(RelabelAction.HASHMOD).sourceLabels("a", "b")
                    .targetLabel("shard").modulus(modulus).build();
            Labels out = Relabel.process(l, List.of(c));
            assertNotNull(out);
            long shard = Long.parseUnsignedLong(out.get("shard"));
            assertTrue(Long.compareUnsigned(shard, modulus) < 0);
            assertEquals(out, Relabel.process(l, List.of(c)));
        });
    }

    @Test
    void labelmapThenLabeldropOfTheSource_renamesLabels() {
        qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            Labels l = randomLabels(r);
            Labels out = Relabel.process(l, List.of(
                    RelabelConfig.builder().action(RelabelAction.LABELMAP).regex("__meta_(.*)").replacement("meta_$1").build(),
                    RelabelConfig.builder().action(RelabelAction.LABELDROP).regex("__meta_.*").build()));
            assertNotNull(out);
            assertEquals(l.get("__meta_x"), out.get("meta_x"));
            assertTrue(!out.has("__meta_x"));
        });
    }
}
