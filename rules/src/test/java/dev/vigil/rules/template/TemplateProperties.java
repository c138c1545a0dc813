package dev.vigil.rules.template;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.List;
import java.util.Map;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import org.junit.jupiter.api.Test;

/**
 * Any annotation text, however broken, gives an expansion or a Prometheus-style error text: nothing escapes as an
 * unexpected exception that could abort a rule load or a group evaluation. And Go float printing is shortest
 * round-trip, like strconv.
 */
class TemplateProperties {
    private static final String[] PIECES = {"{{", "}}", "{{-", "-}}", " ", "$labels", "$value", ".Labels", ".", "x",
        "\"", "\"a\\", "\\x", "\\u12", "`", "(", ")", "|", "humanize", "printf", "\"%d %s %.2f %\"", "if", "else",
        "end", "range", "with", "$x", ":=", "=", ",", "1", "-1.5e3", "0x1F", "'a'", "query", "first", "index",
        "eq", "and", "not", "len", "/*", "*/", "break", "\n", "nil", "true", "$labels.job.x", "title", "}", "{"};

    static Gen<String> templates() {
        return lists().of(Generate.pick(List.of(PIECES))).ofSizeBetween(0, 25)
                .map(l -> String.join("", l));
    }

    @Test
    void anyText_parsesOrFailsWithTemplateException_andExpansionNeverThrows() {
        qt().withExamples(3000).forAll(templates()).checkAssert(text -> {
            try {
                Template t = Template.parse("t", text, Expander.FUNCTION_NAMES);
                t.execute(new Expander.AlertData(Map.of("job", "a"), Map.of(), "", 1.5),
                        Expander.functions(0, "", (q, ts) -> List.of()));
            } catch (TemplateException expected) {
                // a Go-style error is fine; a Java exception caught by the safety net is a lexer/executor bug
                if (expected.getMessage().contains("java.lang.")) throw new AssertionError(text, expected);
            }
            // the rule-facing entry point never throws
            Expander.expandAlert("R", text, new Expander.AlertData(Map.of(), Map.of(), "", 2), 0, (q, ts) -> List.of());
        });
    }

    @Test
    void shortestFloatFormatting_roundTrips() {
        qt().withExamples(5000).forAll(doubles().any()).check(v -> {
            if (Double.isNaN(v) || Double.isInfinite(v)) return true;
            String g = GoFmt.formatFloat(v, 'g', -1);
            String e = GoFmt.formatFloat(v, 'e', -1);
            return Double.parseDouble(g) == v && Double.parseDouble(e) == v;
        });
    }

    @Test
    void precisionFormatting_hasRequestedDigits() {
        qt().withExamples(2000).forAll(doubles().between(-1e12, 1e12), integers().between(0, 10)).check((v, p) -> {
            String f = GoFmt.formatFloat(v, 'f', p);
            int dot = f.indexOf('.');
            return p == 0 ? dot < 0 : f.length() - dot - 1 == p;
        });
    }
}
