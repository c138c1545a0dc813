package dev.vigil.server.api;

import dev.vigil.query.ast.Expr;
import dev.vigil.query.ast.VectorSelector;
import dev.vigil.query.parse.PromqlParseException;
import dev.vigil.query.parse.PromqlParser;
import dev.vigil.server.Durations;
import dev.vigil.tsdb.Matcher;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Parameter parsing with Prometheus's rules and error messages ({@code web/api/v1/api.go}). */
public final class Params {
    /** Prometheus's {@code MinTime} and {@code MaxTime} (the widest times its API accepts), in ms. */
    public static final long MIN_TIME = (Long.MIN_VALUE / 1000 + 62135596801L) * 1000;
    public static final long MAX_TIME = (Long.MAX_VALUE / 1000 - 62135596801L) * 1000 + 999;
    static final String MIN_TIME_FORMATTED = "-292273086-05-16T16:47:06Z";
    static final String MAX_TIME_FORMATTED = "292277025-08-18T07:12:54.999999999Z";

    private Params() {}

    /** Float seconds or RFC 3339, to epoch ms; Prometheus rounds the fraction to milliseconds. */
    public static long parseTime(String s) {
        try {
            double d = Double.parseDouble(s);
            if (!s.isBlank() && !s.endsWith("d") && !s.endsWith("f") && !s.endsWith("D") && !s.endsWith("F")) {
                if (Double.isNaN(d) || Double.isInfinite(d)) throw new NumberFormatException();
                double sec = d < 0 ? Math.ceil(d) : Math.floor(d);
                double frac = Math.round((d - sec) * 1000) / 1000.0;
                return (long) sec * 1000 + Math.round(frac * 1000);
            }
        } catch (NumberFormatException e) {
            // not a number: try RFC 3339
        }
        try {
            OffsetDateTime t = OffsetDateTime.parse(s);
            return t.toInstant().toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            // fall through
        }
        if (s.equals(MIN_TIME_FORMATTED)) return MIN_TIME;
        if (s.equals(MAX_TIME_FORMATTED)) return MAX_TIME;
        throw new IllegalArgumentException("cannot parse \"" + s + "\" to a valid timestamp");
    }

    /** A time parameter, or {@code dflt} when absent. */
    public static long time(String value, String name, long dflt) {
        if (value == null || value.isEmpty()) return dflt;
        try {
            return parseTime(value);
        } catch (IllegalArgumentException e) {
            throw ApiError.badData("invalid time value for '" + name + "': " + e.getMessage());
        }
    }

    /** Float seconds or a Prometheus duration, to ms. */
    public static long parseDuration(String s) {
        try {
            double d = Double.parseDouble(s);
            if (!Double.isNaN(d) && !s.endsWith("d") && !s.endsWith("f") && !s.endsWith("D") && !s.endsWith("F")) {
                double ms = d * 1000;
                if (ms > Long.MAX_VALUE / 1_000_000.0 || ms < Long.MIN_VALUE / 1_000_000.0) {
                    throw new IllegalArgumentException("cannot parse \"" + s + "\" to a valid duration. It overflows int64");
                }
                return Math.round(ms);
            }
        } catch (NumberFormatException e) {
            // a duration string
        }
        try {
            return Durations.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot parse \"" + s + "\" to a valid duration");
        }
    }

    /** A {@code limit} parameter: 0 (no limit) when absent. */
    public static int limit(String value) {
        if (value == null || value.isEmpty()) return 0;
        try {
            int n = Integer.parseInt(value);
            if (n < 0) throw ApiError.badData("limit must be non-negative");
            return n;
        } catch (NumberFormatException e) {
            throw ApiError.badData("cannot parse \"" + value + "\": invalid syntax");
        }
    }

    /** The matcher sets of {@code match[]} values, each a series selector. */
    public static List<Matcher[]> matchers(List<String> values) {
        List<Matcher[]> out = new ArrayList<>(values.size());
        for (String v : values) {
            Expr e;
            try {
                e = PromqlParser.parse(v);
            } catch (PromqlParseException ex) {
                throw ApiError.badData(ex.getMessage());
            }
            if (!(e instanceof VectorSelector vs)) {
                throw ApiError.badData("invalid parameter \"match[]\": expected a series selector, got " + v);
            }
            if (vs.offsetMs() != 0 || vs.at() != null) {
                throw ApiError.badData("invalid parameter \"match[]\": a series selector has no offset or @ modifier: " + v);
            }
            out.add(vs.matchers().toArray(Matcher[]::new));
        }
        return out;
    }

    /**
     * A label name from a URL path: Prometheus 3.x's {@code U__} escaping spells UTF-8 names in
     * legacy characters ({@code U__a_2e_b} is {@code a.b}; {@code __} is {@code _}).
     */
    public static String unescapeLabelName(String name) {
        if (!name.startsWith("U__")) return name;
        String s = name.substring(3);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '_') {
                sb.append(c);
                continue;
            }
            if (i + 1 < s.length() && s.charAt(i + 1) == '_') {
                sb.append('_');
                i++;
                continue;
            }
            int close = s.indexOf('_', i + 1);
            if (close < 0) return name; // not a valid escape: take it literally, as Prometheus does
            try {
                sb.appendCodePoint(Integer.parseInt(s.substring(i + 1, close), 16));
            } catch (IllegalArgumentException e) {
                return name;
            }
            i = close;
        }
        return sb.toString();
    }
}
