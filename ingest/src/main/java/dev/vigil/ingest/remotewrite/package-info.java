/**
 * The remote-write sender: forwards what Vigil ingests to the {@code remote_write} entries of
 * {@code prometheus.yml} (Mimir, Thanos Receive, Cortex, VictoriaMetrics, Prometheus).
 *
 * <p>{@link dev.vigil.ingest.remotewrite.RemoteWriteManager} applies the list by difference; each
 * entry is a queue that tails Vigil's WAL ({@code WalTailer}) rather than an in-memory copy, keeps
 * its resume position in {@code <data>/remote_write/<name>.position}, and sends snappy-compressed
 * remote-write 1.0 or 2.0 requests from N shards with retries and backoff.
 * {@link dev.vigil.ingest.remotewrite.RemoteWriteStats} is the per-remote snapshot for metrics.
 */
package dev.vigil.ingest.remotewrite;
