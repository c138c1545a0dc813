package dev.vigil.tsdb.wal;

/** Receives a {@code long} key with an object, without boxing the key. */
@FunctionalInterface
public interface LongObjConsumer<T> {
    void accept(long value, T obj);
}
