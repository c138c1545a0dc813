package dev.vigil.server;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.StorageStats;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.ingest.ConfigReloader;
import dev.vigil.ingest.scrape.ScrapeManager;
import io.javalin.Javalin;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Vigil process. This build opens the storage engine, scrapes the targets of {@code
 * prometheus.yml} ({@code --config.file}; reloaded on SIGHUP and, with {@code
 * --web.enable-lifecycle}, on {@code POST /-/reload}), records its own metrics every 15 seconds
 * (self-monitoring), and serves {@code /metrics}, {@code /-/healthy} and {@code /-/ready}. PromQL,
 * the HTTP API and the UI are wired in here as those modules land.
 */
public final class Main {
    private static final long SELF_INTERVAL_MS = 15_000;

    private Main() {}

    public static void main(String[] args) {
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
        try {
            applyLogLevel(flags.logLevel());
        } catch (IllegalArgumentException e) {
            System.err.println("vigil: " + e.getMessage());
            System.exit(2);
            return;
        }
        Server server;
        try {
            server = Server.start(flags);
        } catch (IllegalStateException e) {
            System.err.println("vigil: " + e.getMessage());
            System.exit(1);
            return;
        }
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

    /** A running Vigil: storage, scraping, self-monitoring and the HTTP server. */
    static final class Server implements AutoCloseable {
        final Storage storage;
        final Javalin http;
        final ScrapeManager scrapes;
        final ConfigReloader config; // null when running without a configuration file
        private final ScheduledExecutorService timer;
        private final long[] selfRefs = new long[48];

        private Server(Storage storage, Javalin http, ScrapeManager scrapes, ConfigReloader config, ScheduledExecutorService timer) {
            this.storage = storage;
            this.http = http;
            this.scrapes = scrapes;
            this.config = config;
            this.timer = timer;
        }

        /**
         * Opens storage, loads the configuration and starts scraping and the HTTP server.
         *
         * @throws IllegalStateException when the configuration file given cannot be loaded (as
         *     Prometheus, Vigil does not start with a broken configuration)
         */
        static Server start(Flags flags) {
            Storage storage = Tsdb.open(flags.storagePath(),
                    TsdbOptions.defaults().withRetention(flags.retentionMs(), flags.retentionBytes()));
            ScrapeManager scrapes = new ScrapeManager(storage, System::currentTimeMillis);
            ConfigReloader config = null;
            if (flags.configFileGiven() || Files.exists(flags.configFile())) {
                config = new ConfigReloader(flags.configFile(), scrapes, System::currentTimeMillis);
                String err = config.reload();
                if (err != null) {
                    scrapes.close();
                    storage.close();
                    throw new IllegalStateException("error loading config from \"" + flags.configFile() + "\": " + err);
                }
            }
            ConfigReloader reloader = config;
            String listen = flags.listenAddress();
            int colon = listen.lastIndexOf(':');
            String host = colon <= 0 ? "0.0.0.0" : listen.substring(0, colon);
            int port = Integer.parseInt(listen.substring(colon + 1));
            Javalin http = Javalin.create(cfg -> {
                cfg.startup.showJavalinBanner = false;
                cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                        .result(exposition(storage.stats()) + exposition(scrapeMetrics(scrapes, reloader))));
                cfg.routes.get("/-/healthy", ctx -> ctx.result("Vigil is Healthy.\n"));
                cfg.routes.get("/-/ready", ctx -> ctx.result("Vigil is Ready.\n"));
                cfg.routes.post("/-/reload", ctx -> {
                    if (!flags.enableLifecycle()) {
                        ctx.status(403).result("Lifecycle API is not enabled.\n");
                    } else if (reloader == null) {
                        ctx.status(500).result("no configuration file to reload\n");
                    } else {
                        String err = reloader.reload();
                        if (err != null) ctx.status(500).result("failed to reload config: " + err + "\n");
                    }
                });
            });
            http.start(host, port);
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("vigil-self-monitor").factory());
            Server s = new Server(storage, http, scrapes, config, timer);
            if (config != null) reloadOnHangup(config);
            String instance = host.equals("0.0.0.0") ? "localhost:" + http.port() : host + ":" + http.port();
            timer.scheduleAtFixedRate(() -> s.recordSelf(instance), 0, SELF_INTERVAL_MS, TimeUnit.MILLISECONDS);
            return s;
        }

        /** Appends the storage's own metrics as series of job "vigil". */
        void recordSelf(String instance) {
            try {
                long now = System.currentTimeMillis();
                Map<String, Double> metrics = metrics(storage.stats());
                metrics.putAll(scrapeMetrics(scrapes, config));
                Appender app = storage.appender();
                int i = 0;
                app.append(0, Labels.of("__name__", "up", "job", "vigil", "instance", instance), now, 1);
                for (Map.Entry<String, Double> e : metrics.entrySet()) {
                    if (i >= selfRefs.length) break;
                    long r = app.append(selfRefs[i], Labels.of("__name__", e.getKey(), "job", "vigil", "instance", instance),
                            now, e.getValue());
                    if (r > 0) selfRefs[i] = r;
                    i++;
                }
                app.commit();
            } catch (RuntimeException e) {
                System.err.println("vigil: self-monitoring failed: " + e.getMessage());
            }
        }

        /** SIGHUP reloads the configuration, as in Prometheus. */
        private static void reloadOnHangup(ConfigReloader config) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> config.reload()); // the reloader logs failures
            } catch (IllegalArgumentException e) {
                System.err.println("vigil: no SIGHUP on this platform; reload with POST /-/reload");
            }
        }

        @Override
        public void close() {
            timer.shutdownNow();
            http.stop();
            scrapes.close();
            storage.close();
        }
    }

    /** Storage metrics under Prometheus's names where Prometheus has one. */
    static Map<String, Double> metrics(StorageStats st) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("prometheus_tsdb_head_series", (double) st.headSeries());
        m.put("prometheus_tsdb_head_chunks_created_total", (double) st.headChunks());
        m.put("prometheus_tsdb_head_samples_appended_total", (double) st.samplesAppended());
        m.put("prometheus_tsdb_head_series_created_total", (double) st.seriesCreated());
        m.put("prometheus_tsdb_head_series_removed_total", (double) st.seriesRemoved());
        m.put("prometheus_tsdb_blocks_loaded", (double) st.blocks().size());
        m.put("prometheus_tsdb_compactions_total", (double) st.compactions());
        m.put("prometheus_tsdb_compactions_failed_total", (double) st.compactionsFailed());
        m.put("prometheus_tsdb_wal_corruptions_total", (double) st.walCorruptions());
        m.put("prometheus_tsdb_wal_truncations_total", (double) st.walTruncations());
        m.put("prometheus_tsdb_storage_blocks_bytes", (double) st.storageBytes());
        m.put("prometheus_tsdb_size_retentions_total", (double) st.retentionDeletedBlocks());
        m.put("vigil_tsdb_quarantined_total", (double) st.quarantined());
        m.put("vigil_tsdb_append_failures_total", (double) st.appendFailures());
        long rejected = 0;
        for (long r : st.rejectedByReason()) rejected += r;
        m.put("vigil_tsdb_samples_rejected_total", (double) rejected);
        return m;
    }

    /** Scraping and configuration metrics under Prometheus's names. */
    static Map<String, Double> scrapeMetrics(ScrapeManager scrapes, ConfigReloader config) {
        Map<String, Double> m = new LinkedHashMap<>();
        var sm = scrapes.metrics();
        m.put("prometheus_target_scrapes_total", (double) sm.scrapes());
        m.put("vigil_target_scrapes_failed_total", (double) sm.failedScrapes());
        m.put("prometheus_target_scrapes_exceeded_sample_limit_total", (double) sm.sampleLimitExceeded());
        m.put("prometheus_target_scrapes_exceeded_body_size_limit_total", (double) sm.bodySizeLimitExceeded());
        m.put("prometheus_target_scrapes_sample_out_of_order_total", (double) sm.rejected(dev.vigil.tsdb.AppendStatus.OUT_OF_ORDER));
        m.put("prometheus_target_scrapes_sample_duplicate_timestamp_total", (double) sm.rejected(dev.vigil.tsdb.AppendStatus.DUPLICATE));
        m.put("prometheus_target_scrapes_sample_out_of_bounds_total", (double) sm.rejected(dev.vigil.tsdb.AppendStatus.OUT_OF_BOUNDS));
        m.put("vigil_target_samples_appended_total", (double) sm.samplesAppended());
        m.put("vigil_targets_active", (double) scrapes.activeTargets().size());
        if (config != null) {
            m.put("prometheus_config_last_reload_successful", config.lastReloadSuccessful() ? 1.0 : 0.0);
            m.put("prometheus_config_last_reload_success_timestamp_seconds", config.lastSuccessMs() / 1000.0);
        }
        return m;
    }

    /** The text exposition of a map of counters ({@code _total}) and gauges. */
    static String exposition(Map<String, Double> metrics) {
        StringBuilder sb = new StringBuilder();
        metrics.forEach((name, value) -> {
            boolean counter = name.endsWith("_total");
            sb.append("# TYPE ").append(name).append(counter ? " counter\n" : " gauge\n");
            sb.append(name).append(' ').append(format(value)).append('\n');
        });
        return sb.toString();
    }

    /** The Prometheus text exposition of {@link #metrics}, plus rejections by reason. */
    static String exposition(StorageStats st) {
        StringBuilder sb = new StringBuilder();
        metrics(st).forEach((name, value) -> {
            boolean counter = name.endsWith("_total");
            sb.append("# TYPE ").append(name).append(counter ? " counter\n" : " gauge\n");
            sb.append(name).append(' ').append(format(value)).append('\n');
        });
        sb.append("# TYPE vigil_tsdb_rejected_samples_total counter\n");
        long[] r = st.rejectedByReason();
        for (int i = 0; i < r.length; i++) {
            sb.append("vigil_tsdb_rejected_samples_total{reason=\"").append(dev.vigil.tsdb.AppendStatus.reason(-i - 1))
                    .append("\"} ").append(r[i]).append('\n');
        }
        return sb.toString();
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
