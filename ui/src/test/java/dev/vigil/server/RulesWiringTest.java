package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rule_files of --config.file are evaluated by the server, shown by /api/v1/rules and /api/v1/alerts, reloaded with the config. */
class RulesWiringTest {
    @TempDir
    Path dir;

    @Test
    void rulesFromTheConfigAreEvaluatedAndServed() throws Exception {
        Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: demo
                    interval: 500ms
                    rules:
                      - record: job:temperature:max
                        expr: max by (job) (temperature)
                      - alert: TooHot
                        expr: job:temperature:max > 30
                        labels: {severity: page}
                        annotations: {summary: "{{ $labels.job }} is at {{ $value }} degrees"}
                """);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  evaluation_interval: 500ms
                  external_labels: {site: lab}
                rule_files: ['rules.yml']
                """);
        try (Server s = Server.start(Flags.parse(new String[] {"--storage.tsdb.path", dir.resolve("data").toString(),
                "--web.listen-address=127.0.0.1:0", "--config.file", config.toString(), "--web.enable-lifecycle"}), () -> {}, false)) {
            Thread feeder = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        Appender app = s.storage.appender();
                        app.append(0, Labels.of("__name__", "temperature", "job", "oven", "sensor", "a"), System.currentTimeMillis(), 35);
                        app.commit();
                        Thread.sleep(200);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                HttpClient c = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + s.port();
                String alerts = await(c, base + "/api/v1/alerts", b -> b.contains("\"state\":\"firing\""));
                assertTrue(alerts.contains("\"labels\":{\"alertname\":\"TooHot\",\"job\":\"oven\",\"severity\":\"page\"}"), alerts);
                assertTrue(alerts.contains("\"summary\":\"oven is at 35 degrees\""), alerts);
                String rules = await(c, base + "/api/v1/rules", b -> b.contains("\"health\":\"ok\""));
                assertTrue(rules.contains("\"name\":\"demo\""), rules);
                assertTrue(rules.contains("\"name\":\"job:temperature:max\""), rules);
                String recorded = await(c, base + "/api/v1/query?query=job:temperature:max", b -> b.contains("\"value\""));
                assertTrue(recorded.contains("{\"__name__\":\"job:temperature:max\",\"job\":\"oven\"}"), recorded);
                String onlyRecording = c.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/rules?type=record")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(!onlyRecording.contains("TooHot"), onlyRecording);

                // a broken rule file fails the reload and the running rules stay
                Files.writeString(dir.resolve("rules.yml"), "groups:\n  - name: demo\n    rules:\n      - record: bad\n        expr: sum(\n");
                HttpResponse<String> reload = c.send(HttpRequest.newBuilder(URI.create(base + "/-/reload")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(500, reload.statusCode());
                assertTrue(reload.body().contains("rules.yml"), reload.body());
                assertTrue(c.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/rules")).build(), HttpResponse.BodyHandlers.ofString())
                        .body().contains("TooHot"), "old rules keep running");
            } finally {
                feeder.interrupt();
            }
        }
    }

    static String await(HttpClient c, String url, Predicate<String> ok) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        String body = "";
        while (System.nanoTime() < deadline) {
            body = c.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
            if (ok.test(body)) return body;
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting on " + url + ": " + body);
    }
}
