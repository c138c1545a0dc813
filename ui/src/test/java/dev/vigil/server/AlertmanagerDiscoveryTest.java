package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.vigil.ingest.config.AlertingConfig.AlertmanagerConfig;
import dev.vigil.ingest.config.ConfigParser;
import dev.vigil.ingest.config.TargetGroup;
import dev.vigil.rules.notify.Notifier;
import dev.vigil.tsdb.Labels;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** alerting.alertmanagers: discovery, relabeling and per-Alertmanager alert relabeling, as Prometheus applies them. */
class AlertmanagerDiscoveryTest {
    @TempDir
    Path dir;

    static AlertmanagerConfig config(String alertmanagerYaml) {
        String yaml = "alerting:\n  alertmanagers:\n" + alertmanagerYaml.indent(4);
        return ConfigParser.parse(yaml, "prometheus.yml", Path.of("/etc/vigil"), n -> null).alerting().alertmanagers().getFirst();
    }

    static List<String> urls(AlertmanagerDiscovery.Resolved r) {
        return r.active().stream().map(t -> t.url().toString()).toList();
    }

    @Test
    void targets_get_scheme_and_alerts_path_then_relabeling() {
        AlertmanagerConfig c = config("""
                - scheme: https
                  path_prefix: /am/./x/../
                  relabel_configs:
                    - source_labels: [dc]
                      regex: old
                      action: drop
                    - source_labels: [__address__]
                      regex: (.*):9093
                      target_label: __alerts_path__
                      replacement: /custom/api/v2/alerts
                """);
        assertEquals("/am/api/v2/alerts", AlertmanagerDiscovery.joinPath(c.pathPrefix(), Notifier.Target.ALERTS_PATH));
        TargetGroup g = new TargetGroup("g", List.of(
                Labels.of("__address__", "a:9094"),
                Labels.of("__address__", "b:9093"),
                Labels.of("__address__", "c:9094", "dc", "old"),
                Labels.of("__address__", "a:9094", "__scheme__", "http")), // the configured scheme wins: a duplicate
                Labels.of("dc", "new"));
        AlertmanagerDiscovery.Resolved r = AlertmanagerDiscovery.resolve(c, List.of(g));
        assertEquals(List.of("https://a:9094/am/api/v2/alerts", "https://b:9093/custom/api/v2/alerts"), urls(r));
        assertEquals(List.of("https://c:9094/am/api/v2/alerts"), r.dropped());
    }

    @Test
    void a_group_label_fills_only_what_a_target_lacks() {
        AlertmanagerConfig c = config("""
                - relabel_configs:
                    - source_labels: [team]
                      target_label: __address__
                      replacement: $1.example.test:9093
                """);
        TargetGroup g = new TargetGroup("g", List.of(Labels.of("__address__", "x:1"), Labels.of("__address__", "y:1", "team", "db")),
                Labels.of("team", "web"));
        assertEquals(List.of("http://web.example.test:9093/api/v2/alerts", "http://db.example.test:9093/api/v2/alerts"),
                urls(AlertmanagerDiscovery.resolve(c, List.of(g))));
    }

    @Test
    void an_address_with_a_slash_leaves_out_its_group_only() {
        AlertmanagerConfig c = config("""
                - relabel_configs:
                    - source_labels: [__address__]
                      regex: bad:1
                      target_label: __address__
                      replacement: bad/path:1
                """);
        TargetGroup bad = new TargetGroup("1", List.of(Labels.of("__address__", "ok:1"), Labels.of("__address__", "bad:1")), Labels.EMPTY);
        TargetGroup good = new TargetGroup("2", List.of(Labels.of("__address__", "fine:1")), Labels.EMPTY);
        assertEquals(List.of("http://fine:1/api/v2/alerts"), urls(AlertmanagerDiscovery.resolve(c, List.of(bad, good))));
    }

    @Test
    void per_alertmanager_alert_relabeling_is_kept_with_the_target() {
        AlertmanagerConfig c = config("""
                - static_configs: [{targets: ['a:9093']}]
                  alert_relabel_configs:
                    - source_labels: [severity]
                      regex: info
                      action: drop
                """);
        Notifier.Target t = AlertmanagerDiscovery.resolve(c, c.staticConfigs()).active().getFirst();
        assertNull(t.alertRelabel().apply(Labels.of("alertname", "A", "severity", "info")));
        assertEquals(Labels.of("alertname", "A", "severity", "page"), t.alertRelabel().apply(Labels.of("alertname", "A", "severity", "page")));
    }

    /** A running server sends to Alertmanagers found in a file_sd file, follows the file, and applies each one's own alert relabeling. */
    @Test
    void server_sends_alerts_to_file_discovered_alertmanagers() throws Exception {
        Map<String, List<String>> received = new ConcurrentHashMap<>();
        HttpServer am = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        for (String root : List.of("/one", "/two")) {
            am.createContext(root + "/api/v2/alerts", ex -> {
                received.computeIfAbsent(root, k -> new CopyOnWriteArrayList<>())
                        .add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                ex.sendResponseHeaders(200, -1);
                ex.close();
            });
        }
        am.start();
        String amAddress = "127.0.0.1:" + am.getAddress().getPort();
        try {
            Files.writeString(dir.resolve("rules.yml"), """
                    groups:
                      - name: g
                        interval: 300ms
                        rules:
                          - alert: Always
                            expr: vector(1)
                            labels: {severity: page}
                          - alert: Chatty
                            expr: vector(1)
                            labels: {severity: info}
                    """);
            Files.writeString(dir.resolve("ams.json"), "[{\"targets\": [\"" + amAddress + "\"], \"labels\": {\"root\": \"/one\"}}]");
            try (Server s = startWithAlertmanagers("""
                    - file_sd_configs:
                        - files: ['ams.json']
                          refresh_interval: 1s
                      relabel_configs:
                        - source_labels: [root]
                          target_label: __alerts_path__
                          replacement: $1/api/v2/alerts
                      alert_relabel_configs:
                        - source_labels: [severity]
                          regex: info
                          action: drop
                    """)) {
                HttpClient c = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + s.port();
                String listed = RulesWiringTest.await(c, base + "/api/v1/alertmanagers", b -> b.contains("/one/api/v2/alerts"));
                assertEquals("{\"status\":\"success\",\"data\":{\"activeAlertmanagers\":[{\"url\":\"http://" + amAddress
                        + "/one/api/v2/alerts\"}],\"droppedAlertmanagers\":[]}}", listed);
                awaitTrue(() -> received.containsKey("/one") && received.get("/one").stream().anyMatch(b -> b.contains("Always")));
                assertTrue(received.get("/one").stream().noneMatch(b -> b.contains("Chatty")), "dropped by this Alertmanager's alert_relabel_configs");

                // the file gains a second Alertmanager: discovery follows without a reload
                Files.writeString(dir.resolve("ams.json"), "[{\"targets\": [\"" + amAddress + "\"], \"labels\": {\"root\": \"/one\"}},"
                        + " {\"targets\": [\"" + amAddress + "\"], \"labels\": {\"root\": \"/two\"}}]");
                RulesWiringTest.await(c, base + "/api/v1/alertmanagers", b -> b.contains("/two/api/v2/alerts"));
                RulesWiringTest.await(c, base + "/metrics", b -> b.contains("\nprometheus_notifications_alertmanagers_discovered 2\n"));
                awaitTrue(() -> received.containsKey("/two") && received.get("/two").stream().anyMatch(b -> b.contains("Always")));
            }
        } finally {
            am.stop(0);
        }
    }

    /**
     * An https Alertmanager with a private CA (tls_config.ca_file), a bearer token read from
     * credentials_file and http_headers (a value and a file) at each post.
     */
    @Test
    void alertmanager_tls_and_credentials_file_are_used() throws Exception {
        WebConfigTest.caAndServerCertificate(dir);
        WebConfigTest.run(dir, "openssl", "pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key", "-out", "server.p12", "-passout", "pass:pw");
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(dir.resolve("server.p12"))) {
            ks.load(in, "pw".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        com.sun.net.httpserver.HttpsServer am = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        am.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(ssl));
        List<String> auths = new CopyOnWriteArrayList<>();
        am.createContext("/api/v2/alerts", ex -> {
            ex.getRequestBody().readAllBytes();
            auths.add(ex.getRequestHeaders().getFirst("Authorization") + " " + ex.getRequestHeaders().get("X-Tenant"));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        am.start();
        try {
            Files.writeString(dir.resolve("token"), "first\n");
            Files.writeString(dir.resolve("rules.yml"), "groups:\n  - name: g\n    interval: 300ms\n    rules:\n      - alert: Always\n        expr: vector(1)\n");
            try (Server s = startWithAlertmanagers("""
                    - scheme: https
                      tls_config: {ca_file: ca.pem}
                      authorization: {credentials_file: token}
                      http_headers: {X-Tenant: {values: [team-a], files: [token]}}
                      static_configs: [{targets: ['127.0.0.1:%d']}]
                    """.formatted(am.getAddress().getPort()))) {
                awaitTrue(() -> auths.contains("Bearer first [team-a, first]"));
                Files.writeString(dir.resolve("token"), "second\n");
                awaitTrue(() -> auths.contains("Bearer second [team-a, second]"));
            }
        } finally {
            am.stop(0);
        }
    }

    /** A server evaluating rules.yml every 300ms and re-sending firing alerts every 500ms to these alertmanagers entries. */
    private Server startWithAlertmanagers(String alertmanagersYaml) throws Exception {
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  evaluation_interval: 300ms
                rule_files: ['rules.yml']
                alerting:
                  alertmanagers:
                """ + alertmanagersYaml.indent(4));
        return Server.start(Flags.parse(new String[] {"--storage.tsdb.path", dir.resolve("data").toString(),
                "--web.listen-address=127.0.0.1:0", "--config.file", dir.resolve("prometheus.yml").toString(),
                "--rules.alert.resend-delay=500ms"}), () -> {}, false);
    }

    private static void awaitTrue(java.util.function.BooleanSupplier ok) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out");
            Thread.sleep(50);
        }
    }
}
