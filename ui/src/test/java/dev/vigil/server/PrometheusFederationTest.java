package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.http.HttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Prometheus (Debian's package) federates from Vigil's /federate with honor_labels. */
class PrometheusFederationTest {
    @TempDir
    Path dir;

    @Test
    void prometheusScrapesFederateAndKeepsLabelsAndValues() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/prometheus")), "Debian's prometheus package is needed (.ci/run installs it)");
        try (Server vigil = Server.start(Flags.parse(new String[] {"--storage.tsdb.path", dir.resolve("v").toString(),
                "--web.listen-address=127.0.0.1:0"}), () -> {}, false)) {
            Thread feeder = Thread.ofPlatform().daemon().start(() -> {
                // fresh samples all along, so that /federate always has a value within the lookback
                try {
                    for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                        Appender app = vigil.storage.appender();
                        long t = System.currentTimeMillis();
                        app.append(0, Labels.of("__name__", "jobs_done_total", "job", "batch", "instance", "w1:9000"), t, 100 + i);
                        app.append(0, Labels.of("__name__", "temperature_celsius", "job", "sensors", "room", "lab"), t, 21.5);
                        app.commit();
                        Thread.sleep(500);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                    scrape_configs:
                      - job_name: federate
                        honor_labels: true
                        metrics_path: /federate
                        params:
                          'match[]': ['{job=~"batch|sensors"}']
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    """.formatted(vigil.port()));
            Process prom = new ProcessBuilder("/usr/bin/prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("p"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prom.log").toFile()).start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                long now = System.currentTimeMillis() / 1000;
                String temp = PrometheusRemoteReadTest.awaitQuery(http, port, "temperature_celsius[1m]", now + 60);
                // honor_labels keeps the federated job; a series without instance gets the target's
                assertTrue(temp.contains("\"metric\":{\"__name__\":\"temperature_celsius\",\"instance\":\"127.0.0.1:" + vigil.port()
                        + "\",\"job\":\"sensors\",\"room\":\"lab\"}"), temp);
                assertTrue(temp.contains(",\"21.5\"]"), temp);
                String jobs = PrometheusRemoteReadTest.awaitQuery(http, port, "jobs_done_total[1m]", System.currentTimeMillis() / 1000 + 1);
                assertTrue(jobs.contains("\"metric\":{\"__name__\":\"jobs_done_total\",\"instance\":\"w1:9000\",\"job\":\"batch\"}"), jobs);
            } finally {
                prom.destroy();
                prom.waitFor();
                feeder.interrupt();
            }
        }
    }
}
