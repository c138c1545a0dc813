package dev.vigil.ingest.config;

/**
 * Prometheus's duration syntax ({@code model.ParseDuration}): units {@code y w d h m s ms} in that
 * order, each at most once, integers only, e.g. {@code 1h30m}, {@code 15s}, {@code 0}. A year is 365
 * days, a week 7 days.
 */
public final class PromDuration {
    private PromDuration() {}

    private static final String[] UNITS = {"y", "w", "d", "h", "m", "s", "ms"};
    private static final long[] UNIT_MS = {365L * 86_400_000L, 7L * 86_400_000L, 86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};

    /**
     * Parses a duration into milliseconds.
     *
     * @throws IllegalArgumentException with Prometheus's message ({@code not a valid duration string: "x"})
     */
    public static long parseMs(String s) {
        if (s.isEmpty()) throw new IllegalArgumentException("empty duration string");
        if (s.equals("0")) return 0; // the only unitless spelling Prometheus allows
        long total = 0;
        int pos = 0;
        int nextUnit = 0;
        while (pos < s.length()) {
            int ds = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') pos++;
            if (pos == ds) throw invalid(s);
            int us = pos;
            while (pos < s.length() && Character.isLetter(s.charAt(pos))) pos++;
            String unit = s.substring(us, pos);
            int u = -1;
            for (int i = nextUnit; i < UNITS.length; i++) {
                if (UNITS[i].equals(unit)) {
                    u = i;
                    break;
                }
            }
            if (u < 0) throw invalid(s);
            nextUnit = u + 1;
            long n;
            try {
                n = Long.parseLong(s, ds, us, 10);
                total = Math.addExact(total, Math.multiplyExact(n, UNIT_MS[u]));
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("duration out of range");
            }
        }
        // Go's time.Duration is int64 nanoseconds.
        if (total > Long.MAX_VALUE / 1_000_000L) throw new IllegalArgumentException("duration out of range");
        return total;
    }

    private static IllegalArgumentException invalid(String s) {
        return new IllegalArgumentException("not a valid duration string: \"" + s + "\"");
    }

    /** Formats like Prometheus ({@code model.Duration.String}): {@code 1h30m}, {@code 15s}, {@code 0s}. */
    public static String format(long ms) {
        if (ms == 0) return "0s";
        StringBuilder sb = new StringBuilder();
        long rest = ms;
        for (int i = 0; i < UNITS.length; i++) {
            // As Prometheus: years and weeks only when they divide the rest exactly (90d, not 12w6d).
            if ((i == 0 || i == 1) && rest % UNIT_MS[i] != 0) continue;
            long n = rest / UNIT_MS[i];
            if (n > 0) {
                sb.append(n).append(UNITS[i]);
                rest -= n * UNIT_MS[i];
            }
        }
        return sb.toString();
    }
}
