package dev.vigil.server;

import dev.vigil.ingest.config.ConfigException;
import dev.vigil.ingest.config.ConfigParser;
import dev.vigil.ingest.config.PrometheusConfig;
import dev.vigil.ingest.log.LogFiles;
import dev.vigil.ingest.remote.RemoteWriteHandler;
import dev.vigil.ingest.remoteread.RemoteReadStorage;
import dev.vigil.ingest.remotewrite.RemoteWriteManager;
import dev.vigil.ingest.scrape.ScrapeManager;
import dev.vigil.ingest.remote.TextImportHandler;
import dev.vigil.server.api.Api;
import dev.vigil.server.api.Federation;
import dev.vigil.server.api.MetadataStore;
import dev.vigil.server.api.QueryApi;
import dev.vigil.query.eval.Engine;
import dev.vigil.query.eval.QueryLog;
import dev.vigil.rules.RuleManager;
import dev.vigil.rules.notify.Notifier;
import java.util.List;
import dev.vigil.server.api.TargetsApi;
import dev.vigil.server.api.RemoteRead;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** A running Vigil: storage, scraping, self-monitoring, the HTTP API and the push and read protocols. */
final class Server implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Server.class.getName());

    /** The configuration used when no --config.file is given; %s is Vigil's own address. */
    static final String DEFAULT_CONFIG = """
            # Vigil's embedded default: scrape Vigil itself, and a node_exporter on this machine if one answers.
            global:
              scrape_interval: 15s
              evaluation_interval: 15s
            scrape_configs:
              - job_name: vigil
                static_configs:
                  - targets: ['%s']
              - job_name: node
                static_configs:
                  - targets: ['localhost:9100']
            """;

    /** Where Vigil scrapes itself: the listen address, with a wildcard host as localhost. */
    String selfTarget() {
        String host = flags.listenHost();
        if (host.equals("0.0.0.0") || host.equals("::")) host = "localhost";
        else if (host.contains(":")) host = "[" + host + "]";
        int port = http != null && http.jettyServer().started() ? http.port() : flags.listenPort();
        return host + ":" + port;
    }

    final Storage storage;
    final Javalin http;
    /** The scrape loops of the configuration in force. */
    final ScrapeManager scrapes;
    final RemoteReadStorage reading;
    /** The remote_write queues of the configuration in force, reading the WAL. */
    final RemoteWriteManager remoteWrites;
    final Flags flags;
    /** --web.external-url or Prometheus's default for it, without a trailing slash. */
    private final String externalUrl;
    final MetadataStore metadata = new MetadataStore();
    final QueryApi queryApi;
    final RuleManager rules;
    final Notifier notifier;
    /** global.external_labels of the running configuration, for remote read and federation. */
    private volatile Labels externalLabels = Labels.EMPTY;
    private final ProcessMetrics processMetrics = new ProcessMetrics();
    private final RemoteWriteHandler remoteWrite;
    /** Whether the listener speaks TLS (--web.config.file tls_server_config). */
    final boolean tls;
    private final AtomicReference<String> configYaml = new AtomicReference<>();
    private volatile boolean lastReloadOk = true;
    private volatile long lastReloadMs = System.currentTimeMillis();
    private final Runnable onQuit;
    final dev.vigil.server.web.LiveUpdates live;

    // Vigil monitors itself by scraping its own /metrics (the embedded default config). False in tests
    // that keep that out of their data: the default config is then not scraped (a --config.file is).
    private final boolean scrapeDefaultConfig;

    private final dev.vigil.tsdb.ReplayProgress replayProgress;

    private Server(Flags flags, Storage storage, Runnable onQuit, boolean scrapeDefaultConfig, dev.vigil.tsdb.ReplayProgress replayProgress) {
        this.replayProgress = replayProgress;
        this.flags = flags;
        this.externalUrl = flags.externalUrl();
        this.scrapeDefaultConfig = scrapeDefaultConfig;
        this.storage = storage;
        this.onQuit = onQuit;
        this.scrapes = new ScrapeManager(storage, System::currentTimeMillis);
        this.notifier = new Notifier(Notifier.Options.of(List.of(), Map.of()));
        // PromQL (the query API, rules) reads the remote_read endpoints too; everything else reads local data only
        this.reading = new RemoteReadStorage(storage);
        this.rules = new RuleManager(new RuleManager.Options(reading, new Engine(engineOptions(flags)), flags.storagePath(), notifier,
                flags.alertResendDelayMs(), System::currentTimeMillis));
        // before the config: its query_log_file is handed to the query API
        this.queryApi = new QueryApi(reading, engineOptions(flags), Integer.parseInt(flags.get("query.max-concurrency")),
                System::currentTimeMillis);
        this.remoteWrites = RemoteWriteManager.forStorage(storage);
        remoteWrites.setMetadataSource(() -> {
            Map<String, dev.vigil.ingest.scrape.MetricMetadata> all = new java.util.TreeMap<>();
            for (String job : scrapes.jobNames()) {
                var pool = scrapes.pool(job);
                if (pool != null) for (var perTarget : pool.metadata().values()) all.putAll(perTarget);
            }
            return all;
        });
        try {
            loadConfig();
            rules.start();
        } catch (RuntimeException e) {
            closeAlertmanagerDiscovery();
            scrapes.close();
            rules.close();
            notifier.close();
            remoteWrites.close();
            closeLogFiles();
            throw e;
        }
        long start = System.currentTimeMillis();
        String prefix = flags.routePrefix();
        RemoteWriteHandler rw = new RemoteWriteHandler(storage, metadata::put);
        this.remoteWrite = rw;
        TextImportHandler importer = new TextImportHandler(storage, System::currentTimeMillis);
        Api api = new Api(new Api.Deps(reading, configYaml::get, flags.forApi(), start, flags.storagePath(),
                () -> retentionDescription,
                flags.bool("web.enable-remote-write-receiver"), flags.bool("web.enable-admin-api"), rw, importer, metadata,
                () -> new Api.RuntimeState(lastReloadOk, lastReloadMs)));
        QueryApi queryApi = this.queryApi;
        this.live = new dev.vigil.server.web.LiveUpdates(queryApi::rangeResultJson, System::currentTimeMillis);
        TargetsApi targetsApi = new TargetsApi(scrapes, scrapeUrl -> TargetsApi.globalUrl(scrapeUrl, externalUrl, flags.listenPort(), port()));
        metadata.setLiveSource(targetsApi::metadataByFamily);
        RemoteRead remoteRead = new RemoteRead(storage, () -> externalLabels);
        Federation federation = new Federation(storage, () -> externalLabels, flags.lookbackDeltaMs(), System::currentTimeMillis);
        WebConfig web = flags.get("web.config.file").isEmpty() ? WebConfig.NONE : WebConfig.load(Path.of(flags.get("web.config.file")));
        this.tls = web.tls();
        this.http = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.http.maxRequestSize = 64L << 20;
            web.apply(cfg, flags.listenHost(), flags.listenPort());
            // Go's http.NotFound text, which clients such as Grafana's alerting probe recognise
            cfg.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty() || ctx.result().startsWith("Endpoint ")) {
                    ctx.contentType("text/plain; charset=utf-8").result("404 page not found\n");
                }
            });
            // before the API's own, which answers zeros without a storage's replay to report
            cfg.routes.get(prefix + "/api/v1/status/walreplay", ctx -> ctx.contentType("application/json").result(
                    "{\"status\":\"success\",\"data\":" + StartupServer.walReplayJson(replayProgress) + "}"));
            api.register(cfg.routes, prefix);
            queryApi.register(cfg.routes, prefix);
            targetsApi.register(cfg.routes, prefix);
            cfg.routes.get(prefix + "/api/v1/rules", ctx -> Api.respond(ctx, () -> {
                String type = Api.param(ctx, "type");
                var filter = new dev.vigil.rules.RulesApi.RulesFilter(type == null || type.isEmpty() ? null : type,
                        java.util.Set.copyOf(Api.params(ctx, "rule_name[]")), java.util.Set.copyOf(Api.params(ctx, "rule_group[]")),
                        java.util.Set.copyOf(Api.params(ctx, "file[]")), "true".equals(Api.param(ctx, "exclude_alerts")));
                StringBuilder sb = new StringBuilder();
                try {
                    rules.writeRulesJson(sb, filter);
                } catch (IllegalArgumentException e) {
                    throw dev.vigil.server.api.ApiError.badData(e.getMessage());
                }
                return new Api.Result(sb.toString());
            }));
            cfg.routes.get(prefix + "/api/v1/alerts", ctx -> Api.respond(ctx, () -> {
                StringBuilder sb = new StringBuilder();
                rules.writeAlertsJson(sb);
                return new Api.Result(sb.toString());
            }));
            cfg.routes.get(prefix + "/api/v1/alertmanagers", ctx -> Api.respond(ctx, () -> {
                AlertmanagerDiscovery.Resolved r = alertmanagers;
                dev.vigil.server.api.Json j = new dev.vigil.server.api.Json().beginObject().name("activeAlertmanagers").beginArray();
                for (Notifier.Target t : r.active()) j.beginObject().field("url", t.url().toString()).endObject();
                j.endArray().name("droppedAlertmanagers").beginArray();
                for (String url : r.dropped()) j.beginObject().field("url", url).endObject();
                return new Api.Result(j.endArray().endObject().toString());
            }));
            cfg.routes.get(prefix + "/api/v1/vigil/remote_write", ctx -> Api.respond(ctx, () -> {
                dev.vigil.server.api.Json j = new dev.vigil.server.api.Json().beginArray();
                for (var st : remoteWrites.stats()) {
                    j.beginObject().field("name", st.name()).field("url", st.url()).field("shards", st.shards())
                            .field("samplesSent", st.samplesSent()).field("samplesFailed", st.samplesFailed())
                            .field("samplesRetried", st.samplesRetried()).field("samplesDropped", st.samplesDropped())
                            .field("samplesPending", st.samplesPending()).field("backlogBytes", st.backlogBytes())
                            .name("lagSeconds").number(st.lagSeconds()).field("bytesSent", st.bytesSent())
                            .field("walSegmentsSkipped", st.walSegmentsSkipped()).field("metadataSent", st.metadataSent())
                            .field("metadataFailed", st.metadataFailed()).field("lastError", st.lastError()).endObject();
                }
                return new Api.Result(j.endArray().toString());
            }));
            cfg.routes.post(prefix + "/api/v1/read", remoteRead::handle);
            cfg.routes.get(prefix + "/federate", federation::handle);
            cfg.routes.get(prefix + "/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(selfMetrics()));
            cfg.requestLogger.http((ctx, ms) -> processMetrics.observe(handlerLabel(prefix, ctx.path(), ctx.status().getCode()),
                    ctx.status().getCode(), ms.doubleValue() / 1000.0));
            for (HandlerType t : new HandlerType[] {HandlerType.GET, HandlerType.HEAD}) {
                cfg.routes.addHttpHandler(t, prefix + "/-/healthy", ctx -> ctx.result("Vigil Server is Healthy.\n"));
                cfg.routes.addHttpHandler(t, prefix + "/-/ready", ctx -> ctx.result("Vigil Server is Ready.\n"));
                cfg.routes.addHttpHandler(t, prefix + "/health", ctx -> ctx.result("Vigil Server is Healthy.\n"));
            }
            for (HandlerType t : new HandlerType[] {HandlerType.POST, HandlerType.PUT}) {
                cfg.routes.addHttpHandler(t, prefix + "/-/reload", ctx -> {
                    if (!flags.bool("web.enable-lifecycle")) {
                        ctx.status(403).result("Lifecycle API is not enabled.\n");
                        return;
                    }
                    String err = loadConfig();
                    if (err != null) ctx.status(500).result("failed to reload config: " + err + "\n");
                    else ctx.status(200);
                });
                cfg.routes.addHttpHandler(t, prefix + "/-/quit", ctx -> {
                    if (!flags.bool("web.enable-lifecycle")) {
                        ctx.status(403).result("Lifecycle API is not enabled.\n");
                        return;
                    }
                    ctx.result("Requesting termination... Goodbye!\n");
                    Thread.ofPlatform().start(onQuit);
                });
            }
            new dev.vigil.server.web.WebUi(prefix).register(cfg.routes);
            live.register(cfg.routes, prefix);
            new dev.vigil.server.web.Dashboards(flags.dashboardsPath()).register(cfg.routes, prefix);
            if (!prefix.isEmpty()) cfg.routes.get("/", ctx -> ctx.redirect(prefix + "/query"));
        });
    }

    static final String JETTY_REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";

    /**
     * Jetty pads its thread pool's queue by references per cache line and, unless this property
     * says, learns the reference size by asking the platform MBean server for UseCompressedOops.
     * That call starts JMX (the MBean server and every platform MBean, the diagnostic commands'
     * descriptions with JFR's XML settings files: ~270 classes, about a tenth of the CPU Vigil
     * spends starting) in a process that serves no JMX. The diagnostic MXBean alone gives the
     * same answer without the server.
     */
    static void tellJettyTheReferenceSize() {
        if (System.getProperty(JETTY_REFERENCES_PER_CACHE_LINE) != null) return;
        boolean compressedOops;
        try {
            var diagnostic = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            compressedOops = Boolean.parseBoolean(diagnostic.getVMOption("UseCompressedOops").getValue());
        } catch (RuntimeException e) {
            return; // not HotSpot: Jetty finds out for itself
        }
        int cacheLineBytes = Integer.getInteger("org.eclipse.jetty.util.cacheLineBytes", 64);
        System.setProperty(JETTY_REFERENCES_PER_CACHE_LINE, Integer.toString(Math.max(1, cacheLineBytes / (compressedOops ? 4 : 8))));
    }

    static Server start(Flags flags) {
        return start(flags, () -> System.exit(0), true);
    }

    /** Tests pass their own quit action and may leave self-monitoring out of their data. */
    static Server start(Flags flags, Runnable onQuit, boolean selfMonitor) {
        tellJettyTheReferenceSize();
        dev.vigil.tsdb.ReplayProgress progress = new dev.vigil.tsdb.ReplayProgress();
        Storage storage;
        // an ephemeral port (tests) could not be handed over, and nobody waits on it
        try (StartupServer early = flags.listenPort() == 0 ? null : StartupServer.start(flags, progress)) {
            storage = Tsdb.open(flags.storagePath(), TsdbOptions.defaults().withRetention(flags.retentionMs(), flags.retentionBytes()), progress);
        }
        Server s;
        try {
            s = new Server(flags, storage, onQuit, selfMonitor, progress);
            if (s.tls) s.http.start(); // the TLS connector carries host and port
            else s.http.start(flags.listenHost(), flags.listenPort());
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
        // With an ephemeral port (tests), the default config's self target is known only now.
        if (selfMonitor && flags.get("config.file").isEmpty() && flags.listenPort() == 0) s.loadConfig();
        return s;
    }

    /**
     * Reads and validates the config file (or the embedded default) and applies it to scraping by
     * difference; returns null on success, else why not, and then the running configuration stays.
     *
     * @throws IllegalArgumentException when there is no running configuration yet (start-up)
     */
    synchronized String loadConfig() {
        String file = flags.get("config.file");
        try {
            String yaml = file.isEmpty() ? DEFAULT_CONFIG.formatted(selfTarget()) : Files.readString(Path.of(file));
            PrometheusConfig cfg = file.isEmpty()
                    ? ConfigParser.parse(yaml, "<embedded default config>", Path.of("").toAbsolutePath(), System::getenv)
                    : ConfigParser.load(Path.of(file));
            // log files first as well: one that cannot be opened fails the reload before anything changes
            LogFiles logs = openLogFiles(cfg);
            try {
                apply(cfg, yaml, file, logs);
            } catch (RuntimeException e) {
                logs.close();
                throw e;
            }
            logFiles.close(); // every user holds the new set by now
            logFiles = logs;
            lastReloadOk = true;
            lastReloadMs = System.currentTimeMillis();
            return null;
        } catch (IOException | ConfigException | RuleManager.RuleLoadException e) {
            lastReloadOk = false;
            String why = e instanceof IOException ? "cannot read " + file + ": " + e.getMessage() : e.getMessage();
            LOG.log(System.Logger.Level.ERROR, "loading the configuration failed, the running one stays: " + why);
            if (configYaml.get() == null) throw new IllegalArgumentException(why);
            return why;
        }
    }

    /** Applies a validated configuration; the caller has opened its log files. */
    private void apply(PrometheusConfig cfg, String yaml, String file, LogFiles logs) {
        Map<String, String> ext = new java.util.LinkedHashMap<>();
        Labels extLabels = cfg.global().externalLabels();
        for (int i = 0; i < extLabels.size(); i++) ext.put(extLabels.name(i), extLabels.value(i));
        // rules first: a broken rule file fails the reload before anything changes
        // (rule_files are joined to the config file's directory already)
        rules.load(cfg.ruleFiles(), null, new RuleManager.Settings(cfg.global().evaluationIntervalMs(),
                cfg.global().ruleQueryOffsetMs(), ext, externalUrl));
        if (!file.isEmpty() || scrapeDefaultConfig) scrapes.apply(cfg, logs);
        QueryLog queryLog = QueryLogFile.of(logs.get(cfg.global().queryLogFile()));
        queryApi.setQueryLog(queryLog);
        rules.setQueryLog(queryLog);
        this.queryLog = queryLog;
        applyRetention(cfg.storage());
        storage.setOutOfOrderTimeWindow(cfg.storage().outOfOrderTimeWindowMs());
        for (String w : cfg.unsupportedSettings()) LOG.log(System.Logger.Level.WARNING, cfg.file() + ": " + w);
        List<dev.vigil.ingest.relabel.RelabelConfig> alertRelabel = cfg.alerting().alertRelabelConfigs();
        alertExternalLabels = Map.copyOf(ext);
        alertRelabeling = alertRelabel.isEmpty() ? null : l -> {
            Labels out = dev.vigil.ingest.relabel.Relabel.process(l, alertRelabel);
            return out == null || out.isEmpty() ? null : out;
        };
        // the old discovery reports nothing once closed; the new one reports its static Alertmanagers at once
        if (alertmanagerDiscovery != null) alertmanagerDiscovery.close();
        alertmanagerDiscovery = new AlertmanagerDiscovery(cfg.alerting().alertmanagers(), this::alertmanagersChanged);
        alertmanagerDiscovery.start();
        externalLabels = extLabels;
        remoteWrites.apply(cfg);
        reading.apply(cfg.remoteRead(), extLabels);
        // shown by /api/v1/status/config to anyone who can reach the API: no passwords or tokens
        configYaml.set(dev.vigil.ingest.config.ConfigRedaction.redact(yaml, file.isEmpty() ? "<embedded default config>" : file));
    }

    private LogFiles logFiles = LogFiles.NONE; // guarded by this (loadConfig, close)
    private volatile QueryLog queryLog = QueryLog.NONE;

    /** The JSON log files {@code cfg} names (scrape failures, queries), opened for appending. */
    private static LogFiles openLogFiles(PrometheusConfig cfg) {
        List<String> paths = new java.util.ArrayList<>();
        paths.add(cfg.global().queryLogFile());
        for (var c : cfg.scrapeConfigs()) paths.add(c.scrapeFailureLogFile());
        try {
            return LogFiles.open(paths);
        } catch (IOException e) {
            throw ConfigException.ofFile(cfg.file(), e.getMessage(), e);
        }
    }

    private volatile AlertmanagerDiscovery.Resolved alertmanagers = AlertmanagerDiscovery.Resolved.NONE;
    private volatile String retentionDescription = "";
    // set by loadConfig before the discovery that reads them starts
    private volatile Map<String, String> alertExternalLabels = Map.of();
    private volatile java.util.function.UnaryOperator<Labels> alertRelabeling;
    private AlertmanagerDiscovery alertmanagerDiscovery; // guarded by this (loadConfig, close)

    static dev.vigil.query.eval.EngineOptions engineOptions(Flags flags) {
        return dev.vigil.query.eval.EngineOptions.defaults().withLookbackDelta(flags.lookbackDeltaMs())
                .withMaxSamples(flags.queryMaxSamples()).withTimeout(flags.queryTimeoutMs());
    }

    /**
     * storage.tsdb.retention of the config file, where given, over the flags (Prometheus 3 reloads
     * it the same way); a limit removed from the file falls back to its flag.
     */
    private void applyRetention(dev.vigil.ingest.config.StorageConfig sc) {
        long ms = sc.retentionTimeMs() > 0 ? sc.retentionTimeMs() : flags.retentionMs();
        long bytes = sc.retentionSizeBytes() > 0 ? sc.retentionSizeBytes() : flags.retentionBytes();
        storage.setRetention(ms, bytes);
        String time = sc.retentionTimeMs() > 0 ? dev.vigil.ingest.config.PromDuration.format(ms) : flags.get("storage.tsdb.retention.time");
        String size = sc.retentionSizeBytes() > 0 ? dev.vigil.ingest.config.ByteSize.format(bytes) : flags.get("storage.tsdb.retention.size");
        retentionDescription = time + (bytes > 0 ? " or " + size : "");
    }

    /** The notifier's Alertmanagers, whenever discovery or a reload changes them. */
    private void alertmanagersChanged(AlertmanagerDiscovery.Resolved r) {
        alertmanagers = r;
        notifier.update(new Notifier.Options(r.active(), alertExternalLabels, 10_000, 64, alertRelabeling));
    }

    /** Everything /metrics shows: storage, scraping, queries, remote write, process, JVM, HTTP. */
    String selfMetrics() {
        StringBuilder sb = new StringBuilder(8192);
        sb.append(Main.exposition(storage.stats())).append(Main.exposition(scrapeMetrics()));
        Map<String, Double> q = new java.util.LinkedHashMap<>();
        q.put("vigil_queries_total", (double) queryApi.queries());
        q.put("vigil_queries_failed_total", (double) queryApi.failures());
        q.put("vigil_range_query_cache_hits_total", (double) queryApi.rangeCacheHits());
        q.put("vigil_remote_write_samples_written_total", (double) remoteWrite.samplesWritten());
        q.put("vigil_remote_write_requests_failed_total", (double) remoteWrite.requestsFailed());
        sb.append(Main.exposition(q));
        sb.append(remoteWrites.exposition());
        sb.append(reading.exposition());
        sb.append(notifier.exposition());
        processMetrics.write(sb);
        return sb.toString();
    }

    /** The route of a request path, for the handler label: path parameters and unknown paths folded. */
    static String handlerLabel(String prefix, String path, int code) {
        String p = path.startsWith(prefix) ? path.substring(prefix.length()) : path;
        if (p.startsWith("/api/v1/label/") && p.endsWith("/values")) return "/api/v1/label/:name/values";
        if (code == 404) return "/404";
        return p.isEmpty() ? "/" : p;
    }

    /** Scraping and configuration metrics under Prometheus's names. */
    Map<String, Double> scrapeMetrics() {
        Map<String, Double> m = new java.util.LinkedHashMap<>();
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
        m.put("prometheus_config_last_reload_successful", lastReloadOk ? 1.0 : 0.0);
        QueryLog ql = queryLog;
        m.put("prometheus_engine_query_log_enabled", ql instanceof QueryLogFile ? 1.0 : 0.0);
        m.put("prometheus_engine_query_log_failures_total", ql instanceof QueryLogFile f ? (double) f.file().failures() : 0.0);
        m.put("prometheus_config_last_reload_success_timestamp_seconds", lastReloadMs / 1000.0);
        return m;
    }

    int port() {
        return http.port();
    }

    /** SIGHUP reloads the configuration, as in Prometheus. */
    void reloadOnSighup() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                String err = loadConfig();
                if (err == null) LOG.log(System.Logger.Level.INFO, "configuration reloaded on SIGHUP");
            });
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot handle SIGHUP: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        live.close();
        http.stop();
        rules.close();
        closeAlertmanagerDiscovery();
        notifier.close();
        scrapes.close();
        remoteWrites.close();
        reading.close();
        closeLogFiles();
        storage.close();
    }

    private synchronized void closeAlertmanagerDiscovery() {
        if (alertmanagerDiscovery != null) alertmanagerDiscovery.close();
        alertmanagerDiscovery = null;
    }

    private synchronized void closeLogFiles() {
        logFiles.close();
        logFiles = LogFiles.NONE;
    }
}
