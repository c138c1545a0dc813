package dev.vigil.rules.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.vigil.rules.json.Json;
import dev.vigil.tsdb.Labels;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The notifier against a local HTTP endpoint: path prefix, auth headers, batching, external labels, relabelling. */
class NotifierTest {
    record Request(String path, String auth, List<?> alerts) {}

    @Test
    void postsBatchesWithAuth_pathPrefix_externalLabels_relabel() throws Exception {
        List<Request> got = Collections.synchronizedList(new ArrayList<>());
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            got.add(new Request(ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Authorization"),
                    (List<?>) Json.parse(body)));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            Notifier.Target basic = Notifier.Target.atBase(URI.create(base + "/am/"), Duration.ofSeconds(5), "user",
                    "pass", null, null);
            Notifier.Target bearer = Notifier.Target.atBase(URI.create(base + "/other"), Duration.ofSeconds(5), null,
                    null, "Bearer", "tok");
            // relabel: drop alerts with severity=none, rewrite team
            Notifier.Options o = new Notifier.Options(List.of(basic, bearer), Map.of("cluster", "eu1"), 1000, 64,
                    l -> "none".equals(l.get("severity")) ? null : l.toBuilder().set("team", "sre").build());
            try (Notifier n = new Notifier(o)) {
                List<NotifierAlert> alerts = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    alerts.add(new NotifierAlert(Labels.of("alertname", "A", "i", Integer.toString(i),
                            "severity", i == 0 ? "none" : "page"), Map.of("s", "x"), 1_700_000_000_000L,
                            1_700_000_240_000L, "http://vigil/graph"));
                }
                n.send(alerts);
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (n.sentCount() < 2 * 99 && System.nanoTime() < deadline) Thread.sleep(20);
                assertEquals(2 * 99, n.sentCount());
                assertEquals(0, n.errorCount());
            }
            assertEquals(4, got.size(), "99 alerts in batches of at most 64, to each of two Alertmanagers");
            for (Request r : got) {
                assertTrue(r.alerts().size() <= 64);
                if (r.path().equals("/am/api/v2/alerts")) {
                    assertEquals("Basic dXNlcjpwYXNz", r.auth());
                } else {
                    assertEquals("/other/api/v2/alerts", r.path());
                    assertEquals("Bearer tok", r.auth());
                }
            }
            Map<?, ?> first = (Map<?, ?>) got.stream().filter(r -> r.path().startsWith("/am")).findFirst().get()
                    .alerts().get(0);
            assertEquals(Map.of("alertname", "A", "i", "1", "severity", "page", "cluster", "eu1", "team", "sre"),
                    first.get("labels"));
            assertEquals("2023-11-14T22:13:20Z", first.get("startsAt"));
            assertEquals("2023-11-14T22:17:20Z", first.get("endsAt"));
            assertEquals("http://vigil/graph", first.get("generatorURL"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void an_alertmanager_whose_client_cannot_be_built_fails_alone() throws Exception {
        List<String> paths = Collections.synchronizedList(new ArrayList<>());
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            paths.add(ex.getRequestURI().getPath());
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            Notifier.Target broken = new Notifier.Target(URI.create(base + "/broken/api/v2/alerts"), Duration.ofSeconds(5), null,
                    () -> {
                        throw new IllegalArgumentException("cannot set up TLS: /missing/ca.pem");
                    }, null);
            Notifier.Target ok = Notifier.Target.of(base + "/ok");
            try (Notifier n = new Notifier(Notifier.Options.of(List.of(broken, ok), Map.of()))) {
                for (int round = 1; round <= 2; round++) {
                    n.send(List.of(new NotifierAlert(Labels.of("alertname", "A"), Map.of(), 1, 2, "")));
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (n.sentCount() < round && System.nanoTime() < deadline) Thread.sleep(20);
                    assertEquals(round, n.sentCount(), "the sender thread goes on after the broken one failed");
                }
                assertEquals(2, n.errorCount());
                String m = n.exposition();
                // as Prometheus counts: alerts, not posts; "sent" counts the failed ones too
                assertTrue(m.contains("prometheus_notifications_sent_total{alertmanager=\"" + base + "/broken/api/v2/alerts\"} 2\n"), m);
                assertTrue(m.contains("prometheus_notifications_errors_total{alertmanager=\"" + base + "/broken/api/v2/alerts\"} 2\n"), m);
                assertTrue(m.contains("prometheus_notifications_sent_total{alertmanager=\"" + base + "/ok/api/v2/alerts\"} 2\n"), m);
                assertTrue(m.contains("prometheus_notifications_errors_total{alertmanager=\"" + base + "/ok/api/v2/alerts\"} 0\n"), m);
                assertTrue(m.contains("\nprometheus_notifications_alertmanagers_discovered 2\n"), m);
                assertTrue(m.contains("\nprometheus_notifications_queue_capacity 10000\n"), m);
                assertTrue(m.contains("\nprometheus_notifications_dropped_total 0\n"), m);
            }
            assertEquals(List.of("/ok/api/v2/alerts", "/ok/api/v2/alerts"), paths);
        } finally {
            server.stop(0);
        }
    }
}
