package dev.vigil.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dashboards' JSON reader and writer: values, escapes, round trip, and where errors are. */
class DashboardJsonTest {
    @Test
    void parse_readsEveryKindOfValue() {
        Object v = DashboardJson.parse("\uFEFF {\"s\": \"a\\\"b\\u00e9\\n\", \"n\": -1.5e3, \"t\": true, \"f\": false, \"z\": null, \"a\": [1, [], {}]}");
        Map<String, Object> expected = new java.util.LinkedHashMap<>();
        expected.put("s", "a\"bé\n");
        expected.put("n", new BigDecimal("-1.5e3"));
        expected.put("t", true);
        expected.put("f", false);
        expected.put("z", null);
        expected.put("a", Arrays.asList(new BigDecimal("1"), List.of(), Map.of()));
        assertEquals(expected, v);
    }

    @Test
    void write_thenParse_isTheSameValue() {
        String text = "{\"a\":[1,2.50,\"x\\ty\",null,{\"b\":false}],\"c\":\"\\u2028\"}";
        Object v = DashboardJson.parse(text);
        assertEquals(v, DashboardJson.parse(DashboardJson.write(v, true)));
        assertEquals("{\"a\":[1,2.50,\"x\\ty\",null,{\"b\":false}],\"c\":\"\\u2028\"}", DashboardJson.write(v, false));
        assertEquals("{\n  \"a\": [\n    1\n  ],\n  \"e\": {}\n}", DashboardJson.write(DashboardJson.parse("{\"a\":[1],\"e\":{}}"), true));
    }

    @Test
    void parse_error_givesLineAndColumn() {
        var e = assertThrows(DashboardJson.SyntaxException.class, () -> DashboardJson.parse("{\n  \"a\": 1\n  \"b\": 2\n}"));
        assertEquals(3, e.line());
        assertEquals(3, e.column());
        assertEquals("invalid JSON at line 3, column 3: unexpected '\"', expected ',' or '}' after the value of \"a\"", e.getMessage());
    }

    @Test
    void parse_unclosedString_pointsAtItsStart() {
        var e = assertThrows(DashboardJson.SyntaxException.class, () -> DashboardJson.parse("{\"a\": \"open"));
        assertEquals("invalid JSON at line 1, column 7: the string starting here is never closed", e.getMessage());
    }

    @Test
    void parse_deepNesting_isAnErrorNotAStackOverflow() {
        var e = assertThrows(DashboardJson.SyntaxException.class, () -> DashboardJson.parse("[".repeat(100_000)));
        assertEquals("invalid JSON at line 1, column 258: nested more than 256 levels deep", e.getMessage());
    }
}
