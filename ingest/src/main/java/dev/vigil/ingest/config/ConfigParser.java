package dev.vigil.ingest.config;

import dev.vigil.ingest.config.AlertingConfig.AlertmanagerConfig;
import dev.vigil.ingest.config.HttpClientConfig.Authorization;
import dev.vigil.ingest.config.HttpClientConfig.BasicAuth;
import dev.vigil.ingest.config.HttpClientConfig.TlsConfig;
import dev.vigil.ingest.config.RemoteWriteConfig.MetadataConfig;
import dev.vigil.ingest.config.RemoteWriteConfig.QueueConfig;
import dev.vigil.ingest.config.YamlNodes.Obj;
import dev.vigil.ingest.relabel.NameValidationScheme;
import dev.vigil.ingest.relabel.RelabelAction;
import dev.vigil.ingest.relabel.RelabelConfig;
import dev.vigil.ingest.relabel.RelabelRegex;
import dev.vigil.tsdb.Labels;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * Reads {@code prometheus.yml} strictly, with Prometheus 3.x defaults and validation rules
 * ({@code config/config.go}): YAML is composed into a node tree and walked, so every error names
 * the file, the line and column, and the key. Unknown keys, duplicated keys and bad values are
 * errors; so are unsupported service discoveries (Vigil has static, file and HTTP). Validation
 * messages are Prometheus's where one exists.
 *
 * <p>Stateless; {@link #load} is safe from any thread.
 */
public final class ConfigParser {
    private ConfigParser() {}

    // Only the last path element may hold a wildcard (Prometheus's patRulePath).
    private static final Pattern GLOB_PATH = Pattern.compile("[^*]*(\\*[^/]*)?");

    private static final Set<String> TOP_KEYS = Set.of("global", "runtime", "alerting", "rule_files", "scrape_config_files",
            "scrape_configs", "storage", "tracing", "remote_write", "remote_read", "otlp");
    private static final Set<String> GLOBAL_KEYS = Set.of("scrape_interval", "scrape_timeout", "scrape_protocols",
            "evaluation_interval", "rule_query_offset", "query_log_file", "scrape_failure_log_file", "external_labels",
            "body_size_limit", "sample_limit", "target_limit", "label_limit", "label_name_length_limit",
            "label_value_length_limit", "keep_dropped_targets", "metric_name_validation_scheme",
            "metric_name_escaping_scheme", "scrape_native_histograms", "convert_classic_histograms_to_nhcb",
            "always_scrape_classic_histograms", "extra_scrape_metrics");
    private static final Set<String> SCRAPE_KEYS = union(HttpClientConfig.KEYS, Set.of("job_name", "honor_labels",
            "honor_timestamps", "track_timestamps_staleness", "params", "scrape_interval", "scrape_timeout",
            "scrape_protocols", "fallback_scrape_protocol", "scrape_native_histograms", "always_scrape_classic_histograms",
            "convert_classic_histograms_to_nhcb", "scrape_failure_log_file", "metrics_path", "scheme",
            "enable_compression", "body_size_limit", "sample_limit", "target_limit", "label_limit",
            "label_name_length_limit", "label_value_length_limit", "native_histogram_bucket_limit",
            "native_histogram_min_bucket_factor", "keep_dropped_targets", "metric_name_validation_scheme",
            "metric_name_escaping_scheme", "extra_scrape_metrics", "relabel_configs", "metric_relabel_configs",
            "static_configs", "file_sd_configs", "http_sd_configs", "dns_sd_configs"));
    private static final Set<String> RELABEL_KEYS = Set.of("source_labels", "separator", "target_label", "regex",
            "modulus", "replacement", "action");
    private static final Set<String> GROUP_KEYS = Set.of("targets", "labels");
    private static final Set<String> FILE_SD_KEYS = Set.of("files", "refresh_interval");
    private static final Set<String> HTTP_SD_KEYS = union(HttpClientConfig.KEYS, Set.of("url", "refresh_interval"));
    private static final Set<String> DNS_SD_KEYS = Set.of("names", "refresh_interval", "type", "port");
    private static final Set<String> ALERTING_KEYS = Set.of("alert_relabel_configs", "alertmanagers");
    private static final Set<String> ALERTMANAGER_KEYS = union(HttpClientConfig.KEYS, Set.of("scheme", "path_prefix",
            "timeout", "api_version", "relabel_configs", "alert_relabel_configs", "sigv4", "static_configs",
            "file_sd_configs", "http_sd_configs", "dns_sd_configs"));
    private static final Set<String> REMOTE_WRITE_KEYS = union(HttpClientConfig.KEYS, Set.of("url", "remote_timeout",
            "headers", "write_relabel_configs", "name", "send_exemplars", "send_native_histograms", "round_robin_dns",
            "protobuf_message", "queue_config", "metadata_config", "sigv4", "azuread", "google_iam"));
    private static final Set<String> QUEUE_KEYS = Set.of("capacity", "max_shards", "min_shards", "max_samples_per_send",
            "batch_send_deadline", "min_backoff", "max_backoff", "retry_on_http_429", "sample_age_limit");
    private static final Set<String> METADATA_KEYS = Set.of("send", "send_interval", "max_samples_per_send");
    private static final Set<String> REMOTE_READ_KEYS = union(HttpClientConfig.KEYS, Set.of("url", "remote_timeout",
            "chunked_read_limit", "headers", "read_recent", "name", "required_matchers", "filter_external_labels"));
    private static final Set<String> STORAGE_KEYS = Set.of("tsdb", "exemplars");
    private static final Set<String> TSDB_KEYS = Set.of("out_of_order_time_window", "retention");
    private static final Set<String> RETENTION_KEYS = Set.of("time", "size");
    private static final Set<String> EXEMPLAR_KEYS = Set.of("max_exemplars");
    private static final Set<String> RUNTIME_KEYS = Set.of("gogc");
    private static final Set<String> TRACING_KEYS = Set.of("client_type", "endpoint", "sampling_fraction", "insecure",
            "tls_config", "headers", "compression", "timeout");
    private static final Set<String> OTLP_KEYS = Set.of("promote_all_resource_attributes", "promote_resource_attributes",
            "ignore_resource_attributes", "translation_strategy", "keep_identifying_resource_attributes",
            "convert_histograms_to_nhcb", "promote_scope_metadata", "label_name_underscore_sanitization",
            "label_name_preserve_multiple_underscores");
    private static final Set<String> SCRAPE_FILE_KEYS = Set.of("scrape_configs");

    // Headers a remote-write config may not set (Prometheus's reservedHeaders).
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "content-encoding", "content-length",
            "content-type", "user-agent", "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
            "www-authenticate", "accept-encoding", "x-prometheus-remote-write-version",
            "x-prometheus-remote-read-version", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256");

    /**
     * Reads, parses and validates {@code file} and the files its {@code scrape_config_files} name.
     * Environment references in external labels are expanded from the process environment.
     *
     * @throws ConfigException naming the file, position and key of the first problem
     */
    public static PrometheusConfig load(Path file) {
        return load(file, System::getenv);
    }

    /** As {@link #load(Path)}, with {@code env} answering environment lookups (null when unset). */
    public static PrometheusConfig load(Path file, UnaryOperator<String> env) {
        String text = read(file);
        // as Prometheus: relative paths in the file are joined to the file's directory as it was named, so a
        // config named "prometheus.yml" names "rules.yml", not an absolute path (check config, the rules API)
        Path dir = file.getParent() == null ? Path.of("") : file.getParent();
        PrometheusConfig c = parse(text, file.toString(), dir, env);
        if (c.scrapeConfigFiles().isEmpty()) return c;
        List<ScrapeConfig> all = new ArrayList<>(c.scrapeConfigs());
        java.util.Set<String> notes = new java.util.LinkedHashSet<>(c.ignoredSettings());
        Map<String, String> jobs = new HashMap<>();
        for (ScrapeConfig s : all) jobs.put(s.jobName(), "main config file");
        for (String pattern : c.scrapeConfigFiles()) {
            for (Path f : Globs.expand(pattern, file.toString())) {
                YamlNodes y = new YamlNodes(f.toString());
                Node root = y.compose(read(f));
                Obj top = y.obj(root, "", SCRAPE_FILE_KEYS);
                List<Node> items = top.seq("scrape_configs");
                for (int i = 0; i < items.size(); i++) {
                    String path = "scrape_configs[" + i + "]";
                    ScrapeConfig s = scrapeConfig(y, items.get(i), path, c.global(), f.getParent() == null ? Path.of("") : f.getParent(), notes);
                    String first = jobs.putIfAbsent(s.jobName(), "\"" + f + "\"");
                    if (first != null) {
                        throw y.error(items.get(i), path + ".job_name", "found multiple scrape configs with job name \""
                                + s.jobName() + "\", first found in " + first);
                    }
                    all.add(s);
                }
            }
        }
        return new PrometheusConfig(c.file(), c.global(), c.ruleFiles(), c.scrapeConfigFiles(), all, c.alerting(),
                c.remoteWrite(), c.remoteRead(), c.storage(), List.copyOf(notes));
    }

    /**
     * Parses a configuration text; {@code scrape_config_files} are not read (see {@link #load}).
     *
     * @param fileName used in error messages
     * @param dir relative paths in the text are resolved against it
     */
    public static PrometheusConfig parse(String text, String fileName, Path dir, UnaryOperator<String> env) {
        YamlNodes y = new YamlNodes(fileName);
        Node root = y.compose(text);
        Obj top = y.obj(root, "", TOP_KEYS);
        java.util.Set<String> notes = new java.util.LinkedHashSet<>(); // settings accepted but not acted on
        GlobalConfig global = global(y, top.obj("global", GLOBAL_KEYS), env, dir, notes);

        List<String> ruleFiles = globPaths(top, "rule_files", "invalid rule file path", dir);
        List<String> scrapeFiles = globPaths(top, "scrape_config_files", "invalid scrape config file path", dir);

        List<ScrapeConfig> scrapes = new ArrayList<>();
        Set<String> jobs = new HashSet<>();
        List<Node> items = top.seq("scrape_configs");
        for (int i = 0; i < items.size(); i++) {
            String path = "scrape_configs[" + i + "]";
            ScrapeConfig s = scrapeConfig(y, items.get(i), path, global, dir, notes);
            if (!jobs.add(s.jobName())) {
                throw y.error(items.get(i), path + ".job_name", "found multiple scrape configs with job name \"" + s.jobName() + "\"");
            }
            scrapes.add(s);
        }

        AlertingConfig alerting = alerting(y, top.obj("alerting", ALERTING_KEYS), global, dir);

        List<RemoteWriteConfig> writes = new ArrayList<>();
        Set<String> writeNames = new HashSet<>();
        items = top.seq("remote_write");
        for (int i = 0; i < items.size(); i++) {
            String path = "remote_write[" + i + "]";
            RemoteWriteConfig w = remoteWrite(y, items.get(i), path, global, dir);
            if (!w.name().isEmpty() && !writeNames.add(w.name())) {
                throw y.error(items.get(i), path + ".name", "found multiple remote write configs with job name \"" + w.name() + "\"");
            }
            writes.add(w);
        }
        List<RemoteReadConfig> reads = new ArrayList<>();
        Set<String> readNames = new HashSet<>();
        items = top.seq("remote_read");
        for (int i = 0; i < items.size(); i++) {
            String path = "remote_read[" + i + "]";
            RemoteReadConfig r = remoteRead(y, items.get(i), path, dir);
            if (!r.name().isEmpty() && !readNames.add(r.name())) {
                throw y.error(items.get(i), path + ".name", "found multiple remote read configs with job name \"" + r.name() + "\"");
            }
            reads.add(r);
        }

        StorageConfig storage = storage(top.obj("storage", STORAGE_KEYS));
        top.obj("runtime", RUNTIME_KEYS).integer("gogc", 75);
        if (tracing(y, top.obj("tracing", TRACING_KEYS), dir)) notes.add("tracing is not supported by Vigil: no traces are sent");
        top.obj("otlp", OTLP_KEYS);
        return new PrometheusConfig(fileName, global, ruleFiles, scrapeFiles, scrapes, alerting, writes, reads, storage,
                List.copyOf(notes));
    }

    // ------------------------------------------------------------------ global

    private static GlobalConfig global(YamlNodes y, Obj g, UnaryOperator<String> env, Path dir, java.util.Set<String> notes) {
        NameValidationScheme scheme = validationScheme(g, NameValidationScheme.UTF8);
        Map<String, String> ext = g.stringMap("external_labels");
        List<String> pairs = new ArrayList<>();
        for (Map.Entry<String, String> e : ext.entrySet()) {
            if (!scheme.isValidLabelName(e.getKey())) {
                throw g.error("external_labels", "\"" + e.getKey() + "\" is not a valid label name");
            }
            pairs.add(e.getKey());
            pairs.add(expandEnv(e.getValue(), env));
        }
        long interval = g.durationMs("scrape_interval", 0);
        if (interval == 0) interval = GlobalConfig.DEFAULT_SCRAPE_INTERVAL_MS;
        long timeout = g.durationMs("scrape_timeout", 0);
        if (timeout > interval) throw g.error("scrape_timeout", "global scrape timeout greater than scrape interval");
        if (timeout == 0) timeout = Math.min(GlobalConfig.DEFAULT_SCRAPE_TIMEOUT_MS, interval);
        long eval = g.durationMs("evaluation_interval", 0);
        if (eval == 0) eval = GlobalConfig.DEFAULT_EVALUATION_INTERVAL_MS;
        List<String> protocols = g.has("scrape_protocols") ? scrapeProtocols(g, "for global config") : List.of();
        escapingScheme(g, scheme);
        boolFlags(g, notes);
        return new GlobalConfig(interval, timeout, eval, g.durationMs("rule_query_offset", 0),
                Labels.of(pairs.toArray(String[]::new)), joinDir(dir, g.string("query_log_file", "")),
                joinDir(dir, g.string("scrape_failure_log_file", "")), limits(g), scheme, protocols,
                g.bool("extra_scrape_metrics", false));
    }

    private static void boolFlags(Obj o, java.util.Set<String> notes) {
        if (o.bool("scrape_native_histograms", false)) {
            notes.add("scrape_native_histograms is not supported by Vigil: targets are asked for text formats, whose histograms are classic");
        }
        if (o.bool("convert_classic_histograms_to_nhcb", false)) {
            notes.add("convert_classic_histograms_to_nhcb is not supported by Vigil: classic histograms are stored as they are");
        }
        o.bool("always_scrape_classic_histograms", false);
    }

    private static ScrapeLimits limits(Obj o) {
        return new ScrapeLimits(o.bytes("body_size_limit", 0), o.uint("sample_limit", 0), o.uint("target_limit", 0),
                o.uint("label_limit", 0), o.uint("label_name_length_limit", 0), o.uint("label_value_length_limit", 0),
                o.uint("keep_dropped_targets", 0));
    }

    private static NameValidationScheme validationScheme(Obj o, NameValidationScheme def) {
        String s = o.string("metric_name_validation_scheme", "");
        return switch (s) {
            case "" -> def;
            case "utf8" -> NameValidationScheme.UTF8;
            case "legacy" -> NameValidationScheme.LEGACY;
            default -> throw o.error("metric_name_validation_scheme",
                    "unknown name validation method specified, must be either '', 'legacy' or 'utf8', got " + s);
        };
    }

    private static void escapingScheme(Obj o, NameValidationScheme scheme) {
        String s = o.string("metric_name_escaping_scheme", "");
        switch (s) {
            case "" -> {}
            case "allow-utf-8" -> {
                if (scheme != NameValidationScheme.UTF8) {
                    throw o.error("metric_name_escaping_scheme", "utf8 metric names requested but validation scheme is not set to UTF8");
                }
            }
            case "underscores", "dots", "values" -> {}
            default -> throw o.error("metric_name_escaping_scheme", "unknown name escaping method specified, must be one of "
                    + "'allow-utf-8', 'underscores', 'dots', or 'values', got \"" + s + "\"");
        }
    }

    private static List<String> scrapeProtocols(Obj o, String where) {
        List<String> ps = o.strings("scrape_protocols");
        if (ps.isEmpty()) throw o.error("scrape_protocols", "scrape_protocols cannot be empty " + where);
        Set<String> seen = new HashSet<>();
        for (String p : ps) {
            if (!seen.add(p.toLowerCase(Locale.ROOT))) {
                throw o.error("scrape_protocols", "duplicated protocol in scrape_protocols, got " + ps + " " + where);
            }
            if (!ScrapeConfig.KNOWN_SCRAPE_PROTOCOLS.contains(p)) {
                throw o.error("scrape_protocols", "scrape_protocols: unknown scrape protocol " + p + ", supported: "
                        + ScrapeConfig.KNOWN_SCRAPE_PROTOCOLS.stream().sorted().toList() + " " + where);
            }
        }
        return ps;
    }

    /** Go's os.Expand over the environment, as Prometheus applies it to external label values. */
    static String expandEnv(String s, UnaryOperator<String> env) {
        if (s.indexOf('$') < 0) return s;
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '$' || i + 1 >= s.length()) {
                sb.append(c);
                i++;
                continue;
            }
            char n = s.charAt(i + 1);
            if (n == '{') {
                int close = s.indexOf('}', i + 2);
                if (close < 0 || close == i + 2) { // bad syntax: Go drops "${" and keeps going
                    i += 2;
                    continue;
                }
                sb.append(lookup(s.substring(i + 2, close), env));
                i = close + 1;
            } else if (n == '$') {
                sb.append('$'); // "$$" is a literal dollar in Prometheus's mapping function
                i += 2;
            } else if (Character.isLetterOrDigit(n) || n == '_') {
                int j = i + 1;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) j++;
                sb.append(lookup(s.substring(i + 1, j), env));
                i = j;
            } else {
                sb.append(c);
                i++;
            }
        }
        return sb.toString();
    }

    private static String lookup(String name, UnaryOperator<String> env) {
        String v = env.apply(name);
        return v == null ? "" : v;
    }

    // ------------------------------------------------------------------ scrape configs

    private static ScrapeConfig scrapeConfig(YamlNodes y, Node n, String path, GlobalConfig global, Path dir, java.util.Set<String> notes) {
        if (YamlNodes.isNull(n)) throw y.error(n, path, "empty or null scrape config section");
        Obj o = y.obj(n, path, SCRAPE_KEYS);
        String job = o.string("job_name", "");
        if (job.isEmpty()) throw o.error("job_name", "job_name is empty");
        HttpClientConfig http = httpClient(y, o, dir, true);

        NameValidationScheme scheme = validationScheme(o, global.nameValidation());
        escapingScheme(o, scheme);
        List<RelabelConfig> relabel = relabelConfigs(y, o, "relabel_configs", scheme, "empty or null target relabeling rule in scrape config");
        List<RelabelConfig> metricRelabel = relabelConfigs(y, o, "metric_relabel_configs", scheme, "empty or null metric relabeling rule in scrape config");
        List<TargetGroup> statics = staticConfigs(y, o, relabel.isEmpty());
        List<FileSdConfig> files = fileSdConfigs(y, o, dir);
        List<HttpSdConfig> httpSd = httpSdConfigs(y, o, dir);
        List<DnsSdConfig> dnsSd = dnsSdConfigs(y, o);

        long interval = o.durationMs("scrape_interval", 0);
        if (interval == 0) interval = global.scrapeIntervalMs();
        long timeout = o.durationMs("scrape_timeout", 0);
        if (timeout > interval) {
            throw o.error("scrape_timeout", "scrape timeout greater than scrape interval for scrape config with job name \"" + job + "\"");
        }
        if (timeout == 0) timeout = Math.min(global.scrapeTimeoutMs(), interval);

        List<String> protocols = o.has("scrape_protocols")
                ? scrapeProtocols(o, "for scrape config with job name \"" + job + "\"")
                : !global.scrapeProtocols().isEmpty() ? global.scrapeProtocols() : ScrapeConfig.DEFAULT_SCRAPE_PROTOCOLS;
        String fallback = o.string("fallback_scrape_protocol", "");
        if (!fallback.isEmpty() && !ScrapeConfig.KNOWN_SCRAPE_PROTOCOLS.contains(fallback)) {
            throw o.error("fallback_scrape_protocol", "invalid fallback_scrape_protocol for scrape config with job name \""
                    + job + "\": unknown scrape protocol " + fallback);
        }
        Map<String, List<String>> params = new LinkedHashMap<>();
        for (NodeTuple t : y.entries(o.node("params"), o.path("params"))) {
            String k = y.scalar(t.getKeyNode(), o.path("params"));
            params.put(k, List.copyOf(y.strings(t.getValueNode(), o.path("params") + "." + k)));
        }
        String metricsPath = o.string("metrics_path", "/metrics");
        String schemeName = o.string("scheme", "http");
        boolFlags(o, notes);
        o.uint("native_histogram_bucket_limit", 0);
        o.real("native_histogram_min_bucket_factor", 0);
        String failureLog = joinDir(dir, o.string("scrape_failure_log_file", ""));
        if (failureLog.isEmpty()) failureLog = global.scrapeFailureLogFile();
        return new ScrapeConfig(job, interval, timeout, metricsPath, schemeName, params,
                o.bool("honor_labels", false), o.bool("honor_timestamps", true),
                o.bool("track_timestamps_staleness", false), o.bool("enable_compression", true),
                limits(o).orElse(global.limits()), http, statics, files, httpSd, dnsSd, relabel, metricRelabel, protocols,
                fallback, scheme, failureLog, o.bool("extra_scrape_metrics", global.extraScrapeMetrics()));
    }

    private static List<TargetGroup> staticConfigs(YamlNodes y, Obj o, boolean checkAddresses) {
        List<Node> items = o.seq("static_configs");
        List<TargetGroup> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String path = o.path("static_configs") + "[" + i + "]";
            out.add(targetGroup(y, items.get(i), path, String.valueOf(i), checkAddresses));
        }
        return out;
    }

    /**
     * One target group ({@code targets} and {@code labels}), from a static config or a file_sd
     * file. With {@code checkAddresses}, a target holding a '/' is refused as Prometheus does when
     * no relabeling could repair it.
     */
    static TargetGroup targetGroup(YamlNodes y, Node n, String path, String source, boolean checkAddresses) {
        Obj g = y.obj(n, path, GROUP_KEYS);
        List<String> targets = g.strings("targets");
        Map<String, String> labels = g.stringMap("labels");
        List<String> pairs = new ArrayList<>();
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!NameValidationScheme.UTF8.isValidLabelName(e.getKey())) {
                throw g.error("labels", "\"" + e.getKey() + "\" is not a valid label name");
            }
            pairs.add(e.getKey());
            pairs.add(e.getValue());
        }
        List<Labels> ts = new ArrayList<>(targets.size());
        for (String t : targets) {
            if (checkAddresses && t.contains("/")) throw g.error("targets", "\"" + t + "\" is not a valid hostname");
            ts.add(Labels.of(TargetGroup.ADDRESS_LABEL, t));
        }
        return new TargetGroup(source, ts, Labels.of(pairs.toArray(String[]::new)));
    }

    private static List<FileSdConfig> fileSdConfigs(YamlNodes y, Obj o, Path dir) {
        List<Node> items = o.seq("file_sd_configs");
        List<FileSdConfig> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Obj f = y.obj(items.get(i), o.path("file_sd_configs") + "[" + i + "]", FILE_SD_KEYS);
            List<String> files = f.strings("files");
            if (files.isEmpty()) throw f.error("files", "file service discovery config must contain at least one path name");
            List<String> resolved = new ArrayList<>(files.size());
            for (String name : files) {
                if (name.isEmpty() || !(name.endsWith(".json") || name.endsWith(".yml") || name.endsWith(".yaml"))
                        || !GLOB_PATH.matcher(name).matches()) {
                    throw f.error("files", "path name \"" + name + "\" is not valid for file discovery");
                }
                resolved.add(joinDir(dir, name));
            }
            out.add(new FileSdConfig(resolved, f.durationMs("refresh_interval", FileSdConfig.DEFAULT_REFRESH_INTERVAL_MS)));
        }
        return out;
    }

    private static List<HttpSdConfig> httpSdConfigs(YamlNodes y, Obj o, Path dir) {
        List<Node> items = o.seq("http_sd_configs");
        List<HttpSdConfig> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Obj h = y.obj(items.get(i), o.path("http_sd_configs") + "[" + i + "]", HTTP_SD_KEYS);
            String url = h.string("url", "");
            if (url.isEmpty()) throw h.error("url", "URL is missing");
            URI u = uri(h, "url", url);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) throw h.error("url", "URL scheme must be 'http' or 'https'");
            if (u.getHost() == null || u.getHost().isEmpty()) throw h.error("url", "host is missing in URL");
            out.add(new HttpSdConfig(url, h.durationMs("refresh_interval", HttpSdConfig.DEFAULT_REFRESH_INTERVAL_MS),
                    httpClient(y, h, dir, true)));
        }
        return out;
    }

    private static List<DnsSdConfig> dnsSdConfigs(YamlNodes y, Obj o) {
        List<Node> items = o.seq("dns_sd_configs");
        List<DnsSdConfig> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Obj d = y.obj(items.get(i), o.path("dns_sd_configs") + "[" + i + "]", DNS_SD_KEYS);
            List<String> names = d.strings("names");
            if (names.isEmpty()) throw d.error("names", "DNS-SD config must contain at least one SRV record name");
            // Prometheus keeps the type as written and compares it upper-cased
            String type = d.string("type", "SRV");
            String upper = type.toUpperCase(java.util.Locale.ROOT);
            if (!DnsSdConfig.TYPES.contains(upper)) throw d.error("type", "invalid DNS-SD records type " + type);
            long port = d.integer("port", 0);
            if (port < 0 || port > 65535) throw d.error("port", "port " + port + " is out of range");
            if (port == 0 && !upper.equals("SRV")) {
                throw d.error("port", "a port is required in DNS-SD configs for all record types except SRV");
            }
            out.add(new DnsSdConfig(names, d.durationMs("refresh_interval", DnsSdConfig.DEFAULT_REFRESH_INTERVAL_MS),
                    upper, upper.equals("SRV") ? 0 : (int) port));
        }
        return out;
    }

    private static URI uri(Obj o, String key, String s) {
        try {
            return new URI(s);
        } catch (URISyntaxException e) {
            throw o.error(key, "invalid URL \"" + s + "\": " + e.getReason());
        }
    }

    private static List<RelabelConfig> relabelConfigs(YamlNodes y, Obj o, String key, NameValidationScheme scheme, String nullMessage) {
        List<Node> items = o.seq(key);
        List<RelabelConfig> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String path = o.path(key) + "[" + i + "]";
            if (YamlNodes.isNull(items.get(i))) throw y.error(items.get(i), path, nullMessage);
            Obj r = y.obj(items.get(i), path, RELABEL_KEYS);
            RelabelConfig.Builder b = RelabelConfig.builder().nameValidation(scheme);
            try {
                if (r.has("source_labels")) b.sourceLabels(r.strings("source_labels").toArray(String[]::new));
                if (r.has("separator")) b.separator(r.string("separator", ";"));
                if (r.has("target_label")) b.targetLabel(r.string("target_label", ""));
                if (r.has("regex")) b.regex(r.string("regex", ""));
                if (r.has("replacement")) b.replacement(r.string("replacement", ""));
                if (r.has("action")) b.action(RelabelAction.parse(r.string("action", "")));
            } catch (IllegalArgumentException e) {
                throw r.error("", e.getMessage());
            }
            if (r.has("modulus")) {
                String m = y.scalar(r.node("modulus"), r.path("modulus"));
                try {
                    b.modulus(Long.parseUnsignedLong(m));
                } catch (NumberFormatException e) {
                    throw r.error("modulus", "cannot read \"" + m + "\" as an unsigned integer");
                }
            }
            try {
                out.add(b.build());
            } catch (IllegalArgumentException e) {
                throw r.error("", e.getMessage());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ HTTP client

    private static HttpClientConfig httpClient(YamlNodes y, Obj o, Path dir, boolean http2Default) {
        String bearer = o.string("bearer_token", "");
        String bearerFile = joinDir(dir, o.string("bearer_token_file", ""));
        if (o.has("oauth2")) throw o.error("oauth2", "oauth2 is not supported by Vigil");
        if (o.has("proxy_connect_header")) y.entries(o.node("proxy_connect_header"), o.path("proxy_connect_header"));
        Map<String, HttpClientConfig.Header> headers = new LinkedHashMap<>();
        if (o.has("http_headers")) {
            String path = o.path("http_headers");
            for (NodeTuple t : y.entries(o.node("http_headers"), path)) {
                String name = y.scalar(t.getKeyNode(), path);
                if (name.isBlank()) throw y.error(t.getKeyNode(), path, "empty header name");
                String canonical = HttpClientConfig.canonicalHeaderKey(name);
                if (HttpClientConfig.RESERVED_HEADERS.contains(canonical)) {
                    throw y.error(t.getKeyNode(), path + "." + name, "setting header \"" + canonical + "\" is not allowed");
                }
                Obj h = y.obj(t.getValueNode(), path + "." + name, HttpClientConfig.Header.KEYS);
                headers.put(name, new HttpClientConfig.Header(h.strings("values"), h.strings("secrets"),
                        h.strings("files").stream().map(f -> joinDir(dir, f)).toList()));
            }
        }
        if (!bearer.isEmpty() && !bearerFile.isEmpty()) {
            throw o.error("bearer_token", "at most one of bearer_token & bearer_token_file must be configured");
        }
        BasicAuth basic = null;
        if (o.has("basic_auth")) {
            Obj b = o.obj("basic_auth", BasicAuth.KEYS);
            basic = new BasicAuth(b.string("username", ""), joinDir(dir, b.string("username_file", "")),
                    b.string("password", ""), joinDir(dir, b.string("password_file", "")));
            if (!basic.username().isEmpty() && !basic.usernameFile().isEmpty()) {
                throw o.error("basic_auth", "at most one of basic_auth username, username_file & username_ref must be configured");
            }
            if (!basic.password().isEmpty() && !basic.passwordFile().isEmpty()) {
                throw o.error("basic_auth", "at most one of basic_auth password, password_file & password_ref must be configured");
            }
            if (!bearer.isEmpty() || !bearerFile.isEmpty()) {
                throw o.error("basic_auth", "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
            }
        }
        Authorization auth = null;
        if (o.has("authorization")) {
            Obj a = o.obj("authorization", Authorization.KEYS);
            if (!bearer.isEmpty() || !bearerFile.isEmpty()) {
                throw o.error("authorization", "authorization is not compatible with bearer_token & bearer_token_file");
            }
            String type = a.string("type", "").trim();
            if (type.isEmpty()) type = "Bearer";
            auth = new Authorization(type, a.string("credentials", ""), joinDir(dir, a.string("credentials_file", "")));
            if (!auth.credentials().isEmpty() && !auth.credentialsFile().isEmpty()) {
                throw o.error("authorization", "at most one of authorization credentials & credentials_file must be configured");
            }
            if (type.equalsIgnoreCase("basic")) {
                throw o.error("authorization", "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
            }
            if (basic != null) throw o.error("authorization", "at most one of basic_auth, oauth2 & authorization must be configured");
        } else if (!bearer.isEmpty() || !bearerFile.isEmpty()) {
            auth = new Authorization("Bearer", bearer, bearerFile);
        }
        TlsConfig tls = TlsConfig.NONE;
        if (o.has("tls_config")) tls = tls(o.obj("tls_config", TlsConfig.KEYS), dir);
        String proxy = o.string("proxy_url", "");
        boolean fromEnv = o.bool("proxy_from_environment", false);
        if (!proxy.isEmpty() && fromEnv) {
            throw o.error("proxy_url", "if proxy_from_environment is configured, proxy_url must not be configured");
        }
        String noProxy = o.string("no_proxy", "");
        if (!noProxy.isEmpty() && proxy.isEmpty()) throw o.error("no_proxy", "if no_proxy is configured, proxy_url must also be configured");
        return new HttpClientConfig(basic, auth, tls, o.bool("follow_redirects", true), o.bool("enable_http2", http2Default),
                proxy, noProxy, fromEnv, headers, !y.entries(o.node("proxy_connect_header"), o.path("proxy_connect_header")).isEmpty());
    }

    private static TlsConfig tls(Obj t, Path dir) {
        TlsConfig c = new TlsConfig(t.string("ca", ""), joinDir(dir, t.string("ca_file", "")), t.string("cert", ""),
                joinDir(dir, t.string("cert_file", "")), t.string("key", ""), joinDir(dir, t.string("key_file", "")),
                t.string("server_name", ""), t.bool("insecure_skip_verify", false), t.string("min_version", ""),
                t.string("max_version", ""));
        if (!c.ca().isEmpty() && !c.caFile().isEmpty()) throw t.error("ca", "at most one of ca and ca_file must be configured");
        if (!c.cert().isEmpty() && !c.certFile().isEmpty()) throw t.error("cert", "at most one of cert and cert_file must be configured");
        if (!c.key().isEmpty() && !c.keyFile().isEmpty()) throw t.error("key", "at most one of key and key_file must be configured");
        boolean hasCert = !c.cert().isEmpty() || !c.certFile().isEmpty();
        boolean hasKey = !c.key().isEmpty() || !c.keyFile().isEmpty();
        if (hasCert && !hasKey) throw t.error("", "exactly one of key or key_file must be configured when a client certificate is configured");
        if (hasKey && !hasCert) throw t.error("", "exactly one of cert or cert_file must be configured when a client key is configured");
        for (String k : List.of("min_version", "max_version")) {
            String v = t.string(k, "");
            if (!v.isEmpty() && !Set.of("TLS10", "TLS11", "TLS12", "TLS13").contains(v)) {
                throw t.error(k, "unknown TLS version: " + v);
            }
        }
        return c;
    }

    // ------------------------------------------------------------------ alerting, remote, storage

    private static AlertingConfig alerting(YamlNodes y, Obj a, GlobalConfig global, Path dir) {
        NameValidationScheme scheme = global.nameValidation();
        List<RelabelConfig> alertRelabel = relabelConfigs(y, a, "alert_relabel_configs", scheme, "empty or null alert relabeling rule");
        List<AlertmanagerConfig> ams = new ArrayList<>();
        List<Node> items = a.seq("alertmanagers");
        for (int i = 0; i < items.size(); i++) {
            Obj m = y.obj(items.get(i), a.path("alertmanagers") + "[" + i + "]", ALERTMANAGER_KEYS);
            HttpClientConfig http = httpClient(y, m, dir, true);
            if (m.has("sigv4")) throw m.error("sigv4", "sigv4 is not supported by Vigil");
            List<RelabelConfig> relabel = relabelConfigs(y, m, "relabel_configs", scheme, "empty or null Alertmanager target relabeling rule");
            List<RelabelConfig> amAlertRelabel = relabelConfigs(y, m, "alert_relabel_configs", scheme, "empty or null Alertmanager alert relabeling rule");
            String api = m.string("api_version", "v2");
            if (!api.equals("v2")) throw m.error("api_version", "expected Alertmanager api version to be one of [v2] but got " + api);
            ams.add(new AlertmanagerConfig(staticConfigs(y, m, relabel.isEmpty()), fileSdConfigs(y, m, dir),
                    httpSdConfigs(y, m, dir), dnsSdConfigs(y, m), http, m.string("scheme", "http"), m.string("path_prefix", ""),
                    m.durationMs("timeout", 10_000), api, relabel, amAlertRelabel));
        }
        return new AlertingConfig(List.copyOf(alertRelabel), List.copyOf(ams));
    }

    private static RemoteWriteConfig remoteWrite(YamlNodes y, Node n, String path, GlobalConfig global, Path dir) {
        if (YamlNodes.isNull(n)) throw y.error(n, path, "empty or null remote write config section");
        Obj w = y.obj(n, path, REMOTE_WRITE_KEYS);
        String url = w.string("url", "");
        if (url.isEmpty()) throw w.error("url", "url for remote_write is empty");
        uri(w, "url", url);
        Map<String, String> headers = w.stringMap("headers");
        checkHeaders(w, headers);
        List<RelabelConfig> relabel = relabelConfigs(y, w, "write_relabel_configs", global.nameValidation(),
                "empty or null relabeling rule in remote write config");
        String msg = w.string("protobuf_message", RemoteWriteConfig.WRITE_V1);
        if (!msg.equals(RemoteWriteConfig.WRITE_V1) && !msg.equals(RemoteWriteConfig.WRITE_V2)) {
            throw w.error("protobuf_message", "invalid protobuf_message value: unknown remote write protobuf message "
                    + msg + ", supported: " + RemoteWriteConfig.WRITE_V1 + ", " + RemoteWriteConfig.WRITE_V2);
        }
        HttpClientConfig http = httpClient(y, w, dir, false);
        List<String> auths = new ArrayList<>();
        if (http.basicAuth() != null) auths.add("basic_auth");
        if (http.authorization() != null) auths.add("authorization");
        for (String k : List.of("sigv4", "azuread", "google_iam")) {
            if (w.has(k)) auths.add(k);
        }
        if (auths.size() > 1) {
            throw w.error("", "at most one of basic_auth, authorization, oauth2, sigv4, azuread or google_iam must be configured. Currently configured: " + auths);
        }
        for (String k : List.of("sigv4", "azuread", "google_iam")) {
            if (w.has(k)) throw w.error(k, k + " is not supported by Vigil");
        }
        Obj q = w.obj("queue_config", QUEUE_KEYS);
        QueueConfig d = QueueConfig.DEFAULT;
        QueueConfig queue = new QueueConfig(
                (int) q.integer("capacity", d.capacity()), (int) q.integer("max_shards", d.maxShards()),
                (int) q.integer("min_shards", d.minShards()), (int) q.integer("max_samples_per_send", d.maxSamplesPerSend()),
                q.durationMs("batch_send_deadline", d.batchSendDeadlineMs()), q.durationMs("min_backoff", d.minBackoffMs()),
                q.durationMs("max_backoff", d.maxBackoffMs()), q.bool("retry_on_http_429", false),
                q.durationMs("sample_age_limit", 0));
        Obj m = w.obj("metadata_config", METADATA_KEYS);
        MetadataConfig md = MetadataConfig.DEFAULT;
        MetadataConfig meta = new MetadataConfig(m.bool("send", md.send()), m.durationMs("send_interval", md.sendIntervalMs()),
                (int) m.integer("max_samples_per_send", md.maxSamplesPerSend()));
        return new RemoteWriteConfig(url, w.string("name", ""), w.durationMs("remote_timeout", 30_000), headers, relabel,
                w.bool("send_exemplars", false), w.bool("send_native_histograms", false), w.bool("round_robin_dns", false),
                msg, http, queue, meta);
    }

    private static void checkHeaders(Obj o, Map<String, String> headers) {
        for (String h : headers.keySet()) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.equals("authorization")) {
                throw o.error("headers", "authorization header must be changed via the basic_auth, authorization, oauth2, sigv4, azuread or google_iam parameter");
            }
            if (RESERVED_HEADERS.contains(lower)) throw o.error("headers", h + " is a reserved header. It must not be changed");
        }
    }

    private static RemoteReadConfig remoteRead(YamlNodes y, Node n, String path, Path dir) {
        if (YamlNodes.isNull(n)) throw y.error(n, path, "empty or null remote read config section");
        Obj r = y.obj(n, path, REMOTE_READ_KEYS);
        String url = r.string("url", "");
        if (url.isEmpty()) throw r.error("url", "url for remote_read is empty");
        uri(r, "url", url);
        Map<String, String> headers = r.stringMap("headers");
        checkHeaders(r, headers);
        r.uint("chunked_read_limit", 0);
        return new RemoteReadConfig(url, r.string("name", ""), r.durationMs("remote_timeout", 60_000), headers,
                r.bool("read_recent", false), r.stringMap("required_matchers"), r.bool("filter_external_labels", true),
                httpClient(y, r, dir, true));
    }

    private static StorageConfig storage(Obj s) {
        Obj t = s.obj("tsdb", TSDB_KEYS);
        Obj ret = t.obj("retention", RETENTION_KEYS);
        Obj ex = s.obj("exemplars", EXEMPLAR_KEYS);
        return new StorageConfig(t.durationMs("out_of_order_time_window", 0), ret.durationMs("time", 0),
                ret.bytes("size", 0), ex.integer("max_exemplars", StorageConfig.DEFAULT.maxExemplars()));
    }

    /** Validates the tracing section as Prometheus does; true when there is one. */
    private static boolean tracing(YamlNodes y, Obj t, Path dir) {
        if (YamlNodes.isNull(t.node)) return false;
        String type = t.string("client_type", "grpc");
        if (!type.equals("grpc") && !type.equals("http")) {
            throw t.error("client_type", "expected tracing client type to be to be http or grpc, but got " + type);
        }
        if (t.string("endpoint", "").isEmpty()) throw t.error("endpoint", "tracing endpoint must be set");
        String comp = t.string("compression", "");
        if (!comp.isEmpty() && !comp.equals("gzip")) {
            throw t.error("compression", "invalid compression type " + comp + " provided, valid options: gzip");
        }
        t.real("sampling_fraction", 0);
        t.bool("insecure", false);
        t.durationMs("timeout", 0);
        t.stringMap("headers");
        if (t.has("tls_config")) tls(t.obj("tls_config", TlsConfig.KEYS), dir);
        return true;
    }

    // ------------------------------------------------------------------ helpers

    private static List<String> globPaths(Obj o, String key, String message, Path dir) {
        List<String> out = new ArrayList<>();
        for (String p : o.strings(key)) {
            if (!GLOB_PATH.matcher(p).matches()) throw o.error(key, message + " \"" + p + "\"");
            out.add(joinDir(dir, p));
        }
        return out;
    }

    /** Prometheus's config.JoinDir: a relative, non-empty path is taken relative to {@code dir}. */
    static String joinDir(Path dir, String p) {
        if (p.isEmpty() || dir == null) return p;
        Path path = Path.of(p);
        return path.isAbsolute() ? p : dir.resolve(path).normalize().toString();
    }

    static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ConfigException.ofFile(f.toString(), "cannot read file: " + e, e);
        }
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> out = new HashSet<>();
        for (Set<String> s : sets) out.addAll(s);
        return Set.copyOf(out);
    }
}
