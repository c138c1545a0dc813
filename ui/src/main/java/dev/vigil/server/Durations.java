package dev.vigil.server;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Prometheus duration ("1h30m", "15d", "2w") and byte size ("512MB", "10GB") syntax. */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|y|w|d|h|m|s)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)(B|KB|MB|GB|TB|PB|EB)?");

    private Durations() {}

    public static long parse(String s) {
        if (s.equals("0")) return 0;
        Matcher m = PART.matcher(s);
        long total = 0;
        int pos = 0;
        while (m.find() && m.start() == pos) {
            long n = Long.parseLong(m.group(1));
            total += n * switch (m.group(2)) {
                case "ms" -> 1L;
                case "s" -> 1000L;
                case "m" -> 60_000L;
                case "h" -> 3_600_000L;
                case "d" -> 86_400_000L;
                case "w" -> 7 * 86_400_000L;
                default -> 365 * 86_400_000L;
            };
            pos = m.end();
        }
        if (pos != s.length() || s.isEmpty()) throw new IllegalArgumentException("not a valid duration string: \"" + s + "\"");
        return total;
    }

    public static long parseBytes(String s) {
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) throw new IllegalArgumentException("not a valid byte size: \"" + s + "\"");
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        int shift = switch (unit) {
            case "B" -> 0;
            case "KB" -> 10;
            case "MB" -> 20;
            case "GB" -> 30;
            case "TB" -> 40;
            case "PB" -> 50;
            default -> 60;
        };
        return n << shift;
    }
}
