package dev.vigil.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dashboards' JSON reading and writing: values, escapes, round trip, and where errors are. */
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
        expected.put("a", Arrays.asList(1, List.of(), Map.of()));
        assertEquals(expected, v);
    }

    @Test
    void write_thenParse_isTheSameValue() {
        String text = "{\"a\":[1,2.50,\"x\\ty\",null,{\"b\":false}],\"c\":\"é\"}";
        Object v = DashboardJson.parse(text);
        assertEquals(v, DashboardJson.parse(DashboardJson.write(v, true)));
        assertEquals(text, DashboardJson.write(v, false), "every number keeps its digits");
        assertEquals("{\n  \"a\": [\n    1\n  ],\n  \"e\": {}\n}", DashboardJson.write(DashboardJson.parse("{\"a\":[1],\"e\":{}}"), true));
    }

    @Test
    void parse_error_givesLineAndColumn() {
        var e = assertThrows(DashboardJson.SyntaxException.class, () -> DashboardJson.parse("{\n  \"a\": 1\n  \"b\": 2\n}"));
        assertEquals(3, e.line());
        assertEquals(3, e.column());
        assertTrue(e.getMessage().startsWith("invalid JSON at line 3, column 3: Unexpected character ('\"'"), e.getMessage());
    }

    @Test
    void parse_rejectsWhatIsNotStrictJson() {
        for (String bad : List.of("{\"a\": 1,}", "{'a': 1}", "{\"a\": 1} {}", "// c\n{}", "{\"a\": 1, \"a\": 2}", "", "  ")) {
            assertThrows(DashboardJson.SyntaxException.class, () -> DashboardJson.parse(bad), bad);
        }
    }

    @Test
    void parse_deepNesting_isAnErrorNotAStackOverflow() {
        var e = assertThrows(DashboardJson.SyntaxException.class, () -> DashboardJson.parse("[".repeat(100_000)));
        assertTrue(e.getMessage().contains("nesting depth"), e.getMessage());
    }
}
