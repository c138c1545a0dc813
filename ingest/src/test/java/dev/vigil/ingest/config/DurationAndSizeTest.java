package dev.vigil.ingest.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationAndSizeTest {
    static Stream<Arguments> durations() {
        return Stream.of(
                Arguments.of("0", 0L, "0s"), Arguments.of("15s", 15_000L, "15s"), Arguments.of("1h30m", 5_400_000L, "1h30m"),
                Arguments.of("90m", 5_400_000L, "1h30m"), Arguments.of("500ms", 500L, "500ms"), Arguments.of("1d", 86_400_000L, "1d"),
                Arguments.of("2w", 14 * 86_400_000L, "2w"), Arguments.of("90d", 90 * 86_400_000L, "90d"),
                Arguments.of("1y", 365 * 86_400_000L, "1y"), Arguments.of("1m1s1ms", 61_001L, "1m1s1ms"));
    }

    @ParameterizedTest
    @MethodSource("durations")
    void prometheus_durations_parse_and_format(String text, long ms, String formatted) {
        assertEquals(ms, PromDuration.parseMs(text));
        assertEquals(formatted, PromDuration.format(ms));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "15", "1.5s", "1s1h", "1h1h", "-1s", "1 s", "1S", "s", "1µs"})
    void invalid_durations_are_rejected(String text) {
        assertThrows(IllegalArgumentException.class, () -> PromDuration.parseMs(text));
    }

    static Stream<Arguments> sizes() {
        return Stream.of(Arguments.of("0", 0L), Arguments.of("100B", 100L), Arguments.of("1KB", 1024L), Arguments.of("1KiB", 1024L),
                Arguments.of("10MB", 10L << 20), Arguments.of("1.5GB", 3L << 29), Arguments.of("1GB512MB", (1L << 30) + (512L << 20)));
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void base2_sizes_parse(String text, long bytes) {
        assertEquals(bytes, ByteSize.parse(text));
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void sizes_print_in_the_largest_whole_unit_and_read_back(String text, long bytes) {
        String printed = ByteSize.format(bytes);
        assertEquals(bytes, ByteSize.parse(printed), printed);
        assertEquals(switch (text) {
            case "0" -> "0B";
            case "1KB", "1KiB" -> "1KiB";
            case "10MB" -> "10MiB";
            case "1.5GB" -> "1536MiB";
            case "1GB512MB" -> "1536MiB";
            default -> text;
        }, printed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "1XB", "MB", "1kb"})
    void invalid_sizes_are_rejected(String text) {
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text));
    }
}
