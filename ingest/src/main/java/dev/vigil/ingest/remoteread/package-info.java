/**
 * {@code remote_read}: Vigil as a client of remote storage, as Prometheus's {@code storage/remote}
 * read path. {@link dev.vigil.ingest.remoteread.RemoteReadStorage} puts the configured remotes
 * beside the local storage for PromQL, {@link dev.vigil.ingest.remoteread.RemoteReadClient} asks
 * one remote with the remote read protocol (snappy-compressed protobuf, SAMPLES responses).
 */
package dev.vigil.ingest.remoteread;
