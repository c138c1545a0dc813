package dev.vigil.ingest.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.ingest.config.ConfigParser;
import dev.vigil.ingest.config.PrometheusConfig;
import dev.vigil.ingest.config.ScrapeConfig;
import dev.vigil.ingest.log.LogFiles;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScrapeManagerTest {
    @TempDir
    Path dir;
    Storage db;
    TestTarget server;
    ScrapeManager manager;

    @BeforeEach
    void open() throws Exception {
        db = Tsdb.open(dir.resolve("data"), TsdbOptions.defaults().withBackground(0, System::currentTimeMillis));
        server = new TestTarget();
        server.page("/a", "x 1\n");
        server.page("/b", "y 1\n");
        manager = new ScrapeManager(db, System::currentTimeMillis);
    }

    @AfterEach
    void close() {
        manager.close();
        server.close();
        db.close();
    }

    PrometheusConfig config(String jobs) {
        return ConfigParser.parse("global: {scrape_interval: 200ms, scrape_timeout: 100ms}\nscrape_configs:\n"
                + jobs.replace("ADDR", server.address()).indent(2), "p.yml", dir, n -> null);
    }

    static String job(String name, String path, String targets) {
        return "- job_name: " + name + "\n  metrics_path: " + path + "\n  static_configs: [{targets: [" + targets + "]}]\n";
    }

    /** The newest value of the series named {@code name} with {@code label=value}. */
    static double lastValue(Storage db, String name, String label, String value) {
        try (Querier q = db.querier()) {
            SeriesSet ss = q.select(Long.MIN_VALUE, Long.MAX_VALUE, SelectHints.DEFAULT,
                    Matcher.equal(Labels.METRIC_NAME, name), Matcher.equal(label, value));
            assertTrue(ss.next(), "no series " + name + "{" + label + "=" + value + "}");
            SampleIterator it = ss.iterator(null);
            double v = Double.NaN;
            while (it.next() != SampleIterator.NONE) v = it.atV();
            return v;
        }
    }

    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    boolean up(String job) {
        ScrapePool p = manager.pool(job);
        return p != null && !p.activeTargets().isEmpty()
                && p.activeTargets().stream().allMatch(t -> t.health() == ScrapeLoop.Health.UP);
    }

    /** The newest sample of the series named {@code name} in {@code job}. */
    double last(String name, String job) {
        try (Querier q = db.querier()) {
            SeriesSet ss = q.select(Long.MIN_VALUE, Long.MAX_VALUE, SelectHints.DEFAULT,
                    Matcher.equal(Labels.METRIC_NAME, name), Matcher.equal("job", job));
            assertTrue(ss.next(), "no series " + name + "{job=" + job + "}");
            SampleIterator it = ss.iterator(null);
            double v = Double.NaN;
            while (it.next() != SampleIterator.NONE) v = it.atV();
            return v;
        }
    }

    @Test
    void apply_by_difference_keeps_unchanged_loops_and_stales_removed_jobs() throws Exception {
        String a = job("a", "/a", "'ADDR'");
        manager.apply(config(a + job("b", "/b", "'ADDR'")));
        await("both jobs up", () -> up("a") && up("b"));
        ScrapeLoop loopA = manager.pool("a").loops().getFirst();

        manager.apply(config(a + job("c", "/a", "'ADDR'")));
        assertSame(loopA, manager.pool("a").loops().getFirst(), "an unchanged job keeps its loop");
        assertNull(manager.pool("b"));
        assertTrue(StaleMarker.isStale(last("y", "b")), "a removed job's series are marked stale");
        assertTrue(StaleMarker.isStale(last("up", "b")));
        await("new job up", () -> up("c"));

        // Only the target list changes: the existing target keeps its loop, the new one starts.
        manager.apply(config(job("a", "/a", "'ADDR', 'localhost:" + server.address().split(":")[1] + "'")
                + job("c", "/a", "'ADDR'")));
        assertSame(loopA, manager.loopsOf("a").stream().filter(l -> l.target().url().contains("127.0.0.1")).findFirst().orElseThrow());
        assertEquals(2, manager.pool("a").activeTargets().size());
        await("second target up", () -> up("a"));

        // A changed setting renews the loops; the cache survives because series labels are unaffected.
        manager.apply(config(a.replace("metrics_path", "sample_limit: 1000\n  metrics_path") + job("c", "/a", "'ADDR'")));
        ScrapeLoop renewed = manager.pool("a").loops().getFirst();
        assertNotSame(loopA, renewed);
        assertSame(loopA.cache, renewed.cache);
        assertEquals(1, manager.pool("a").activeTargets().size());
        await("renewed loop up", () -> up("a"));

        // A new interval is a new target (its __scrape_interval__ label changed), as in Prometheus.
        manager.apply(config(a.replace("metrics_path", "scrape_interval: 100ms\n  metrics_path") + job("c", "/a", "'ADDR'")));
        assertEquals(100, manager.pool("a").activeTargets().getFirst().intervalMs());
        await("target with the new interval up", () -> up("a"));
    }

    @Test
    void only_a_job_that_needs_the_jdk_http_client_builds_one() throws Exception {
        manager.apply(config(job("plain", "/a", "'ADDR'")
                + "- job_name: tls\n  scheme: https\n  tls_config: {insecure_skip_verify: true}\n  static_configs: [{targets: ['ADDR']}]\n"));
        await("plain job up", () -> up("plain"));
        await("https job scraped", () -> manager.pool("tls").activeTargets().getFirst().health() == ScrapeLoop.Health.DOWN);
        assertFalse(manager.pool("plain").client().built(), "plain http scrapes over the loop's own connection");
        assertTrue(manager.pool("tls").client().built());
    }

    @Test
    void an_unreadable_tls_file_is_the_target_error_not_a_crash() throws Exception {
        manager.apply(config(job("plain", "/a", "'ADDR'")
                + "- job_name: tls\n  scheme: https\n  tls_config: {ca_file: /nonexistent/ca.pem}\n  static_configs: [{targets: ['ADDR']}]\n"));
        await("https job scraped", () -> manager.pool("tls").activeTargets().getFirst().lastScrapeMs() > 0);
        TargetStatus t = manager.pool("tls").activeTargets().getFirst();
        assertEquals(ScrapeLoop.Health.DOWN, t.health());
        assertTrue(t.lastError().contains("cannot set up TLS") && t.lastError().contains("/nonexistent/ca.pem"), t.lastError());
        await("the other job scrapes on", () -> up("plain")); // its first scrape may come later (the loops' offsets)
    }

    static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static LogFiles logsOf(PrometheusConfig c) throws java.io.IOException {
        return LogFiles.open(c.scrapeConfigs().stream().map(ScrapeConfig::scrapeFailureLogFile).toList());
    }

    @Test
    void failed_fetches_go_to_the_scrape_failure_log_file_which_each_load_reopens() throws Exception {
        server.page("/garbage", "not a metric line {{{\n");
        String jobs = (job("missing", "/nope", "'ADDR'") + job("garbage", "/garbage", "'ADDR'") + job("fine", "/a", "'ADDR'"))
                .replace("ADDR", server.address());
        PrometheusConfig c = ConfigParser.parse("global: {scrape_interval: 200ms, scrape_timeout: 100ms, scrape_failure_log_file: "
                + "failures.log}\nscrape_configs:\n" + jobs.indent(2), "p.yml", dir, n -> null);
        Path file = dir.resolve("failures.log");
        assertEquals(file.toString(), c.scrapeConfig("missing").scrapeFailureLogFile(), "joined to the config file's directory");

        LogFiles logs = logsOf(c);
        manager.apply(c, logs);
        await("two failures logged", () -> lines(file).size() >= 2);
        await("the garbage page scraped", () -> manager.pool("garbage").activeTargets().getFirst().health() == ScrapeLoop.Health.DOWN);
        for (String line : lines(file)) {
            assertTrue(line.startsWith("{\"time\":\"") && line.endsWith("}"), line);
            assertTrue(line.contains("\"level\":\"ERROR\",\"msg\":\"server returned HTTP status 404 Not Found\","), line);
            assertTrue(line.contains("\"target\":\"http://" + server.address() + "/nope\""), line);
        }
        assertTrue(lines(file).stream().noneMatch(l -> l.contains("garbage")), "a parse error is not a failed fetch");

        // rotated away: the next load opens a new file under the same name
        Files.move(file, dir.resolve("failures.log.1"));
        LogFiles reopened = logsOf(c);
        manager.apply(c, reopened);
        logs.close();
        await("the reopened file gets the next failures", () -> !lines(file).isEmpty());

        // no file in the config any more: nothing more is logged
        PrometheusConfig without = config(jobs);
        manager.apply(without, logsOf(without));
        reopened.close();
        int before = lines(file).size();
        Thread.sleep(700); // three scrape intervals
        assertEquals(before, lines(file).size());
    }

    @Test
    void a_failed_reload_keeps_the_running_config() throws Exception {
        Path file = dir.resolve("prometheus.yml");
        String good = "global: {scrape_interval: 200ms, scrape_timeout: 100ms}\nscrape_configs:\n"
                + job("a", "/a", "'" + server.address() + "'").indent(2);
        Files.writeString(file, good);
        var reloader = new dev.vigil.ingest.ConfigReloader(file, manager, () -> 42);
        assertNull(reloader.reload());
        await("job up", () -> up("a"));
        ScrapeLoop loop = manager.pool("a").loops().getFirst();

        Files.writeString(file, good.replace("metrics_path", "metrics_pathh"));
        String err = reloader.reload();
        assertTrue(err.contains("unknown key \"metrics_pathh\""), err);
        assertTrue(!reloader.lastReloadSuccessful());
        assertEquals(42, reloader.lastSuccessMs());
        assertSame(loop, manager.pool("a").loops().getFirst(), "the running config and its loops stay");
        assertEquals("a", reloader.current().scrapeConfigs().getFirst().jobName());
    }

    @Test
    void file_sd_targets_come_and_go_with_the_file() throws Exception {
        Path sd = dir.resolve("targets.json");
        Files.writeString(sd, "[{\"targets\": [\"" + server.address() + "\"], \"labels\": {\"team\": \"x\"}}]");
        manager.apply(config("- job_name: f\n  metrics_path: /a\n  file_sd_configs: [{files: ['" + sd + "'], refresh_interval: 1h}]\n"));
        await("file target up", () -> up("f"));
        TargetStatus st = manager.activeTargets().getFirst();
        assertEquals("x", st.labels().get("team"));
        assertEquals(sd.toString(), st.discoveredLabels().get("__meta_filepath"));
        assertEquals(1, last("x", "f"));

        Files.writeString(sd, "[]");
        await("target removed", () -> manager.pool("f").activeTargets().isEmpty());
        assertTrue(StaleMarker.isStale(last("x", "f")));
    }

    @Test
    void target_limit_fails_every_scrape_of_the_job_and_dropped_targets_are_kept() throws Exception {
        String port = server.address().split(":")[1];
        manager.apply(config("- job_name: lim\n  target_limit: 1\n  metrics_path: /a\n"
                + "  static_configs: [{targets: ['ADDR', 'localhost:" + port + "']}]\n"
                + "- job_name: drop\n  keep_dropped_targets: 1\n  metrics_path: /a\n"
                + "  relabel_configs: [{source_labels: [__address__], regex: 'h.*', action: drop}]\n"
                + "  static_configs: [{targets: ['ADDR', 'h1:1', 'h2:1']}]\n"));
        await("limited targets scraped", () -> manager.pool("lim").activeTargets().stream().allMatch(t -> t.lastScrapeMs() > 0));
        for (TargetStatus t : manager.pool("lim").activeTargets()) {
            assertEquals(ScrapeLoop.Health.DOWN, t.health());
            assertEquals("target_limit exceeded (number of targets: 2, limit: 1)", t.lastError());
        }
        assertEquals(1, manager.pool("drop").activeTargets().size());
        assertEquals(List.of("h1:1"), manager.pool("drop").droppedTargets().stream().map(l -> l.get("__address__")).toList());
    }

    @Test
    void bad_targets_do_not_hold_up_good_ones() throws Exception {
        server.page("/slow", new TestTarget.Page(200, "text/plain", "s 1\n", false, 30_000));
        server.page("/garbage", new TestTarget.Page(200, "text/plain", "{{{{\n", false, 0));
        manager.apply(config(job("good", "/a", "'ADDR'") + job("slow", "/slow", "'ADDR'") + job("missing", "/none", "'ADDR'")
                + job("garbage", "/garbage", "'ADDR'") + job("closed", "/a", "'127.0.0.1:1'")));
        await("good target scraped several times", () -> up("good") && manager.pool("good").activeTargets().getFirst().lastSamples() == 1
                && manager.activeTargets().stream().allMatch(t -> t.lastScrapeMs() > 0));
        for (TargetStatus t : manager.activeTargets()) {
            if (t.scrapePool().equals("good")) continue;
            assertEquals(ScrapeLoop.Health.DOWN, t.health(), t.scrapePool());
            assertTrue(!t.lastError().isEmpty(), t.scrapePool());
        }
        assertEquals(List.of("good", "slow", "missing", "garbage", "closed"),
                manager.activeTargets().stream().map(TargetStatus::scrapePool).toList());
    }
}
