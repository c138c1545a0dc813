package dev.vigil.ingest.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.ingest.config.ConfigParser;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.SelectHints;
import dev.vigil.tsdb.SeriesSet;
import dev.vigil.tsdb.StaleMarker;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scrapes a real node_exporter (Debian prometheus-node-exporter), started on a free 127.0.0.1 port. */
class NodeExporterTest {
    static final Path BINARY = Path.of("/usr/bin/prometheus-node-exporter");

    @TempDir
    Path dir;

    @Test
    void node_exporter_metrics_arrive_and_go_stale_when_it_stops() throws Exception {
        assertTrue(Files.isExecutable(BINARY), "Debian's prometheus-node-exporter package is needed (.ci/run installs it)");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String addr = "127.0.0.1:" + port;
        Process p = new ProcessBuilder(BINARY.toString(), "--web.listen-address=" + addr, "--collector.disable-defaults",
                "--collector.cpu", "--collector.meminfo", "--collector.loadavg")
                .redirectErrorStream(true).redirectOutput(dir.resolve("node_exporter.log").toFile()).start();
        try (Storage db = Tsdb.open(dir.resolve("data"), TsdbOptions.defaults().withBackground(0, System::currentTimeMillis));
                ScrapeManager manager = new ScrapeManager(db, System::currentTimeMillis)) {
            await("node_exporter listening", () -> listening(port));
            manager.apply(ConfigParser.parse("scrape_configs:\n  - job_name: node\n    scrape_interval: 500ms\n    scrape_timeout: 500ms\n"
                    + "    static_configs: [{targets: ['" + addr + "'], labels: {env: test}}]\n", "p.yml", dir, n -> null));
            await("node target up", () -> manager.activeTargets().getFirst().health() == ScrapeLoop.Health.UP);
            assertEquals(1, last(db, "up"));
            try (Querier q = db.querier()) {
                SeriesSet ss = q.select(Long.MIN_VALUE, Long.MAX_VALUE, SelectHints.DEFAULT,
                        Matcher.equal(Labels.METRIC_NAME, "node_cpu_seconds_total"), Matcher.equal("mode", "idle"));
                assertTrue(ss.next(), "node_cpu_seconds_total{mode=idle} scraped");
                Labels l = ss.labels();
                assertEquals("node", l.get("job"));
                assertEquals(addr, l.get("instance"));
                assertEquals("test", l.get("env"));
                assertTrue(l.has("cpu"));
            }
            assertTrue(manager.pool("node").metadata().values().iterator().next().containsKey("node_memory_MemTotal_bytes"));

            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            await("node target down", () -> manager.activeTargets().getFirst().health() == ScrapeLoop.Health.DOWN);
            assertEquals(0, last(db, "up"));
            assertTrue(StaleMarker.isStale(last(db, "node_load1")), "a failed scrape makes the target's series stale");
        } finally {
            p.destroyForcibly();
        }
    }

    static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return s.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    static double last(Storage db, String name) {
        try (Querier q = db.querier()) {
            SeriesSet ss = q.select(Long.MIN_VALUE, Long.MAX_VALUE, SelectHints.DEFAULT, Matcher.equal(Labels.METRIC_NAME, name));
            assertTrue(ss.next(), "no series " + name);
            SampleIterator it = ss.iterator(null);
            double v = Double.NaN;
            while (it.next() != SampleIterator.NONE) v = it.atV();
            return v;
        }
    }

    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }
}
