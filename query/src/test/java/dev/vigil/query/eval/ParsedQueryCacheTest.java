package dev.vigil.query.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vigil.query.ast.Printer;
import dev.vigil.query.parse.QueryTimes;
import org.junit.jupiter.api.Test;

class ParsedQueryCacheTest {
    @Test
    void same_text_is_parsed_once() {
        ParsedQueryCache c = new ParsedQueryCache(100);
        var a = c.parse("sum(rate(x_total[5m]))", QueryTimes.instant(1000));
        var b = c.parse("sum(rate(x_total[5m]))", QueryTimes.instant(2000));
        assertSame(a, b);
        assertEquals(1, c.hits());
    }

    @Test
    void step_dependent_queries_are_keyed_by_parameters() {
        ParsedQueryCache c = new ParsedQueryCache(100);
        var a = c.parse("x[step()]", new QueryTimes(0, 60_000, 15_000));
        var b = c.parse("x[step()]", new QueryTimes(0, 60_000, 30_000));
        assertEquals("x[15s]", Printer.print(a));
        assertEquals("x[30s]", Printer.print(b));
        assertNotEquals(a, b);
    }

    @Test
    void syntax_errors_are_bad_data_and_not_cached() {
        ParsedQueryCache c = new ParsedQueryCache(100);
        for (int i = 0; i < 2; i++) {
            var e = assertThrows(QueryException.class, () -> c.parse("sum(", QueryTimes.NONE));
            assertEquals(QueryException.Kind.BAD_DATA, e.kind());
        }
        assertEquals(0, c.hits());
    }
}
