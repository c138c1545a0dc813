package dev.vigil.ingest.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoFloatTest {
    static boolean valid(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return GoFloat.isValid(b, 0, b.length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "+1", "1.", ".5", "1e5", "1E-5", "+Inf", "-inf", "Infinity", "INF", "NaN", "nan",
        "7.424100000000001e-05", "1.7976931348623157e308", "4.9e-324", "123456789012345678901234567890"})
    void accepted(String s) {
        assertTrue(valid(s), s);
        assertEquals(Double.doubleToRawLongBits(expected(s)), Double.doubleToRawLongBits(GoFloat.parse(s)), s);
    }

    static double expected(String s) {
        String l = s.toLowerCase();
        if (l.endsWith("nan")) return Double.NaN;
        if (l.contains("inf")) return l.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        return Double.parseDouble(s);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "+", ".", "e5", "1e", "1e+", "0x1p-3", "0x10", "1_2", "1d", "1f", "true", "+NaN", "infin", "- 1", "1 ", "١"})
    void rejected(String s) {
        assertFalse(valid(s), s);
    }

    static Stream<Arguments> openMetricsFormatting() {
        return Stream.of(
                Arguments.of(0.0, "0.0"), Arguments.of(1.0, "1.0"), Arguments.of(-1.0, "-1.0"), Arguments.of(0.25, "0.25"),
                Arguments.of(100000.0, "100000.0"), Arguments.of(1e6, "1e+06"), Arguments.of(1234567.0, "1.234567e+06"),
                Arguments.of(0.0001, "0.0001"), Arguments.of(0.00001, "1e-05"), Arguments.of(1.5e-7, "1.5e-07"),
                Arguments.of(2.5e100, "2.5e+100"), Arguments.of(Double.POSITIVE_INFINITY, "+Inf"),
                Arguments.of(Double.NEGATIVE_INFINITY, "-Inf"), Arguments.of(Double.NaN, "NaN"), Arguments.of(0.1, "0.1"),
                Arguments.of(123.456, "123.456"), Arguments.of(5e-324, "5e-324"));
    }

    @ParameterizedTest
    @MethodSource("openMetricsFormatting")
    void formatOpenMetrics_likeGo(double f, String expected) {
        assertEquals(expected, GoFloat.formatOpenMetrics(f));
    }

    @Test
    void formatG_fromDoubleToString_agreesWithExactRounding() {
        // any bit pattern (subnormals take the exact path in both)
        qt().withExamples(20_000).forAll(longs().all()).check(bits -> {
            double f = Double.longBitsToDouble(bits);
            return Double.isNaN(f) || Double.isInfinite(f) || f == 0
                    || GoFloat.formatG(f).equals(GoFloat.formatG(f, true));
        });
        // short decimals, as histogram bounds and quantiles are written, and their neighbours
        qt().withExamples(20_000).forAll(integers().between(1, 99_999), integers().between(-330, 308), integers().between(-1, 1))
                .check((mantissa, exp, step) -> {
                    double d = Double.parseDouble(mantissa + "e" + exp);
                    if (step != 0 && d != 0 && !Double.isInfinite(d)) d = step > 0 ? Math.nextUp(d) : Math.nextDown(d);
                    return d == 0 || Double.isInfinite(d) || GoFloat.formatG(d).equals(GoFloat.formatG(d, true));
                });
        qt().withExamples(5_000).forAll(doubles().between(-1e9, 1e9)).check(f -> f == 0 || GoFloat.formatG(f).equals(GoFloat.formatG(f, true)));
    }

    @Test
    void fastPath_agreesWithParseDouble() {
        java.util.Random r = new java.util.Random(42);
        for (int i = 0; i < 100_000; i++) {
            String s = switch (i % 3) {
                case 0 -> Double.toString(Double.longBitsToDouble(r.nextLong()));
                case 1 -> r.nextInt(1_000_000) + "." + r.nextInt(1_000_000) + "e" + (r.nextInt(50) - 25);
                default -> Long.toString(r.nextLong()) + "." + Math.abs(r.nextLong() % 1000);
            };
            if (!valid(s)) continue; // NaN/Infinity spellings are covered above
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(s)), Double.doubleToRawLongBits(GoFloat.parse(s)), s);
        }
    }
}
