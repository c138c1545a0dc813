package dev.vigil.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MatcherTest {
    record Case(Matcher.Type type, String value, String input, boolean matches) {}

    static Stream<Case> cases() {
        return Stream.of(
                new Case(Matcher.Type.EQUAL, "foo", "foo", true),
                new Case(Matcher.Type.EQUAL, "foo", "foobar", false),
                new Case(Matcher.Type.EQUAL, "", "", true),
                new Case(Matcher.Type.NOT_EQUAL, "foo", "bar", true),
                new Case(Matcher.Type.NOT_EQUAL, "foo", "", true),
                new Case(Matcher.Type.REGEX, "foo", "foobar", false), // fully anchored
                new Case(Matcher.Type.REGEX, "foo.*", "foobar", true),
                new Case(Matcher.Type.REGEX, ".*bar", "foobar", true),
                new Case(Matcher.Type.REGEX, "a|b", "b", true),
                new Case(Matcher.Type.REGEX, "a|b", "ab", false),
                new Case(Matcher.Type.REGEX, ".*", "", true),
                new Case(Matcher.Type.REGEX, ".+", "", false),
                new Case(Matcher.Type.REGEX, "a.b", "a\nb", true), // . matches newline (Prometheus 3.x)
                new Case(Matcher.Type.NOT_REGEX, "5..", "500", false),
                new Case(Matcher.Type.NOT_REGEX, "5..", "200", true),
                new Case(Matcher.Type.NOT_REGEX, "5..", "", true));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matches_like_prometheus(Case c) {
        Matcher m = Matcher.of(c.type(), "l", c.value());
        assertEquals(c.matches(), m.matches(c.input()), m + " on '" + c.input() + "'");
    }

    @Test
    void bad_regex_names_label_and_pattern() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Matcher.regex("path", "a("));
        assertTrue(e.getMessage().contains("name=path") && e.getMessage().contains("regex=a("), e.getMessage());
    }

    @Test
    void hostile_regex_runs_in_linear_time() {
        Matcher m = Matcher.regex("l", "(a+)+$");
        String input = "a".repeat(50_000) + "!";
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> m.matches(input));
    }
}
