package dev.vigil.rules.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.query.eval.Engine;
import dev.vigil.query.eval.EngineOptions;
import dev.vigil.rules.RuleManager;
import dev.vigil.rules.RulesApi;
import dev.vigil.rules.json.Json;
import dev.vigil.rules.unittest.MemStorage;
import dev.vigil.tsdb.Labels;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules evaluated by Vigil reach a real Alertmanager (Debian's prometheus-alertmanager) through the v2 API: the
 * firing alert arrives with our labels, external labels, annotations and startsAt; the resolution (endsAt) removes
 * it from Alertmanager's active alerts.
 */
class AlertmanagerIntegrationTest {
    static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");
    @TempDir
    Path dir;
    Process am;
    String base;
    final HttpClient http = HttpClient.newHttpClient();

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @BeforeEach
    void startAlertmanager() throws Exception {
        assertTrue(Files.isExecutable(BINARY), "Debian's prometheus-alertmanager package is needed (.ci/run installs it)");
        Path cfg = dir.resolve("alertmanager.yml");
        Files.writeString(cfg, """
                route:
                  receiver: blackhole
                  group_wait: 1s
                receivers:
                  - name: blackhole
                """);
        int port = freePort();
        base = "http://127.0.0.1:" + port;
        am = new ProcessBuilder(BINARY.toString(), "--config.file=" + cfg, "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=")
                .redirectErrorStream(true).redirectOutput(dir.resolve("am.log").toFile()).start();
        waitFor(() -> {
            try {
                return get("/-/ready").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        }, "alertmanager ready");
    }

    @AfterEach
    void stopAlertmanager() throws Exception {
        if (am != null) {
            am.destroy();
            if (!am.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) am.destroyForcibly();
        }
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void waitFor(Supplier<Boolean> cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (cond.get()) return;
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    List<?> activeAlerts() {
        try {
            return (List<?>) Json.parse(get("/api/v2/alerts").body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void firingAlert_arrivesWithLabelsAnnotationsStartsAt_thenResolves() throws Exception {
        MemStorage storage = new MemStorage();
        Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: disk
                    rules:
                      - alert: DiskFull
                        expr: disk_used_ratio > 0.9
                        labels:
                          severity: page
                        annotations:
                          summary: "{{ $labels.device }} is {{ $value | humanizePercentage }} full"
                """);
        try (Notifier notifier = new Notifier(Notifier.Options.of(List.of(Notifier.Target.of(base)),
                Map.of("cluster", "eu1", "severity", "overridden-by-alert")))) {
            RuleManager rules = new RuleManager(RuleManager.Options.of(storage, new Engine(EngineOptions.defaults()),
                    null, notifier));
            rules.load(List.of("rules.yml"), dir, new RuleManager.Settings(15_000, 0, Map.of("cluster", "eu1"),
                    "http://vigil.example:9090"));
            Labels series = Labels.of("__name__", "disk_used_ratio", "device", "sda1");
            long t1 = System.currentTimeMillis() / 1000 * 1000;
            storage.load(series, t1 - 1000, 0.95);
            rules.evaluateAll(t1);

            waitFor(() -> !activeAlerts().isEmpty(), "the alert in alertmanager");
            Map<?, ?> a = (Map<?, ?>) activeAlerts().get(0);
            assertEquals(Map.of("alertname", "DiskFull", "device", "sda1", "severity", "page", "cluster", "eu1"),
                    a.get("labels"));
            assertEquals(Map.of("summary", "sda1 is 95% full"), a.get("annotations"));
            assertEquals(Instant.ofEpochMilli(t1), Instant.parse((String) a.get("startsAt")));
            // firing: valid for 4 x max(resend delay 1m, interval 15s)
            assertEquals(Instant.ofEpochMilli(t1 + 240_000), Instant.parse((String) a.get("endsAt")));
            assertEquals("http://vigil.example:9090/graph?g0.expr=disk_used_ratio+%3E+0.9&g0.tab=1",
                    a.get("generatorURL"));
            assertEquals("active", ((Map<?, ?>) a.get("status")).get("state"));

            long t2 = System.currentTimeMillis();
            storage.load(series, t2 - 500, 0.5);
            rules.evaluateAll(t2);
            waitFor(() -> activeAlerts().isEmpty(), "the resolution in alertmanager");
            assertTrue(notifier.sentCount() >= 2, "firing and resolved were posted");
            assertEquals(0, notifier.errorCount());
            assertEquals(List.of(), rules.alerts());
            RulesApi.writeAlerts(new StringBuilder(), rules.alerts());
        }
    }

    @Test
    void unreachableAlertmanager_countsErrors_queueStaysBounded() throws Exception {
        int dead = freePort();
        try (Notifier n = new Notifier(new Notifier.Options(List.of(Notifier.Target.atBase(
                URI.create("http://127.0.0.1:" + dead), Duration.ofMillis(500), null, null, null, null)),
                Map.of(), 5, 2, null))) {
            for (int i = 0; i < 20; i++) {
                n.send(List.of(new NotifierAlert(Labels.of("alertname", "A" + i), Map.of(), 1, 2, "")));
            }
            assertTrue(n.queueLength() <= 5);
            assertTrue(n.droppedCount() >= 13, "dropped " + n.droppedCount());
            waitFor(() -> n.errorCount() >= 1, "a counted send error");
        }
    }
}
