package dev.vigil.server;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Command-line flags, with Prometheus's names and defaults. Only the flags this build acts on are
 * accepted; an unknown flag is an error that names it.
 */
record Flags(Path storagePath, String listenAddress, long retentionMs, long retentionBytes, String logLevel, Path configFile,
        boolean configFileGiven, boolean enableLifecycle) {
    static final Map<String, String> HELP = new LinkedHashMap<>();

    static {
        HELP.put("--config.file", "Prometheus configuration file path; without the flag, prometheus.yml is used when present. (default: prometheus.yml)");
        HELP.put("--web.enable-lifecycle", "Enable reload via HTTP request (POST /-/reload). (default: off)");
        HELP.put("--storage.tsdb.path", "Base path for metrics storage. (default: data/)");
        HELP.put("--storage.tsdb.retention.time", "How long to retain samples in storage, e.g. 15d, 12h. (default: 15d)");
        HELP.put("--storage.tsdb.retention.size", "Maximum bytes under the storage path, e.g. 512MB, 10GB; 0 is no limit. (default: 0)");
        HELP.put("--web.listen-address", "Address to listen on for the web interface and API. (default: 0.0.0.0:9090)");
        HELP.put("--log.level", "Only log messages with the given severity or above: debug, info, warn, error. (default: info)");
    }

    static Flags parse(String[] args) {
        Path storage = Path.of("data");
        String listen = "0.0.0.0:9090";
        long retentionMs = Durations.parse("15d");
        long retentionBytes = 0;
        String level = "info";
        Path config = Path.of("prometheus.yml");
        boolean configGiven = false;
        boolean lifecycle = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a, value = null;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            if (name.equals("--help") || name.equals("-h")) throw new HelpRequested();
            if (!HELP.containsKey(name)) throw new IllegalArgumentException("unknown flag " + name + " (see --help)");
            if (name.equals("--web.enable-lifecycle") && value == null) {
                lifecycle = true; // a boolean flag, as in Prometheus
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length) throw new IllegalArgumentException("flag " + name + " needs a value");
                value = args[++i];
            }
            switch (name) {
                case "--storage.tsdb.path" -> storage = Path.of(value);
                case "--storage.tsdb.retention.time" -> retentionMs = Durations.parse(value);
                case "--storage.tsdb.retention.size" -> retentionBytes = Durations.parseBytes(value);
                case "--web.listen-address" -> listen = value;
                case "--log.level" -> level = value;
                case "--config.file" -> {
                    config = Path.of(value);
                    configGiven = true;
                }
                case "--web.enable-lifecycle" -> lifecycle = Boolean.parseBoolean(value);
                default -> throw new IllegalStateException(name);
            }
        }
        return new Flags(storage, listen, retentionMs, retentionBytes, level, config, configGiven, lifecycle);
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("usage: vigil [<flags>]\n\nFlags:\n");
        HELP.forEach((k, v) -> sb.append(String.format("  %-34s %s%n", k, v)));
        return sb.toString();
    }

    static final class HelpRequested extends RuntimeException {
        HelpRequested() {
            super(null, null, false, false);
        }
    }
}
