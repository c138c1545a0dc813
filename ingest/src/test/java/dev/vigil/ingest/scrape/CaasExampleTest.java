package dev.vigil.ingest.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vigil.ingest.config.ConfigParser;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared "caas" example end to end: its prometheus.yml unchanged except for ports and a 1s
 * interval, its simulator (targets.py) as the targets. expect.md's target label table must come
 * out, the unannotated migrations pod must be dropped, and the service_down scenario must turn
 * the auth target's {@code up} to 0.
 */
class CaasExampleTest {
    static final Path EXAMPLE = Path.of("/work/shared/examples/caas");

    @TempDir
    Path dir;

    @Test
    void caas_targets_carry_the_expected_labels() throws Exception {
        assumeTrue(Files.exists(EXAMPLE.resolve("targets.py")) && Files.isExecutable(Path.of("/usr/bin/python3")), "example or python3 missing");
        int offset = freeOffset();
        Process sim = new ProcessBuilder("/usr/bin/python3", EXAMPLE.resolve("targets.py").toString(), "--port-offset", String.valueOf(offset))
                .redirectErrorStream(true).redirectOutput(dir.resolve("sim.log").toFile()).start();
        try (Storage db = Tsdb.open(dir.resolve("data"), TsdbOptions.defaults().withBackground(0, System::currentTimeMillis));
                ScrapeManager manager = new ScrapeManager(db, System::currentTimeMillis)) {
            String yaml = Files.readString(EXAMPLE.resolve("prometheus.yml")).replace("scrape_interval: 15s", "scrape_interval: 1s");
            Matcher m = Pattern.compile("127\\.0\\.0\\.1:(94\\d\\d)").matcher(yaml);
            yaml = m.replaceAll(r -> "127.0.0.1:" + (Integer.parseInt(r.group(1)) + offset));
            Files.writeString(dir.resolve("rules.yml"), "groups: []\n");
            manager.apply(ConfigParser.parse(yaml, "prometheus.yml", dir, n -> null));
            ScrapeManagerTest.await("five caas targets up", () -> manager.activeTargets().size() == 5
                    && manager.activeTargets().stream().allMatch(t -> t.health() == ScrapeLoop.Health.UP));

            String[][] want = {
                {"9401", "gateway", "gateway-7b9f6d5c4-kq2xz"}, {"9402", "socket", "socket-7c8d9e6f5-a1b2c"},
                {"9403", "socket", "socket-7c8d9e6f5-d3e4f"}, {"9404", "auth", "auth-5d8c7b6a9-p4m7n"},
                {"9405", "billing", "billing-6f9e8d7c5-w3r2t"}};
            List<Labels> got = manager.activeTargets().stream().map(TargetStatus::labels).sorted(Comparator.comparing(l -> l.get("instance"))).toList();
            for (int i = 0; i < want.length; i++) {
                String instance = "127.0.0.1:" + (Integer.parseInt(want[i][0]) + offset);
                assertEquals(Labels.of("instance", instance, "job", "caas-services", "app", want[i][1], "namespace", "caas", "pod", want[i][2]),
                        got.get(i));
            }
            List<Labels> dropped = manager.pool("caas-services").droppedTargets();
            assertEquals(1, dropped.size());
            assertEquals("migrations", dropped.getFirst().get("__meta_kubernetes_pod_label_app"));
            assertEquals(1, ScrapeManagerTest.lastValue(db, "caas_socket_connections_active", "server_id", "socket-2") > 0 ? 1 : 0);

            String auth = "127.0.0.1:" + (9404 + offset);
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + auth + "/control?scenario=service_down")).build(),
                    HttpResponse.BodyHandlers.discarding());
            ScrapeManagerTest.await("auth down", () -> manager.activeTargets().stream()
                    .anyMatch(t -> t.labels().get("app").equals("auth") && t.health() == ScrapeLoop.Health.DOWN));
            TargetStatus down = manager.activeTargets().stream().filter(t -> t.labels().get("app").equals("auth")).findFirst().orElseThrow();
            assertTrue(down.lastError().startsWith("server returned HTTP status 503"), down.lastError());
            assertEquals(0, ScrapeManagerTest.lastValue(db, "up", "app", "auth"));
        } finally {
            sim.destroy();
        }
    }

    /** An offset that moves the example's ports 9401-9406 onto free ports. */
    static int freeOffset() throws IOException {
        Random r = new Random();
        for (int attempt = 0; attempt < 50; attempt++) {
            int off = 10_000 + r.nextInt(40_000);
            if (allFree(9401 + off, 6)) return off;
        }
        throw new IOException("no free port range");
    }

    static boolean allFree(int first, int n) {
        for (int p = first; p < first + n; p++) {
            try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
