package dev.vigil.tsdb.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class UlidTest {
    record Case(String ulid, boolean valid) {}

    static Stream<Case> validation() {
        return Stream.of(
                new Case("01ARZ3NDEKTSV4RRFFQ69G5FAV", true),
                new Case("7ZZZZZZZZZZZZZZZZZZZZZZZZZ", true),  // the largest ULID
                new Case("00000000000000000000000000", true),
                new Case("80000000000000000000000000", false), // overflows 128 bits
                new Case("01ARZ3NDEKTSV4RRFFQ69G5FA", false),  // 25 chars
                new Case("01ARZ3NDEKTSV4RRFFQ69G5FAVX", false),
                new Case("01ARZ3NDEKTSV4RRFFQ69G5FAU", false), // U is not Crockford
                new Case("01ARZ3NDEKTSV4RRFFQ69G5FAI", false), // nor I, L, O
                new Case("01arz3ndektsv4rrffq69g5fav", false), // canonical names are upper case
                new Case("01ARZ3NDEKTSV4RRFFQ69G5FA\u00c9", false),
                new Case("", false),
                new Case(null, false));
    }

    @ParameterizedTest
    @MethodSource("validation")
    void isValid(Case c) {
        assertEquals(c.valid(), Ulid.isValid(c.ulid()));
    }

    @Test
    void of_matchesTheReferenceEncoding() {
        // the first 10 digits in base 32 (computed independently): 01ARZ3NDEK -> 1469922850259
        assertEquals(1469922850259L, Ulid.timestampMs("01ARZ3NDEKTSV4RRFFQ69G5FAV"));
        assertEquals("00000000000000000000000000", Ulid.of(0, 0, 0));
        assertEquals("7ZZZZZZZZZZZZZZZZZZZZZZZZZ", Ulid.of((1L << 48) - 1, 0xFFFF, -1L));
        assertEquals("0000000000000000000000000Z", Ulid.of(0, 0, 31));
        // random bit 64 of 128 is bit 4 of the 13th digit from the right: value 16, "G"
        assertEquals("0000000000000G000000000000", Ulid.of(0, 1, 0));
        assertEquals("00000000010000000000000000", Ulid.of(1, 0, 0));
    }

    @Test
    void next_isValid_roundTripsItsTime_andIsStrictlyIncreasingWithinAMillisecond() {
        String prev = Ulid.next(1_700_000_000_000L);
        for (int i = 0; i < 10_000; i++) {
            String u = Ulid.next(1_700_000_000_000L);
            assertTrue(Ulid.isValid(u), u);
            assertTrue(u.compareTo(prev) > 0, prev + " then " + u);
            assertEquals(1_700_000_000_000L, Ulid.timestampMs(u));
            prev = u;
        }
        String later = Ulid.next(1_700_000_000_001L);
        assertTrue(later.compareTo(prev) > 0);
    }

    @Test
    void stringOrder_isTimeOrder() {
        qt().forAll(longs().between(0, (1L << 48) - 2), longs().all()).checkAssert((t, r) -> {
            String a = Ulid.of(t, r >>> 48, r), b = Ulid.of(t + 1, 0, 0);
            assertTrue(a.compareTo(b) < 0);
            assertEquals(t, Ulid.timestampMs(a));
        });
    }

    @Test
    void outOfRangeTime_throws() {
        assertThrows(IllegalArgumentException.class, () -> Ulid.next(-1));
        assertThrows(IllegalArgumentException.class, () -> Ulid.next(1L << 48));
        assertThrows(IllegalArgumentException.class, () -> Ulid.timestampMs("nope"));
    }
}
