package dev.vigil.tsdb.block;

import java.security.SecureRandom;

/**
 * ULIDs as block directory names, compatible with Prometheus's (oklog/ulid): 26 characters of
 * Crockford base32 encoding 128 bits, a 48-bit millisecond timestamp followed by 80 random bits.
 * Lexical order of the strings is time order, so sorted directory listings are sorted blocks.
 *
 * <p>Generation is monotonic within this process, like Prometheus's use of
 * {@code ulid.Monotonic}: ULIDs made in the same millisecond increment the random part, so they
 * stay strictly increasing. Thread-safe.
 */
public final class Ulid {
    /** Length of a ULID string. */
    public static final int LENGTH = 26;

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final byte[] DECODE = new byte[128];
    private static final SecureRandom RANDOM = new SecureRandom();

    static {
        java.util.Arrays.fill(DECODE, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET[i]] = (byte) i;
    }

    // guarded by Ulid.class
    private static long lastMs = -1;
    private static long lastRandHi; // high 16 of the 80 random bits
    private static long lastRandLo; // low 64

    private Ulid() {}

    /** A new ULID for the current wall-clock time. */
    public static String next() {
        return next(System.currentTimeMillis());
    }

    /**
     * A new ULID for {@code timeMs}, strictly greater than any earlier one from this process when
     * {@code timeMs} does not go backwards.
     *
     * @throws IllegalArgumentException when {@code timeMs} does not fit 48 bits
     */
    public static synchronized String next(long timeMs) {
        checkTime(timeMs);
        if (timeMs == lastMs) {
            lastRandLo++;
            if (lastRandLo == 0) {
                lastRandHi = (lastRandHi + 1) & 0xFFFF;
                // 2^80 ULIDs in one millisecond: cannot happen, but never wrap silently
                if (lastRandHi == 0) throw new IllegalStateException("ulid entropy exhausted [timeMs=" + timeMs + "]");
            }
        } else {
            lastMs = timeMs;
            lastRandHi = RANDOM.nextInt() & 0xFFFF;
            lastRandLo = RANDOM.nextLong();
        }
        return of(timeMs, lastRandHi, lastRandLo);
    }

    /** The ULID with the given timestamp and random bits ({@code randHi16}'s low 16 bits, then {@code randLo64}). */
    public static String of(long timeMs, long randHi16, long randLo64) {
        checkTime(timeMs);
        long hi = (timeMs << 16) | (randHi16 & 0xFFFF); // 64 most significant bits of the 128
        long lo = randLo64;
        char[] out = new char[LENGTH];
        // 128 bits in 26 5-bit digits = 130 bits: the first digit carries only 3 bits
        for (int i = LENGTH - 1; i >= 0; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo = (lo >>> 5) | (hi << 59);
            hi >>>= 5;
        }
        return new String(out);
    }

    private static void checkTime(long timeMs) {
        if (timeMs < 0 || timeMs >= (1L << 48)) {
            throw new IllegalArgumentException("ulid timestamp out of range [timeMs=" + timeMs + "]");
        }
    }

    /**
     * True when {@code s} is a canonical (upper-case) ULID: 26 Crockford base32 digits whose
     * value fits 128 bits (first digit at most {@code 7}).
     */
    public static boolean isValid(String s) {
        if (s == null || s.length() != LENGTH) return false;
        for (int i = 0; i < LENGTH; i++) {
            char c = s.charAt(i);
            if (c >= 128 || DECODE[c] < 0) return false;
        }
        return s.charAt(0) <= '7';
    }

    /**
     * The timestamp, epoch milliseconds, of a valid ULID.
     *
     * @throws IllegalArgumentException when {@code s} is not a valid ULID
     */
    public static long timestampMs(String s) {
        if (!isValid(s)) throw new IllegalArgumentException("invalid ulid [ulid=" + s + "]");
        long t = 0;
        for (int i = 0; i < 10; i++) t = (t << 5) | DECODE[s.charAt(i)];
        return t; // 10 digits = 50 bits, the top 2 of which are the zero padding
    }
}
