package dev.vigil.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class LabelsTest {
    static final long PINNED_UP_HASH = -8410484386009621198L;

    record Invalid(String[] input, String error) {}

    static Stream<Invalid> invalid() {
        return Stream.of(
                new Invalid(new String[] {"", "v"}, "empty label name"),
                new Invalid(new String[] {"a", "1", "a", "2"}, "duplicate label name [name=a]"),
                new Invalid(new String[] {"a\uD800", "1"}, "label name is not valid UTF-8"),
                new Invalid(new String[] {"a", "x\uDC00"}, "label value is not valid UTF-8 [name=a]"),
                new Invalid(new String[] {"a"}, "odd number of label names and values"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalid_label_sets_name_what_is_wrong(Invalid c) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Labels.of(c.input()));
        assertTrue(e.getMessage().startsWith(c.error()), e.getMessage());
    }

    @Test
    void empty_values_are_absent_and_order_does_not_matter() {
        assertEquals(Labels.of("a", "1"), Labels.of("b", "", "a", "1"));
        assertEquals(Labels.of("b", "2", "a", "1"), Labels.of("a", "1", "b", "2"));
        assertEquals(Labels.EMPTY, Labels.of("x", ""));
        assertEquals("up{job=\"a\\\"b\", z=\"1\"}", Labels.of("z", "1", "__name__", "up", "job", "a\"b").toString());
        assertNotEquals(Labels.of("a", "1").hash(), Labels.of("a", "2").hash());
    }

    @Test
    void interning_a_canonical_set_returns_the_same_instance() {
        Labels fresh = Labels.of("__name__", new String("up_fresh_" + System.nanoTime()), "job", new String("j"));
        Labels interned = fresh.interned();
        assertEquals(fresh, interned);
        org.junit.jupiter.api.Assertions.assertNotSame(fresh, interned);
        org.junit.jupiter.api.Assertions.assertSame(interned, interned.interned());
        org.junit.jupiter.api.Assertions.assertSame(interned.get("job"), "j");
    }

    @Test
    void intern_returns_the_jvm_canonical_string() {
        // thousands of strings through 4,096 cache slots: hits, misses and evictions alike
        qt().withExamples(20_000).forAll(strings().betweenCodePoints(0x20, 0x7e).ofLengthBetween(0, 6)).checkAssert(s -> {
            org.junit.jupiter.api.Assertions.assertSame(s.intern(), Labels.intern(new String(s.toCharArray())));
            org.junit.jupiter.api.Assertions.assertSame(s.intern(), Labels.intern(s.intern()));
        });
    }

    @Test
    void encoding_is_the_canonical_byte_layout() {
        // persisted (series dictionary, WAL): uvarint(UTF-8 length) then the UTF-8 bytes, for each
        // name and value in order; lengths past 127 take two varint bytes; one non-ASCII character
        // anywhere must give the same layout as pure ASCII does
        qt().forAll(lists().of(strings().betweenCodePoints(0x20, 0x7e).ofLengthBetween(0, 200)).ofSizeBetween(0, 10),
                integers().between(-1, 40)).checkAssert((strs, nonAsciiAt) -> {
                    Labels.Builder b = Labels.builder();
                    for (int i = 0; i + 1 < strs.size(); i += 2) {
                        String value = strs.get(i + 1);
                        if (nonAsciiAt >= 0 && nonAsciiAt <= value.length() && i == 0) {
                            value = value.substring(0, nonAsciiAt) + "\u00e9\u4e2d" + value.substring(nonAsciiAt);
                        }
                        b.set("n" + strs.get(i), value);
                    }
                    Labels l = b.build();
                    java.io.ByteArrayOutputStream want = new java.io.ByteArrayOutputStream();
                    for (int i = 0; i < l.size(); i++) {
                        for (String str : new String[] {l.name(i), l.value(i)}) {
                            byte[] utf8 = str.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                            for (int v = utf8.length; ; v >>>= 7) {
                                if (v < 0x80) {
                                    want.write(v);
                                    break;
                                }
                                want.write(v & 0x7F | 0x80);
                            }
                            want.writeBytes(utf8);
                        }
                    }
                    org.junit.jupiter.api.Assertions.assertArrayEquals(want.toByteArray(), l.encode());
                });
    }

    @Test
    void hash_is_stable_across_versions() {
        // persisted (series dictionary and WAL users rely on it): never change these numbers
        assertEquals(Labels.of("__name__", "up", "job", "node").hash(), Labels.of("job", "node", "__name__", "up").hash());
        assertEquals(PINNED_UP_HASH, Labels.of("__name__", "up").hash());
    }

    @Test
    void encode_decode_round_trip_and_order_is_utf8_byte_order() {
        qt().forAll(lists().of(strings().allPossible().ofLengthBetween(0, 12)).ofSizeBetween(0, 16))
                .checkAssert(strs -> {
                    Labels.Builder b = Labels.builder();
                    for (int i = 0; i + 1 < strs.size(); i += 2) {
                        String name = "n" + strs.get(i);
                        if (Labels.isValidUtf16(name) && Labels.isValidUtf16(strs.get(i + 1))) b.set(name, strs.get(i + 1));
                    }
                    Labels l = b.build();
                    byte[] enc = l.encode();
                    Labels back = Labels.decode(enc, 0, enc.length);
                    assertEquals(l, back);
                    assertEquals(l.hash(), back.hash());
                    for (int i = 1; i < l.size(); i++) {
                        byte[] x = l.name(i - 1).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        byte[] y = l.name(i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        assertTrue(java.util.Arrays.compareUnsigned(x, y) < 0, "names sorted by UTF-8 bytes");
                    }
                });
    }

    @Test
    void without_equals_rebuilding_without_those_labels() {
        Labels l = Labels.of("__name__", "up", "__type__", "counter", "job", "a", "z", "1");
        assertEquals(Labels.of("job", "a", "z", "1"), l.without("__name__", "__type__", "__unit__"));
        assertEquals(Labels.of("job", "a", "z", "1").hash(), l.without("__name__", "__type__").hash());
        assertEquals(l, l.without("nope"));
        assertEquals(Labels.EMPTY, Labels.of("a", "1").without("a"));
        assertTrue(Labels.of("a", "1").without("a").isEmpty());
        assertEquals(Labels.of("__name__", "up"), l.without("job", "z", "__type__"));
    }

    @Test
    void keep_equals_building_from_the_kept_labels() {
        Labels l = Labels.of("__name__", "up", "job", "a", "z", "1");
        assertEquals(Labels.of("job", "a", "z", "1"), l.keep(java.util.List.of("z", "job", "nope", "z")));
        assertEquals(Labels.of("job", "a").hash(), l.keep(java.util.List.of("job")).hash());
        assertEquals(Labels.EMPTY, l.keep(java.util.List.of("nope")));
        assertEquals(l, l.keep(java.util.List.of("job", "__name__", "z")));
    }
}
