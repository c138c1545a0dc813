package dev.vigil.tsdb.chunk;

import java.nio.ByteBuffer;

/**
 * Decodes a Prometheus XOR chunk (layout: {@code tsdb/docs/format/chunks.md}, "XOR chunk
 * encoding") from a heap array or a {@link ByteBuffer} such as a mapped file, with no allocation
 * per sample. Accepts exactly what Prometheus's {@code xorIterator} accepts for well-formed input.
 *
 * <p>{@link #seek(long)} never moves backwards; once {@link #next()} or {@link #seek(long)} has
 * returned {@link #NONE} (exhausted or {@link #corrupt()}), both keep returning it. Reusable:
 * {@code reset} re-targets it at another chunk. Not thread-safe.
 */
public final class XorIterator implements ChunkSampleIterator {
    private byte[] array;        // heap source, or null
    private byte[] copy;         // owned by this iterator, for resetCopy
    private ByteBuffer buffer;   // direct/mapped/read-only source when array is null
    private int base;            // offset of the chunk's first byte (the header)
    private long endBit;         // bits available, relative to base
    private long bitPos;         // bits consumed, relative to base
    /**
     * The next unconsumed bits, most significant first: {@code avail} of them are loaded; below those the word holds
     * zeros or further bits of the stream (loads OR whole bytes in, so re-loading a bit writes the same value).
     * Reading from a register instead of re-loading 8 bytes for every field is what makes decoding cheap.
     */
    private long word;
    private int avail;
    private int nextByte;        // the next byte to load into word, relative to base
    private int lenBytes;
    private int total;           // samples to decode
    private int read;
    private boolean done;        // NONE was returned
    private long firstT;
    private long t;
    private long delta;
    private long vBits;
    private int leading;
    private int trailing;
    private boolean window;      // a leading/trailing window has been read
    private boolean corrupt;

    @Override
    public byte encoding() {
        return Encoding.XOR;
    }

    /** Decodes the {@code len} bytes at {@code off}; the sample count comes from the header. */
    @Override
    public XorIterator reset(byte[] src, int off, int len) {
        return reset(src, off, len, -1);
    }

    /**
     * Decodes the {@code len} bytes at {@code off}, stopping after {@code numSamples} samples (or
     * the header's count when negative). Pass a count captured together with the length to read a
     * live {@link XorChunk} while appends continue: its header may already count later samples.
     */
    public XorIterator reset(byte[] src, int off, int len, int numSamples) {
        this.array = src;
        this.buffer = null;
        this.base = off;
        return init(len, numSamples);
    }

    /**
     * Decodes a copy of the first {@code len} bytes of {@code src}, kept in a buffer this iterator owns and reuses:
     * for a chunk that changes after the copy is taken (a head's open chunk, copied under its series' lock).
     */
    public XorIterator resetCopy(byte[] src, int len) {
        if (copy == null || copy.length < len) copy = new byte[Math.max(len, 2 * (copy == null ? 64 : copy.length))];
        System.arraycopy(src, 0, copy, 0, len);
        return reset(copy, 0, len, -1);
    }

    /** Decodes {@code buf} from its position to its limit; the sample count comes from the header. */
    @Override
    public XorIterator reset(ByteBuffer buf) {
        if (buf.hasArray()) {
            return reset(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining(), -1);
        }
        this.array = null;
        this.buffer = buf;
        this.base = buf.position();
        return init(buf.remaining(), -1);
    }

    private XorIterator init(int len, int numSamples) {
        this.endBit = (long) len * 8;
        this.lenBytes = len;
        this.word = 0;
        this.avail = 0;
        this.nextByte = 2;
        corrupt = false;
        if (len < 2) {
            total = 0;
            corrupt = true; // even an empty chunk has its 2-byte header
        } else {
            int header = (byteAt(0) << 8) | byteAt(1);
            total = numSamples < 0 ? header : numSamples;
        }
        bitPos = 16;
        read = 0;
        done = false;
        t = 0;
        delta = 0;
        vBits = 0;
        leading = 0;
        trailing = 0;
        window = false;
        return this;
    }

    private int byteAt(int i) {
        return array != null ? array[base + i] & 0xFF : buffer.get(base + i) & 0xFF;
    }

    private static final java.lang.invoke.VarHandle BE_LONG =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    /** The 8 bytes at {@code byteIdx} (relative to base) as a big-endian long; the caller checks they exist. */
    private long load8(int byteIdx) {
        if (array != null) return (long) BE_LONG.get(array, base + byteIdx);
        long w = buffer.getLong(base + byteIdx);
        return buffer.order() == java.nio.ByteOrder.BIG_ENDIAN ? w : Long.reverseBytes(w);
    }

    /**
     * Loads whole bytes into {@link #word} until at least 57 bits are available or the chunk ends: one 8-byte load
     * in the common case, byte by byte at the end. Afterwards fewer than 57 available bits means the chunk ends
     * there, and the word below them is zero.
     */
    private void refill() {
        int k = (64 - avail) >>> 3; // whole bytes that fit
        if (k == 0) return;
        if (nextByte + 8 <= lenBytes) {
            word |= load8(nextByte) >>> avail; // avail < 64 here since k > 0
            nextByte += k;
            avail += k << 3;
            return;
        }
        while (avail <= 56 && nextByte < lenBytes) {
            word |= (long) byteAt(nextByte++) << (56 - avail);
            avail += 8;
        }
    }

    @Override
    public boolean corrupt() {
        return corrupt;
    }

    @Override
    public int next() {
        if (done) return NONE;
        if (read >= total || corrupt) {
            done = true;
            return NONE;
        }
        try {
            if (read == 0) {
                long ux = readUvarint();
                t = (ux >>> 1) ^ -(ux & 1);
                firstT = t;
                vBits = readBits(64);
            } else if (read == 1) {
                delta = readUvarint();
                t += delta;
                readValue();
            } else {
                if (avail < 4) {
                    refill();
                    if (avail == 0) throw new IndexOutOfBoundsException();
                }
                // the dod prefix: up to four 1 bits ended by a 0 (or four 1 bits alone); past the end reads as 0
                int d = Math.min(4, Long.numberOfLeadingZeros(~word));
                int prefixBits = d < 4 ? d + 1 : 4;
                if (prefixBits > avail) throw new IndexOutOfBoundsException();
                word <<= prefixBits;
                avail -= prefixBits;
                bitPos += prefixBits;
                int sz = switch (d) {
                    case 0 -> 0;
                    case 1 -> 14;
                    case 2 -> 17;
                    case 3 -> 20;
                    default -> 64;
                };
                long dod = 0;
                if (sz != 0) {
                    long bits = readBits(sz);
                    // n-bit fields are unsigned on the wire; Prometheus's bitRange puts
                    // [-(2^(n-1)-1), 2^(n-1)] in them, so only values above 2^(n-1) are negative
                    if (sz != 64 && bits > (1L << (sz - 1))) bits -= 1L << sz;
                    dod = bits;
                }
                delta += dod;
                t += delta;
                readValue();
            }
        } catch (IndexOutOfBoundsException e) {
            // thrown by our own bounds checks only: the chunk is shorter than its header says
            corrupt = true;
            done = true;
            return NONE;
        }
        read++;
        return FLOAT;
    }

    private void readValue() {
        if (readBit() == 0) return;
        if (readBit() == 1) {
            int newLeading = (int) readBits(5);
            int sigBits = (int) readBits(6);
            if (sigBits == 0) sigBits = 64; // 64 does not fit 6 bits; 0 never occurs otherwise
            if (newLeading + sigBits > 64) throw new IndexOutOfBoundsException("bad xor window");
            leading = newLeading;
            trailing = 64 - newLeading - sigBits;
            window = true;
        }
        int sigBits = 64 - leading - trailing;
        long bits = readBits(sigBits);
        vBits ^= bits << trailing;
    }

    /** Go's {@code binary.ReadUvarint}, including its overflow rule for the 10th byte. */
    private long readUvarint() {
        long x = 0;
        int s = 0;
        for (int i = 0; i < 10; i++) {
            long b = readBits(8);
            if (b < 0x80) {
                if (i == 9 && b > 1) throw new IndexOutOfBoundsException("uvarint overflow");
                return x | (b << s);
            }
            x |= (b & 0x7F) << s;
            s += 7;
        }
        throw new IndexOutOfBoundsException("uvarint overflow");
    }

    private int readBit() {
        if (avail == 0) {
            refill();
            if (avail == 0) throw new IndexOutOfBoundsException();
        }
        int bit = (int) (word >>> 63);
        word <<= 1;
        avail--;
        bitPos++;
        return bit;
    }

    private long readBits(int n) {
        if (n == 0) return 0;
        if (n > 56) { // more than one refill guarantees
            if (bitPos + n > endBit) throw new IndexOutOfBoundsException();
            long hi = readBits(32);
            return (hi << (n - 32)) | readBits(n - 32);
        }
        if (avail < n) {
            refill();
            if (avail < n) throw new IndexOutOfBoundsException();
        }
        long v = word >>> (64 - n);
        word <<= n;
        avail -= n;
        bitPos += n;
        return v;
    }

    @Override
    public int seek(long target) {
        if (done) return NONE;
        if (read > 0 && t >= target) return FLOAT;
        while (next() == FLOAT) {
            if (t >= target) return FLOAT;
        }
        return NONE;
    }

    /** The current sample's timestamp, epoch millis; undefined before the first {@code next}. */
    @Override
    public long atT() {
        return t;
    }

    /** The current sample's value; undefined before the first {@code next}. */
    @Override
    public double atV() {
        return Double.longBitsToDouble(vBits);
    }

    @Override
    public long atVBits() {
        return vBits;
    }

    // encoder state, for XorChunk.fromBytes

    long bitPosition() {
        return bitPos;
    }

    int samplesRead() {
        return read;
    }

    long firstT() {
        return firstT;
    }

    long lastDelta() {
        return delta;
    }

    boolean hasWindow() {
        return window;
    }

    int leading() {
        return leading;
    }

    int trailing() {
        return trailing;
    }
}
