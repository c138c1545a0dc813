package dev.vigil.tsdb;

/** A storage operation failed (I/O, a full disk, a closed storage). Messages name the file or series. */
public class StorageException extends RuntimeException {
    protected StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public static StorageException io(String what, Throwable cause) {
        return new StorageException(what + (cause != null && cause.getMessage() != null ? ": " + cause.getMessage() : ""), cause);
    }

    public static StorageException of(String what) {
        return new StorageException(what, null);
    }
}
