package dev.vigil.query.parse;

import dev.vigil.query.ast.Printer;
import java.math.BigInteger;
import java.util.regex.Pattern;

/** Go-compatible decoding of PromQL literals: strings, numbers and durations. Stateless. */
final class Literals {
    private static final Pattern DURATION = Pattern.compile(
            "(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?");
    private static final long[] UNIT_MS = {365L * 24 * 3600 * 1000, 7L * 24 * 3600 * 1000, 24L * 3600 * 1000,
        3600L * 1000, 60L * 1000, 1000L, 1L};

    private Literals() {
    }

    /** Thrown for a literal Go would reject; the message is Prometheus's. */
    static final class BadLiteral extends Exception {
        private static final long serialVersionUID = 1L;

        BadLiteral(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Decodes a quoted string token as Prometheus's {@code strutil.Unquote}: Go escapes in {@code "..."} and
     * {@code '...'}, none in raw {@code `...`}.
     */
    static String unquote(String token) throws BadLiteral {
        char quote = token.charAt(0);
        String body = token.substring(1, token.length() - 1);
        if (quote == '`') {
            return body.replace("\r", "");
        }
        var sb = new StringBuilder(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c == quote || c == '\n') {
                throw invalid(token);
            }
            if (c != '\\') {
                sb.append(c);
                i++;
                continue;
            }
            if (i + 1 >= body.length()) {
                throw invalid(token);
            }
            char e = body.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'v' -> sb.append('\u000b');
                case '\\' -> sb.append('\\');
                case '\'', '"' -> {
                    if (e != quote) {
                        throw invalid(token);
                    }
                    sb.append(e);
                }
                case 'x', 'u', 'U' -> {
                    int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (i + n > body.length()) {
                        throw invalid(token);
                    }
                    int v = 0;
                    for (int k = 0; k < n; k++) {
                        int d = Character.digit(body.charAt(i + k), 16);
                        if (d < 0) {
                            throw invalid(token);
                        }
                        v = v * 16 + d;
                    }
                    i += n;
                    if (e == 'x') {
                        // Go puts the raw byte in the string; only ASCII bytes are valid UTF-8 on their own.
                        if (v >= 0x80) {
                            throw invalid(token);
                        }
                        sb.append((char) v);
                    } else {
                        if (v < 0 || v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF)) {
                            throw invalid(token);
                        }
                        sb.appendCodePoint(v);
                    }
                }
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    if (i + 2 > body.length()) {
                        throw invalid(token);
                    }
                    int v = e - '0';
                    for (int k = 0; k < 2; k++) {
                        int d = body.charAt(i + k) - '0';
                        if (d < 0 || d > 7) {
                            throw invalid(token);
                        }
                        v = v * 8 + d;
                    }
                    i += 2;
                    if (v >= 0x80) {
                        throw invalid(token);
                    }
                    sb.append((char) v);
                }
                default -> throw invalid(token);
            }
        }
        return sb.toString();
    }

    private static BadLiteral invalid(String token) {
        return new BadLiteral("error unquoting string " + Printer.quote(token) + ": invalid syntax");
    }

    /** A number token as Prometheus reads it: Go's {@code ParseInt(s, 0, 64)}, else {@code ParseFloat(s, 64)}. */
    static double number(String s) throws BadLiteral {
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("inf")) {
            return Double.POSITIVE_INFINITY;
        }
        if (lower.equals("nan")) {
            return Double.NaN;
        }
        try {
            BigInteger v;
            if (lower.startsWith("0x")) {
                v = new BigInteger(lower.substring(2), 16);
            } else if (lower.length() > 1 && lower.startsWith("0") && lower.chars().allMatch(Character::isDigit)) {
                v = new BigInteger(lower.substring(1), 8); // Go's base-0 ParseInt reads a leading 0 as octal
            } else {
                v = new BigInteger(lower, 10);
            }
            if (v.bitLength() < 64) {
                return v.longValue();
            }
        } catch (NumberFormatException e) {
            // not an integer; try a float as Prometheus does
        }
        if (!lower.startsWith("0x")) {
            try {
                return Double.parseDouble(lower);
            } catch (NumberFormatException e) {
                // fall through to the error
            }
        }
        throw new BadLiteral("error parsing number: strconv.ParseFloat: parsing " + Printer.quote(s)
                + ": invalid syntax");
    }

    /** A duration token such as {@code 1h30m} in milliseconds, as Prometheus's {@code model.ParseDuration}. */
    static long durationMs(String s) throws BadLiteral {
        var m = DURATION.matcher(s);
        if (s.isEmpty() || !m.matches()) {
            throw new BadLiteral("not a valid duration string: " + Printer.quote(s));
        }
        long total = 0;
        for (int g = 1; g <= 7; g++) {
            String part = m.group(g);
            if (part == null) {
                continue;
            }
            try {
                long n = Long.parseLong(part);
                total = Math.addExact(total, Math.multiplyExact(n, UNIT_MS[g - 1]));
            } catch (ArithmeticException | NumberFormatException e) {
                throw new BadLiteral("duration out of range");
            }
        }
        // Go's time.Duration counts nanoseconds in an int64.
        if (total > Long.MAX_VALUE / 1_000_000) {
            throw new BadLiteral("duration out of range");
        }
        return total;
    }
}
