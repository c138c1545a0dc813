package dev.vigil.tsdb;

/**
 * When the WAL is fsynced. Every commit is written to the file (the OS) before it returns, so a
 * process kill never loses an acknowledged batch under any policy; the policy decides what a
 * power loss or kernel crash may lose.
 */
public enum WalSyncPolicy {
    /** fsync before every commit returns: nothing acknowledged is lost on power loss. */
    ALWAYS,
    /** fsync in the background every {@code walSyncIntervalMs}: at most that window is lost on power loss. */
    INTERVAL,
    /** Leave it to the OS (and to segment rotation, which always fsyncs). */
    NEVER
}
