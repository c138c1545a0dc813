package dev.vigil.ingest.config;

import java.math.BigDecimal;

/**
 * Base-2 byte sizes as Prometheus reads them ({@code units.Base2Bytes}): {@code 512KB}, {@code 10MiB},
 * {@code 1.5GB}, {@code 0}; KB and KiB both mean 1024 bytes.
 */
public final class ByteSize {
    private ByteSize() {}

    /** A byte count in the largest binary unit that divides it, as Prometheus prints sizes: {@code 512MiB}, {@code 1000B}. */
    public static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        int u = 0;
        while (u < units.length - 1 && bytes != 0 && bytes % 1024 == 0) {
            bytes /= 1024;
            u++;
        }
        return bytes + units[u];
    }

    /**
     * Parses a size into bytes.
     *
     * @throws IllegalArgumentException naming the input
     */
    public static long parse(String s) {
        if (s.equals("0")) return 0;
        if (s.isEmpty()) throw invalid(s);
        BigDecimal total = BigDecimal.ZERO;
        int pos = 0;
        while (pos < s.length()) {
            int ns = pos;
            while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) pos++;
            if (pos == ns) throw invalid(s);
            int us = pos;
            while (pos < s.length() && Character.isLetter(s.charAt(pos))) pos++;
            if (us == pos) throw new IllegalArgumentException("missing unit in byte size \"" + s + "\"");
            long mult = switch (s.substring(us, pos)) {
                case "B" -> 1L;
                case "KB", "KiB" -> 1L << 10;
                case "MB", "MiB" -> 1L << 20;
                case "GB", "GiB" -> 1L << 30;
                case "TB", "TiB" -> 1L << 40;
                case "PB", "PiB" -> 1L << 50;
                case "EB", "EiB" -> 1L << 60;
                default -> throw new IllegalArgumentException("unknown unit \"" + s.substring(us, pos) + "\" in byte size \"" + s + "\"");
            };
            BigDecimal n;
            try {
                n = new BigDecimal(s.substring(ns, us));
            } catch (NumberFormatException e) {
                throw invalid(s);
            }
            total = total.add(n.multiply(BigDecimal.valueOf(mult)));
        }
        if (total.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) throw new IllegalArgumentException("byte size out of range \"" + s + "\"");
        return total.longValue();
    }

    private static IllegalArgumentException invalid(String s) {
        return new IllegalArgumentException("invalid byte size \"" + s + "\"");
    }
}
