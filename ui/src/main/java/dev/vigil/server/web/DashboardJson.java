package dev.vigil.server.web;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;
import java.util.Map;

/**
 * JSON as plain values (dashboard models, live-update messages), read and written with Jackson: objects become insertion-ordered
 * {@code Map<String, Object>}, arrays {@code List<Object>}, numbers {@code Integer}/{@code Long}/
 * {@code BigInteger} or {@code BigDecimal} (so a model read and written back keeps every number's
 * digits), plus {@code String}, {@code Boolean} and {@code null}. Strict JSON: no comments, no
 * trailing commas, no duplicate keys, one value filling the text.
 */
public final class DashboardJson {
    /** Deeper than any real dashboard; a hostile upload gets an error, not a stack overflow. */
    static final int MAX_DEPTH = 256;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build());
    }

    private DashboardJson() {}

    /** Malformed JSON: what is wrong, and where (1-based line and column). */
    public static final class SyntaxException extends RuntimeException {
        private final int line;
        private final int column;

        SyntaxException(String message, int line, int column) {
            super("invalid JSON at line " + line + ", column " + column + ": " + message, null, false, false);
            this.line = line;
            this.column = column;
        }

        public int line() {
            return line;
        }

        public int column() {
            return column;
        }
    }

    /**
     * Reads one JSON value that must fill the whole text (whitespace around it aside).
     *
     * @throws SyntaxException naming the line and column of the first problem
     */
    public static Object parse(String text) {
        String t = text.startsWith("\uFEFF") ? text.substring(1) : text; // editors on Windows save a BOM
        if (t.isBlank()) throw new SyntaxException("the text is empty, expected a JSON object", 1, 1);
        try {
            return MAPPER.readValue(t, Object.class);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String why = e.getOriginalMessage();
            int cut = why.indexOf("\n at [Source");
            return throwAt(cut > 0 ? why.substring(0, cut) : why, at);
        }
    }

    private static Object throwAt(String message, JsonLocation at) {
        int line = at == null ? 1 : Math.max(1, at.getLineNr());
        int column = at == null ? 1 : Math.max(1, at.getColumnNr());
        // Jackson names the source it does not show and repeats positions in brackets; the line and column lead already
        String clean = message.replace("\n", " ")
                .replaceAll(" \\(for (\\w+) starting at \\[Source: [^]]*; line: (\\d+), column: (\\d+)]\\)", " (for the $1 starting at line $2, column $3)")
                .replaceAll("\\s*\\[Source: [^]]*]", "")
                .replaceAll("^Trailing token \\(of type (\\w+)\\) found after value.*", "more data after the end of the JSON value");
        throw new SyntaxException(clean, line, column);
    }

    /** The value as JSON, indented by two spaces when {@code pretty}. */
    public static String write(Object value, boolean pretty) {
        try {
            if (!pretty) return MAPPER.writeValueAsString(value);
            DefaultPrettyPrinter pp = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"))
                    .withArrayIndenter(new DefaultIndenter("  ", "\n"))
                    .withSeparators(com.fasterxml.jackson.core.util.Separators.createDefaultInstance()
                            .withObjectFieldValueSpacing(com.fasterxml.jackson.core.util.Separators.Spacing.AFTER)
                            .withObjectEmptySeparator("").withArrayEmptySeparator(""));
            return MAPPER.writer(pp).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON value: " + e.getOriginalMessage(), e);
        }
    }

    /** "an object", "a string", ...: how messages name the JSON type of a parsed value. */
    public static String typeName(Object v) {
        if (v == null) return "null";
        if (v instanceof Map) return "an object";
        if (v instanceof List) return "an array";
        if (v instanceof String) return "a string";
        if (v instanceof Boolean) return "a boolean";
        return "a number";
    }
}
