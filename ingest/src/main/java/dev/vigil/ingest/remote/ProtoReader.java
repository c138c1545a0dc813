package dev.vigil.ingest.remote;

/**
 * A minimal protobuf wire-format reader over a byte array: tags, varints, fixed64 and
 * length-delimited slices, with no allocation. The remote-write receiver decodes requests with it
 * directly into the appender instead of building a message object per sample.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LEN = 2;
    static final int FIXED32 = 5;

    byte[] buf;
    int pos;
    int limit;

    ProtoReader(byte[] buf, int pos, int limit) {
        this.buf = buf;
        this.pos = pos;
        this.limit = limit;
    }

    boolean hasMore() {
        return pos < limit;
    }

    /** The next tag ({@code field << 3 | wireType}). */
    int readTag() {
        long tag = readVarint();
        if (tag <= 0 || tag > Integer.MAX_VALUE) throw malformed("invalid tag " + tag);
        return (int) tag;
    }

    long readVarint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) throw malformed("truncated varint");
            byte b = buf[pos++];
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) return result;
        }
        throw malformed("varint longer than 10 bytes");
    }

    double readDouble() {
        return Double.longBitsToDouble(readFixed64());
    }

    long readFixed64() {
        if (limit - pos < 8) throw malformed("truncated fixed64");
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (buf[pos + i] & 0xffL);
        pos += 8;
        return v;
    }

    /** Reads a length prefix and returns the end offset of the slice that starts at {@link #pos}. */
    int readLengthEnd() {
        long len = readVarint();
        if (len < 0 || len > limit - pos) throw malformed("length " + len + " past the end of the message");
        return pos + (int) len;
    }

    void skip(int wireType) {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> {
                if (limit - pos < 8) throw malformed("truncated fixed64");
                pos += 8;
            }
            case LEN -> pos = readLengthEnd();
            case FIXED32 -> {
                if (limit - pos < 4) throw malformed("truncated fixed32");
                pos += 4;
            }
            default -> throw malformed("unsupported wire type " + wireType);
        }
    }

    static MalformedRequestException malformed(String detail) {
        return new MalformedRequestException("malformed protobuf: " + detail);
    }

    /** The request body is not a valid message; answered with 400. */
    static final class MalformedRequestException extends RuntimeException {
        MalformedRequestException(String message) {
            super(message, null, false, false);
        }
    }
}
