package dev.vigil.server;

import dev.vigil.tsdb.StorageStats;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Vigil process: parses the flags and starts a {@link Server}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("version"))) {
            System.out.println("vigil, version 0.1.0 (Prometheus API " + dev.vigil.server.api.Api.PROMETHEUS_VERSION + ")");
            System.out.println("  java:             " + Runtime.version());
            return;
        }
        Flags flags;
        try {
            flags = Flags.parse(args);
        } catch (Flags.HelpRequested h) {
            System.out.print(Flags.usage());
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("vigil: " + e.getMessage());
            System.exit(2);
            return;
        }
        applyLogLevel(flags.logLevel());
        Server server;
        try {
            server = Server.start(flags);
        } catch (RuntimeException e) {
            System.err.println("vigil: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        server.reloadOnSighup();
        OldGenerationGovernor.startForSerialCollector(Duration.ofSeconds(5));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "vigil-shutdown"));
        System.out.println("vigil: listening on " + flags.listenAddress() + ", storage at " + flags.storagePath().toAbsolutePath());
    }

    /** Prometheus's levels mapped onto java.util.logging, which every module (and SLF4J) logs through. */
    static void applyLogLevel(String level) {
        java.util.logging.Level jul = switch (level) {
            case "debug" -> java.util.logging.Level.FINE;
            case "info" -> java.util.logging.Level.INFO;
            case "warn" -> java.util.logging.Level.WARNING;
            case "error" -> java.util.logging.Level.SEVERE;
            default -> throw new IllegalArgumentException("--log.level must be one of debug, info, warn, error, got \"" + level + "\"");
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(jul);
        for (var h : root.getHandlers()) h.setLevel(jul);
    }

    /** Storage metrics under Prometheus's names where Prometheus has one. */
    static Map<String, Double> metrics(StorageStats st) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("prometheus_tsdb_head_series", (double) st.headSeries());
        m.put("prometheus_tsdb_head_chunks", (double) st.headChunks());
        m.put("prometheus_tsdb_head_chunks_created_total", (double) st.headChunksCreated());
        m.put("prometheus_tsdb_head_samples_appended_total", (double) st.samplesAppended());
        m.put("prometheus_tsdb_head_series_created_total", (double) st.seriesCreated());
        m.put("prometheus_tsdb_head_series_removed_total", (double) st.seriesRemoved());
        m.put("prometheus_tsdb_blocks_loaded", (double) st.blocks().size());
        m.put("prometheus_tsdb_compactions_total", (double) st.compactions());
        m.put("prometheus_tsdb_compactions_failed_total", (double) st.compactionsFailed());
        m.put("prometheus_tsdb_wal_corruptions_total", (double) st.walCorruptions());
        m.put("prometheus_tsdb_wal_truncations_total", (double) st.walTruncations());
        long blockBytes = 0;
        for (StorageStats.BlockInfo b : st.blocks()) blockBytes += b.bytes();
        m.put("prometheus_tsdb_storage_blocks_bytes", (double) blockBytes);
        m.put("vigil_tsdb_storage_bytes", (double) st.storageBytes());
        m.put("prometheus_tsdb_size_retentions_total", (double) st.retentionDeletedBlocks());
        m.put("vigil_tsdb_quarantined_total", (double) st.quarantined());
        m.put("vigil_tsdb_append_failures_total", (double) st.appendFailures());
        long rejected = 0;
        for (long r : st.rejectedByReason()) rejected += r;
        m.put("vigil_tsdb_samples_rejected_total", (double) rejected);
        return m;
    }

    /** HELP text of the metrics {@link #exposition(Map)} writes; a family without one gets none. */
    static final Map<String, String> HELP = Map.ofEntries(
            Map.entry("prometheus_tsdb_head_series", "Total number of series in the head block."),
            Map.entry("prometheus_tsdb_head_chunks", "Total number of chunks in the head block."),
            Map.entry("prometheus_tsdb_head_chunks_created_total", "Total number of chunks created in the head since start."),
            Map.entry("prometheus_tsdb_head_samples_appended_total", "Total number of appended samples."),
            Map.entry("prometheus_tsdb_head_series_created_total", "Total number of series created in the head since start."),
            Map.entry("prometheus_tsdb_head_series_removed_total", "Total number of series removed from the head since start."),
            Map.entry("prometheus_tsdb_blocks_loaded", "Number of currently loaded data blocks."),
            Map.entry("prometheus_tsdb_compactions_total", "Total number of compactions that were executed."),
            Map.entry("prometheus_tsdb_compactions_failed_total", "Total number of compactions that failed."),
            Map.entry("prometheus_tsdb_wal_corruptions_total", "Total number of WAL corruptions."),
            Map.entry("prometheus_tsdb_wal_truncations_total", "Total number of WAL truncations."),
            Map.entry("prometheus_tsdb_storage_blocks_bytes", "The number of bytes that are currently used for local storage by all blocks."),
            Map.entry("vigil_tsdb_storage_bytes", "Bytes under the storage path: blocks, WAL, head chunks and the series dictionary (what size retention counts)."),
            Map.entry("prometheus_tsdb_size_retentions_total", "Number of times blocks were deleted because the size retention was exceeded."),
            Map.entry("vigil_tsdb_quarantined_total", "Directories or files moved to quarantine because they could not be read."),
            Map.entry("vigil_tsdb_append_failures_total", "Commits that failed (I/O error, full disk)."),
            Map.entry("vigil_tsdb_samples_rejected_total", "Samples rejected by the storage (out of order, duplicate, out of bounds, invalid)."),
            Map.entry("vigil_tsdb_rejected_samples_total", "Samples rejected by the storage, by reason."),
            Map.entry("prometheus_target_scrapes_total", "Total number of scrapes."),
            Map.entry("vigil_target_scrapes_failed_total", "Total number of scrapes that failed (up 0)."),
            Map.entry("prometheus_target_scrapes_exceeded_sample_limit_total", "Total number of scrapes that hit the sample limit and were rejected."),
            Map.entry("prometheus_target_scrapes_exceeded_body_size_limit_total", "Total number of scrapes that hit the body size limit."),
            Map.entry("prometheus_target_scrapes_sample_out_of_order_total", "Total number of scraped samples rejected for being out of order."),
            Map.entry("prometheus_target_scrapes_sample_duplicate_timestamp_total", "Total number of scraped samples rejected for a duplicate timestamp with a different value."),
            Map.entry("prometheus_target_scrapes_sample_out_of_bounds_total", "Total number of scraped samples rejected for a timestamp outside the head's time bounds."),
            Map.entry("vigil_target_samples_appended_total", "Total number of scraped samples stored."),
            Map.entry("vigil_targets_active", "Number of active scrape targets."),
            Map.entry("prometheus_config_last_reload_successful", "Whether the last configuration reload attempt was successful."),
            Map.entry("prometheus_engine_query_log_enabled", "State of the query log."),
            Map.entry("prometheus_engine_query_log_failures_total", "The number of query log failures."),
            Map.entry("prometheus_config_last_reload_success_timestamp_seconds", "Timestamp of the last successful configuration reload."),
            Map.entry("vigil_queries_total", "Total number of PromQL queries answered over the HTTP API."),
            Map.entry("vigil_queries_failed_total", "Total number of PromQL queries that failed."),
            Map.entry("vigil_range_query_cache_hits_total", "Total number of range queries answered partly from the range query cache."),
            Map.entry("vigil_remote_write_samples_written_total", "Total number of samples received by the remote-write receiver and stored."),
            Map.entry("vigil_remote_write_requests_failed_total", "Total number of remote-write requests answered with an error."));

    /** The text exposition of a map of counters ({@code _total}) and gauges, with their HELP. */
    static String exposition(Map<String, Double> metrics) {
        StringBuilder sb = new StringBuilder();
        metrics.forEach((name, value) -> {
            header(sb, name, name.endsWith("_total") ? "counter" : "gauge");
            sb.append(name).append(' ').append(format(value)).append('\n');
        });
        return sb.toString();
    }

    /** The Prometheus text exposition of {@link #metrics}, plus rejections by reason. */
    static String exposition(StorageStats st) {
        StringBuilder sb = new StringBuilder(exposition(metrics(st)));
        long[] rejected = st.rejectedByReason();
        floatCounter(sb, "prometheus_tsdb_head_out_of_order_samples_appended_total",
                "Total number of appended out of order samples.", st.outOfOrderSamplesAppended());
        floatCounter(sb, "prometheus_tsdb_out_of_order_samples_total",
                "Total number of out of order samples ingestion failed attempts due to out of order being disabled.",
                rejected[(int) -dev.vigil.tsdb.AppendStatus.OUT_OF_ORDER - 1]);
        floatCounter(sb, "prometheus_tsdb_too_old_samples_total",
                "Total number of out of order samples ingestion failed attempts with out of order support enabled, but sample outside of time window.",
                rejected[(int) -dev.vigil.tsdb.AppendStatus.TOO_OLD - 1]);
        floatCounter(sb, "prometheus_tsdb_out_of_bound_samples_total",
                "Total number of out of bound samples ingestion failed attempts with out of order support disabled.",
                rejected[(int) -dev.vigil.tsdb.AppendStatus.OUT_OF_BOUNDS - 1]);
        header(sb, "vigil_tsdb_rejected_samples_total", "counter");
        long[] r = st.rejectedByReason();
        for (int i = 0; i < r.length; i++) {
            sb.append("vigil_tsdb_rejected_samples_total{reason=\"").append(dev.vigil.tsdb.AppendStatus.reason(-i - 1))
                    .append("\"} ").append(r[i]).append('\n');
        }
        return sb.toString();
    }

    /** A counter with Prometheus's {@code type="float"} label (its TSDB counts histograms apart). */
    private static void floatCounter(StringBuilder sb, String name, String help, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" counter\n");
        sb.append(name).append("{type=\"float\"} ").append(value).append('\n');
    }

    private static void header(StringBuilder sb, String name, String type) {
        String help = HELP.get(name);
        if (help != null) sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
