package dev.vigil.tsdb;

import java.nio.file.Path;

/** Stored data failed a check (CRC, magic, length); carries the file and offset so repair can cut there. */
public final class CorruptionException extends StorageException {
    private final Path file;
    private final long offset;

    private CorruptionException(String message, Path file, long offset) {
        super(message + " [file=" + file + ", offset=" + offset + "]", null);
        this.file = file;
        this.offset = offset;
    }

    public static CorruptionException at(Path file, long offset, String what) {
        return new CorruptionException(what, file, offset);
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
