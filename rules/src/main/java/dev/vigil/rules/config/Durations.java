package dev.vigil.rules.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Prometheus durations ({@code 1d2h30m}, {@code 90s}, {@code 500ms}) as used in rule files; values in millis. */
public final class Durations {
    private Durations() {}

    private static final Pattern DURATION = Pattern.compile(
            "^(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?$");
    private static final long[] UNIT_MS = {365L * 86_400_000L, 7L * 86_400_000L, 86_400_000L, 3_600_000L, 60_000L,
        1_000L, 1L};

    /** Parses like Prometheus's model.ParseDuration. @throws IllegalArgumentException with Prometheus's message */
    public static long parseMs(String s) {
        if (s.equals("0")) return 0;
        Matcher m = DURATION.matcher(s);
        if (s.isEmpty() || !m.matches()) throw new IllegalArgumentException("not a valid duration string: \"" + s + "\"");
        long total = 0;
        for (int g = 1; g <= 7; g++) {
            String part = m.group(g);
            if (part == null) continue;
            total = Math.addExact(total, Math.multiplyExact(Long.parseLong(part), UNIT_MS[g - 1]));
        }
        return total;
    }

    /** Formats like Prometheus's model.Duration.String ({@code 1h30m}, {@code 0s}). */
    public static String format(long ms) {
        if (ms == 0) return "0s";
        StringBuilder b = new StringBuilder();
        String[] names = {"y", "w", "d", "h", "m", "s", "ms"};
        long rest = ms;
        for (int i = 0; i < UNIT_MS.length; i++) {
            long n = rest / UNIT_MS[i];
            if (n > 0) {
                b.append(n).append(names[i]);
                rest -= n * UNIT_MS[i];
            }
        }
        return b.toString();
    }
}
