package dev.vigil.server;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Command-line flags, with Prometheus's names, syntax ({@code --name value}, {@code --name=value},
 * {@code --bool-flag}, {@code --no-bool-flag}) and defaults. An unknown flag is an error that
 * names it.
 */
record Flags(Map<String, String> values) {
    /** Flag name (without dashes) → [default, help]. Order is the order of --help. */
    static final Map<String, String[]> SPEC = new LinkedHashMap<>();
    static final java.util.Set<String> BOOLEAN = java.util.Set.of(
            "web.enable-lifecycle", "web.enable-admin-api", "web.enable-remote-write-receiver");

    static {
        spec("config.file", "", "Vigil configuration file path (prometheus.yml). Without it, an embedded default scrapes Vigil itself and a node_exporter on localhost:9100.");
        spec("web.listen-address", "0.0.0.0:9090", "Address to listen on for UI, API, and telemetry.");
        spec("web.config.file", "", "Path to a configuration file that can enable TLS or authentication (exporter-toolkit format).");
        spec("web.external-url", "", "The URL under which Vigil is externally reachable (behind a reverse proxy, say). Its path is the default route prefix.");
        spec("web.route-prefix", "", "Prefix for the internal routes of web endpoints. Defaults to the path of --web.external-url.");
        spec("web.enable-lifecycle", "false", "Enable shutdown and reload via HTTP request (/-/quit, /-/reload).");
        spec("web.enable-admin-api", "false", "Enable API endpoints for admin control actions (delete_series, clean_tombstones, snapshot).");
        spec("web.enable-remote-write-receiver", "false", "Enable API endpoint accepting remote write requests (and /api/v1/import/prometheus).");
        spec("storage.tsdb.path", "data/", "Base path for metrics storage.");
        spec("web.dashboards.path", "", "Directory of dashboard JSON files (Grafana's model) for the UI; dashboards uploaded in the UI are saved under it. Defaults to <storage.tsdb.path>/dashboards.");
        spec("storage.tsdb.retention.time", "15d", "How long to retain samples in storage, e.g. 15d, 12h.");
        spec("storage.tsdb.retention.size", "0", "Maximum number of bytes under the storage path, e.g. 512MB, 10GB; 0 is no limit.");
        spec("query.timeout", "2m", "Maximum time a query may take before being aborted.");
        spec("query.max-samples", "50000000", "Maximum number of samples a single query can load into memory.");
        spec("query.lookback-delta", "5m", "The maximum lookback duration for retrieving metrics during expression evaluations.");
        spec("query.max-concurrency", "20", "Maximum number of queries executed concurrently.");
        spec("rules.alert.resend-delay", "1m", "Minimum amount of time to wait before resending an alert to Alertmanager.");
        spec("log.level", "info", "Only log messages with the given severity or above: debug, info, warn, error.");
        spec("log.format", "logfmt", "Output format of log messages: logfmt or json (accepted; Vigil logs one line per message).");
    }

    private static void spec(String name, String dflt, String help) {
        SPEC.put(name, new String[] {dflt, help});
    }

    static Flags parse(String[] args) {
        Map<String, String> v = new LinkedHashMap<>();
        SPEC.forEach((k, s) -> v.put(k, s[0]));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) throw new HelpRequested();
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument " + a + " (see --help)");
            String name = a.substring(2), value = null;
            int eq = name.indexOf('=');
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (value == null && name.startsWith("no-") && BOOLEAN.contains(name.substring(3))) {
                v.put(name.substring(3), "false");
                continue;
            }
            if (!SPEC.containsKey(name)) throw new IllegalArgumentException("unknown long flag '--" + name + "' (see --help)");
            if (BOOLEAN.contains(name)) {
                if (value == null) value = "true";
                if (!value.equals("true") && !value.equals("false")) {
                    throw new IllegalArgumentException("flag --" + name + " takes true or false, got \"" + value + "\"");
                }
            } else if (value == null) {
                if (i + 1 >= args.length) throw new IllegalArgumentException("expected argument for flag '--" + name + "'");
                value = args[++i];
            }
            v.put(name, value);
        }
        // the effective directory, so that /api/v1/status/flags shows where dashboards really are
        if (v.get("web.dashboards.path").isEmpty()) v.put("web.dashboards.path", Path.of(v.get("storage.tsdb.path")).resolve("dashboards").toString());
        Flags f = new Flags(v);
        f.validate();
        return f;
    }

    /** Checks every value now, so that a bad one fails at start with the flag's name. */
    private void validate() {
        for (String d : new String[] {"storage.tsdb.retention.time", "query.timeout", "query.lookback-delta", "rules.alert.resend-delay"}) {
            try {
                Durations.parse(values.get(d));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid value for --" + d + ": " + e.getMessage());
            }
        }
        try {
            Durations.parseBytes(values.get("storage.tsdb.retention.size"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid value for --storage.tsdb.retention.size: " + e.getMessage());
        }
        for (String n : new String[] {"query.max-samples", "query.max-concurrency"}) {
            try {
                if (Long.parseLong(values.get(n)) <= 0) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid value for --" + n + ": expected a positive integer, got \"" + values.get(n) + "\"");
            }
        }
        String level = logLevel();
        if (!java.util.List.of("debug", "info", "warn", "error").contains(level)) {
            throw new IllegalArgumentException("--log.level must be one of debug, info, warn, error, got \"" + level + "\"");
        }
        listenHost();
        listenPort();
        externalUrl(() -> "localhost");
        routePrefix();
    }

    /**
     * The URL under which Vigil is reachable, as Prometheus computes it: --web.external-url, by
     * default {@code http://<hostname>:<listen port>}, without a trailing slash. Alerts link to it
     * (generatorURL), templates see it as {@code $externalURL}, and targets' globalUrl uses its host.
     */
    String externalUrl() {
        return externalUrl(Flags::hostname);
    }

    private String externalUrl(java.util.function.Supplier<String> hostname) {
        String u = values.get("web.external-url");
        if (u.isEmpty()) {
            String host = hostname.get();
            if (host.indexOf(':') >= 0) host = "[" + host + "]";
            u = "http://" + host + ":" + listenPort() + "/";
        }
        if (u.startsWith("\"") || u.startsWith("'") || u.endsWith("\"") || u.endsWith("'")) {
            throw new IllegalArgumentException("invalid --web.external-url \"" + u + "\": URL must not begin or end with quotes");
        }
        java.net.URI uri;
        try {
            uri = new java.net.URI(u);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("invalid --web.external-url \"" + u + "\": " + e.getMessage());
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        if (!path.isEmpty() && !path.startsWith("/")) path = "/" + path;
        String origin = uri.getScheme() == null ? "" : uri.getScheme() + ":";
        if (uri.getRawAuthority() != null) origin += "//" + uri.getRawAuthority();
        return origin + path;
    }

    /** The machine's name as Go's os.Hostname gives it on Linux (the kernel's), else Java's view. */
    static String hostname() {
        try {
            String h = java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            if (!h.isEmpty()) return h;
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: ask the resolver below
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    String get(String name) {
        return values.get(name);
    }

    boolean bool(String name) {
        return Boolean.parseBoolean(values.get(name));
    }

    Path storagePath() {
        return Path.of(values.get("storage.tsdb.path"));
    }

    Path dashboardsPath() {
        return Path.of(values.get("web.dashboards.path"));
    }

    String listenAddress() {
        return values.get("web.listen-address");
    }

    String listenHost() {
        String l = listenAddress();
        int colon = l.lastIndexOf(':');
        if (colon < 0) throw new IllegalArgumentException("invalid --web.listen-address \"" + l + "\": missing port");
        String host = l.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        return host.isEmpty() ? "0.0.0.0" : host;
    }

    int listenPort() {
        String l = listenAddress();
        try {
            int port = Integer.parseInt(l.substring(l.lastIndexOf(':') + 1));
            if (port < 0 || port > 65535) throw new NumberFormatException();
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid --web.listen-address \"" + l + "\": bad port");
        }
    }

    long retentionMs() {
        return Durations.parse(values.get("storage.tsdb.retention.time"));
    }

    long retentionBytes() {
        return Durations.parseBytes(values.get("storage.tsdb.retention.size"));
    }

    String logLevel() {
        return values.get("log.level");
    }

    long queryTimeoutMs() {
        return Durations.parse(values.get("query.timeout"));
    }

    long queryMaxSamples() {
        return Long.parseLong(values.get("query.max-samples"));
    }

    long alertResendDelayMs() {
        return Durations.parse(values.get("rules.alert.resend-delay"));
    }

    long lookbackDeltaMs() {
        return Durations.parse(values.get("query.lookback-delta"));
    }

    /** "" or "/path" without a trailing slash: from --web.route-prefix, else --web.external-url's path. */
    String routePrefix() {
        String p = values.get("web.route-prefix");
        if (p.isEmpty()) {
            String ext = values.get("web.external-url");
            if (!ext.isEmpty()) {
                try {
                    p = java.net.URI.create(ext).getPath();
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("invalid --web.external-url \"" + ext + "\": " + e.getMessage());
                }
            }
        }
        if (p == null) p = "";
        if (!p.isEmpty() && !p.startsWith("/")) p = "/" + p;
        while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p;
    }

    /** What /api/v1/status/flags shows: every flag with its effective value. */
    Map<String, String> forApi() {
        return new LinkedHashMap<>(values);
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("usage: vigil [<flags>]\n       vigil import openmetrics FILE [--storage.tsdb.path DIR]\n\nFlags:\n");
        SPEC.forEach((k, s) -> {
            String flag = BOOLEAN.contains(k) ? "--[no-]" + k : "--" + k + "=" + (s[0].isEmpty() ? "VALUE" : s[0]);
            sb.append(String.format("  %-46s %s%n", flag, s[1]));
        });
        return sb.toString();
    }

    static final class HelpRequested extends RuntimeException {
        HelpRequested() {
            super(null, null, false, false);
        }
    }
}
