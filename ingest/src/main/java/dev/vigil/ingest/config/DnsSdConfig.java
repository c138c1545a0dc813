package dev.vigil.ingest.config;

import java.util.List;

/**
 * {@code dns_sd_configs}: DNS names whose records are the targets, looked up every {@code
 * refresh_interval} (default 30s) in the servers of {@code /etc/resolv.conf}, as Prometheus's
 * {@code discovery/dns}.
 *
 * @param type the record type, upper case: SRV (the default, whose records carry the port), A,
 *     AAAA, MX or NS
 * @param port the targets' port for every type but SRV; 0 for SRV
 */
public record DnsSdConfig(List<String> names, long refreshIntervalMs, String type, int port) {
    public static final long DEFAULT_REFRESH_INTERVAL_MS = 30_000;
    public static final List<String> TYPES = List.of("SRV", "A", "AAAA", "MX", "NS");

    public DnsSdConfig {
        names = List.copyOf(names);
    }
}
