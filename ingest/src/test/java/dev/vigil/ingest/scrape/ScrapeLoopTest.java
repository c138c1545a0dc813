package dev.vigil.ingest.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.ingest.config.ConfigParser;
import dev.vigil.ingest.config.ScrapeConfig;
import dev.vigil.ingest.parse.ExpositionFormat;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScrapeLoopTest {
    static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;
    Storage db;
    TestTarget server;
    final AtomicLong clock = new AtomicLong(T0);
    final BufferPool buffers = new BufferPool();
    final ScrapeMetrics metrics = new ScrapeMetrics();

    @BeforeEach
    void open() throws Exception {
        db = Tsdb.open(dir, TsdbOptions.defaults().withBackground(0, clock::get));
        server = new TestTarget();
    }

    @AfterEach
    void close() {
        server.close();
        db.close();
    }

    ScrapeLoop loop(String jobYaml) {
        return loop(jobYaml, db);
    }

    ScrapeLoop loop(String jobYaml, Storage storage) {
        String yaml = "scrape_configs:\n  - job_name: j\n    static_configs: [{targets: ['" + server.address() + "']}]\n" + jobYaml.indent(4);
        ScrapeConfig cfg = ConfigParser.parse(yaml, "p.yml", Path.of("/"), n -> null).scrapeConfigs().getFirst();
        Target t = TargetBuilder.fromGroup(cfg.staticConfigs().getFirst(), cfg).getFirst().target();
        return new ScrapeLoop(t, cfg, storage, new ScrapeClient(cfg), buffers, metrics, clock::get, 0, null);
    }

    /** Every sample of the series matching {@code name} (and instance/job of the test target), by label set. */
    TreeMap<String, List<double[]>> samples(String name) {
        TreeMap<String, List<double[]>> out = new TreeMap<>();
        try (Querier q = db.querier()) {
            SeriesSet ss = q.select(Long.MIN_VALUE, Long.MAX_VALUE, SelectHints.DEFAULT, Matcher.equal(Labels.METRIC_NAME, name));
            SampleIterator it = null;
            while (ss.next()) {
                List<double[]> l = new ArrayList<>();
                it = ss.iterator(it);
                while (it.next() != SampleIterator.NONE) l.add(new double[] {it.atT(), it.atV()});
                out.put(ss.labels().toString(), l);
            }
        }
        return out;
    }

    double value(String name, long t) {
        var all = samples(name);
        assertEquals(1, all.size(), "series of " + name + ": " + all.keySet());
        for (double[] s : all.firstEntry().getValue()) {
            if ((long) s[0] == t) return s[1];
        }
        throw new AssertionError("no sample of " + name + " at " + t + ": " + all);
    }

    String instance() {
        return server.address();
    }

    @Test
    void scrape_appends_samples_with_target_labels_and_report_series() {
        server.page("/metrics", "# TYPE a counter\na 1\nb{x=\"y\"} 2\n");
        ScrapeLoop l = loop("");
        assertNull(l.scrapeAndReport(T0));
        assertEquals(1, value("a", T0));
        assertEquals(List.of(Labels.of("__name__", "b", "instance", instance(), "job", "j", "x", "y").toString()), List.copyOf(samples("b").keySet()));
        assertEquals(1, value("up", T0));
        assertEquals(2, value("scrape_samples_scraped", T0));
        assertEquals(2, value("scrape_samples_post_metric_relabeling", T0));
        assertEquals(2, value("scrape_series_added", T0));
        assertTrue(value("scrape_duration_seconds", T0) > 0);
        assertEquals(ExpositionFormat.ACCEPT_HEADER, server.lastHeaders.get("accept"));
        assertEquals("10", server.lastHeaders.get("x-prometheus-scrape-timeout-seconds"));
        assertEquals("gzip", server.lastHeaders.get("accept-encoding"));

        assertNull(l.scrapeAndReport(T0 + 15_000));
        assertEquals(0, value("scrape_series_added", T0 + 15_000), "cached series are not new");
        assertEquals(1, buffers.held(), "the body buffer went back to the shared pool");
        assertEquals(2, l.cache.size());
        TargetStatus st = l.status();
        assertEquals(ScrapeLoop.Health.UP, st.health());
        assertEquals("http://" + instance() + "/metrics", st.scrapeUrl());
        assertEquals(T0 + 15_000, st.lastScrapeMs());
    }

    @Test
    void a_target_failing_part_way_counts_its_series_as_added_once() {
        // as Prometheus: the series before the broken line stay in the scrape cache across failed scrapes
        server.page("/metrics", "a 1\nb 2\nc{ 3\n");
        ScrapeLoop l = loop("");
        for (int i = 0; i < 15; i++) {
            long t = T0 + i * 1000L;
            assertTrue(l.scrapeAndReport(t).contains("line 3"), "scrape " + i);
            assertEquals(0, value("up", t));
            assertEquals(i == 0 ? 2 : 0, value("scrape_series_added", t), "scrape " + i);
        }
        assertEquals(0, samples("a").values().stream().mapToInt(List::size).sum(), "a failed scrape stores no sample");
        server.page("/metrics", "a 1\nb 2\n");
        assertNull(l.scrapeAndReport(T0 + 20_000));
        assertEquals(0, value("scrape_series_added", T0 + 20_000), "the series were known");
        assertEquals(1, value("a", T0 + 20_000));
        server.page("/metrics", "b 2\n");
        assertNull(l.scrapeAndReport(T0 + 21_000));
        assertTrue(StaleMarker.isStale(value("a", T0 + 21_000)), "a series of a good scrape that vanishes is marked stale");
    }

    @Test
    void vanished_series_and_failed_scrapes_write_stale_markers() {
        server.page("/metrics", "a 1\nb 2\n");
        ScrapeLoop l = loop("");
        l.scrapeAndReport(T0);
        server.page("/metrics", "a 1\n");
        assertNull(l.scrapeAndReport(T0 + 1000));
        assertTrue(StaleMarker.isStale(value("b", T0 + 1000)));
        server.page("/other", "x 1\n"); // /metrics now answers 404
        server.page("/metrics", new TestTarget.Page(404, "text/plain", "no", false, 0));
        assertEquals("server returned HTTP status 404 Not Found", l.scrapeAndReport(T0 + 2000));
        assertTrue(StaleMarker.isStale(value("a", T0 + 2000)));
        assertEquals(0, value("up", T0 + 2000));
        assertEquals(ScrapeLoop.Health.DOWN, l.status().health());
        assertEquals("server returned HTTP status 404 Not Found", l.status().lastError());
        // Back again: the series return, nothing is marked stale twice.
        server.page("/metrics", "a 3\n");
        assertNull(l.scrapeAndReport(T0 + 3000));
        assertEquals(3, value("a", T0 + 3000));
        assertEquals(2, samples("b").firstEntry().getValue().size(), "b: its value and one stale marker, no second marker");
    }

    @Test
    void stopping_a_removed_target_marks_all_its_series_stale() {
        server.page("/metrics", "a 1\n");
        ScrapeLoop l = loop("");
        l.scrapeAndReport(T0);
        clock.set(T0 + 500);
        l.stop(true);
        assertTrue(StaleMarker.isStale(value("a", T0 + 500)));
        assertTrue(StaleMarker.isStale(value("up", T0 + 500)));
    }

    @Test
    void type_help_and_unit_are_kept_per_family() {
        server.page("/metrics", new TestTarget.Page(200, "application/openmetrics-text; version=1.0.0",
                "# TYPE req_seconds histogram\n# HELP req_seconds Request time.\n# UNIT req_seconds seconds\n"
                        + "req_seconds_bucket{le=\"+Inf\"} 1\nreq_seconds_sum 1\nreq_seconds_count 1\n"
                        + "# TYPE bare unknown\nbare 1\n# EOF\n", false, 0));
        ScrapeLoop l = loop("");
        assertNull(l.scrapeAndReport(T0));
        // as Prometheus: a family whose TYPE line says unknown, without HELP or UNIT, is listed too
        assertEquals(new MetricMetadata(dev.vigil.ingest.parse.MetricType.UNKNOWN, "", ""), l.metadata().get("bare"));
        assertEquals(new MetricMetadata(dev.vigil.ingest.parse.MetricType.HISTOGRAM, "Request time.", "seconds"), l.metadata().get("req_seconds"));
        var before = l.metadata().get("req_seconds");
        assertNull(l.scrapeAndReport(T0 + 1000));
        assertTrue(before == l.metadata().get("req_seconds"), "unchanged metadata is not replaced");
    }

    @Test
    void gzip_and_openmetrics_are_understood() {
        server.page("/metrics", new TestTarget.Page(200, "application/openmetrics-text; version=1.0.0; charset=utf-8",
                "# TYPE c counter\nc_total 5 # {trace_id=\"1\"} 1\n# EOF\n", true, 0));
        ScrapeLoop l = loop("");
        assertNull(l.scrapeAndReport(T0));
        assertEquals(5, value("c_total", T0));
    }

    @Test
    void fallback_protocol_decides_for_a_missing_content_type() {
        // Seconds with a fraction: a valid OpenMetrics timestamp, not a valid text-format one.
        server.page("/metrics", new TestTarget.Page(200, "", "om 1 1700000000.5\n# EOF\n", false, 0));
        assertNull(loop("fallback_scrape_protocol: OpenMetricsText1.0.0").scrapeAndReport(T0));
        assertEquals(1, value("om", T0 + 500));
        assertTrue(loop("").scrapeAndReport(T0 + 1).startsWith("line 1"), "without a fallback the text format is assumed");
    }

    @Test
    void target_labels_win_unless_honor_labels() {
        server.page("/metrics", "m{job=\"exp\",instance=\"i\",exported_job=\"taken\"} 1\n");
        ScrapeLoop l = loop("");
        assertNull(l.scrapeAndReport(T0));
        assertEquals(List.of(Labels.of("__name__", "m", "job", "j", "instance", instance(), "exported_instance", "i",
                "exported_job", "taken", "exported_exported_job", "exp").toString()), List.copyOf(samples("m").keySet()));

        ScrapeLoop h = loop("honor_labels: true");
        server.page("/metrics", "n{job=\"exp\"} 1\n");
        assertNull(h.scrapeAndReport(T0));
        assertEquals(List.of(Labels.of("__name__", "n", "job", "exp", "instance", instance()).toString()), List.copyOf(samples("n").keySet()));
    }

    @Test
    void metric_relabeling_drops_and_rewrites() {
        server.page("/metrics", "keep_me 1\ndrop_me 2\ndrop_me{a=\"b\"} 3\n");
        ScrapeLoop l = loop("metric_relabel_configs:\n  - {source_labels: [__name__], regex: drop_.*, action: drop}\n"
                + "  - {target_label: extra, replacement: x}");
        assertNull(l.scrapeAndReport(T0));
        assertNull(l.scrapeAndReport(T0 + 1000));
        assertTrue(samples("drop_me").isEmpty());
        assertEquals(List.of(Labels.of("__name__", "keep_me", "extra", "x", "job", "j", "instance", instance()).toString()),
                List.copyOf(samples("keep_me").keySet()));
        assertEquals(3, value("scrape_samples_scraped", T0 + 1000));
        assertEquals(1, value("scrape_samples_post_metric_relabeling", T0 + 1000));
    }

    @Test
    void limits_fail_the_whole_scrape() {
        server.page("/metrics", "a 1\nb 2\nc 3\n");
        ScrapeLoop l = loop("sample_limit: 2");
        assertEquals("sample limit exceeded", l.scrapeAndReport(T0));
        assertEquals(1, metrics.sampleLimitExceeded());
        assertEquals(1, metrics.failedScrapes());
        assertTrue(samples("a").values().stream().allMatch(List::isEmpty), "nothing of a failed scrape is stored");
        assertEquals(0, value("up", T0));

        ScrapeLoop ll = loop("label_limit: 3");
        server.page("/metrics", "m{a=\"1\",b=\"2\"} 1\n");
        assertEquals("label_limit exceeded (metric: m, number of labels: 5, limit: 3)", ll.scrapeAndReport(T0 + 1));

        ScrapeLoop nl = loop("label_name_length_limit: 10");
        server.page("/metrics", "m{abcdefghijk=\"1\"} 1\n");
        assertEquals("label_name_length_limit exceeded (metric: m, label name: abcdefghijk, length: 11, limit: 10)", nl.scrapeAndReport(T0 + 2));

        ScrapeLoop vl = loop("label_value_length_limit: 3");
        server.page("/metrics", "m{a=\"long\"} 1\n");
        assertTrue(vl.scrapeAndReport(T0 + 3).startsWith("label_value_length_limit exceeded (metric: m, label name: a, value: \"long\", length: 4"));
    }

    @Test
    void body_size_limit_timeout_and_garbage_give_up_zero_with_a_reason() {
        server.page("/metrics", "a 1\n".repeat(1000));
        assertTrue(loop("body_size_limit: 1KB").scrapeAndReport(T0).startsWith("body size limit exceeded"));
        server.page("/metrics", new TestTarget.Page(200, "text/plain", "a 1\n".repeat(1000), true, 0));
        assertTrue(loop("body_size_limit: 1KB").scrapeAndReport(T0 + 1).startsWith("body size limit exceeded"), "the uncompressed size counts");

        server.page("/metrics", new TestTarget.Page(200, "text/plain", "a 1\n", false, 30_000));
        long start = System.nanoTime();
        String err = loop("scrape_interval: 1s\nscrape_timeout: 300ms").scrapeAndReport(T0 + 2);
        assertTrue(err.contains("context deadline exceeded"), err);
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "the timeout bounds the scrape");

        server.page("/metrics", "a 1\nb{ 2\n");
        err = loop("").scrapeAndReport(T0 + 3);
        assertTrue(err.startsWith("line 2, column"), err);
    }

    @Test
    void honor_timestamps_decides_between_exposed_and_scrape_time() {
        server.page("/metrics", "a 1 " + (T0 - 5000) + "\n");
        assertNull(loop("").scrapeAndReport(T0));
        assertEquals(1, value("a", T0 - 5000));
        server.page("/metrics", "a 2 " + (T0 - 6000) + "\n");
        assertNull(loop("").scrapeAndReport(T0 + 1), "an out-of-order sample is counted, not a failure");
        assertEquals(1, metrics.rejected(dev.vigil.tsdb.AppendStatus.OUT_OF_ORDER));
        server.page("/metrics", "b 1 " + (T0 - 5000) + "\n");
        assertNull(loop("honor_timestamps: false").scrapeAndReport(T0));
        assertEquals(1, value("b", T0));
    }

    @Test
    void params_and_auth_reach_the_target() {
        server.page("/probe", "p 1\n");
        ScrapeLoop l = loop("metrics_path: /probe\nparams: {module: [http_2xx]}\nbasic_auth: {username: u, password: p}\nenable_compression: false");
        assertNull(l.scrapeAndReport(T0));
        assertEquals("module=http_2xx", server.lastHeaders.get(":query"));
        assertEquals("Basic dTpw", server.lastHeaders.get("authorization"));
        assertEquals("identity", server.lastHeaders.get("accept-encoding"));
    }

    @Test
    void http_headers_reach_the_target_over_either_connection_and_files_are_read_per_scrape() throws Exception {
        server.page("/metrics", "a 1\n");
        java.nio.file.Path file = java.nio.file.Files.createTempFile("vigil-header", ".txt");
        try {
            java.nio.file.Files.writeString(file, " from-file\n");
            String headers = "http_headers:\n  X-Api-Key:\n    values: [v1, v2]\n    secrets: [s1]\n    files: [" + file + "]\n";
            ScrapeLoop direct = loop(headers);
            assertNull(direct.scrapeAndReport(T0));
            assertEquals(List.of("v1", "v2", "s1", "from-file"), server.lastHeaderValues.get("x-api-key"));
            // through a proxy (the target itself) the JDK client fetches: the same headers
            server.lastHeaderValues.clear();
            assertNull(loop(headers + "proxy_url: http://" + server.address() + "\n").scrapeAndReport(T0));
            assertEquals(List.of("v1", "v2", "s1", "from-file"), server.lastHeaderValues.get("x-api-key"));

            java.nio.file.Files.writeString(file, "rotated");
            assertNull(direct.scrapeAndReport(T0 + 1));
            assertEquals("rotated", server.lastHeaderValues.get("x-api-key").getLast(), "the file is read at every scrape");
            java.nio.file.Files.delete(file);
            String err = direct.scrapeAndReport(T0 + 2);
            assertTrue(err != null && err.startsWith("unable to read headers file " + file + ": "), err);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void extra_scrape_metrics_report_timeout_sample_limit_and_body_size() {
        String page = "a 1\nb 2\n";
        server.page("/metrics", page);
        ScrapeLoop l = loop("extra_scrape_metrics: true\nsample_limit: 50\nbody_size_limit: 100B\nscrape_timeout: 7s");
        assertNull(l.scrapeAndReport(T0));
        assertEquals(7, value("scrape_timeout_seconds", T0));
        assertEquals(50, value("scrape_sample_limit", T0));
        assertEquals(page.length(), value("scrape_body_size_bytes", T0));
        server.page("/metrics", "x".repeat(200) + " 1\n");
        assertTrue(l.scrapeAndReport(T0 + 1).startsWith("body size limit exceeded"));
        assertEquals(-1, value("scrape_body_size_bytes", T0 + 1), "Prometheus's -1 for a body over the limit");
        server.page("/metrics", new TestTarget.Page(500, "text/plain", "no\n", false, 0));
        assertTrue(l.scrapeAndReport(T0 + 2).contains("500"));
        assertEquals(0, value("scrape_body_size_bytes", T0 + 2));
        clock.set(T0 + 5_000);
        l.stop(true);
        assertTrue(dev.vigil.tsdb.StaleMarker.isStale(samples("scrape_sample_limit").firstEntry().getValue().getLast()[1]),
                "a removed target's extra report series go stale too");
    }

    @Test
    void without_extra_scrape_metrics_there_are_five_report_series() {
        server.page("/metrics", "a 1\n");
        assertNull(loop("").scrapeAndReport(T0));
        assertEquals(1, value("up", T0));
        assertTrue(samples("scrape_timeout_seconds").isEmpty());
        assertTrue(samples("scrape_body_size_bytes").isEmpty());
    }

    @Test
    void steady_state_append_allocates_nothing_per_sample() {
        CountingStorage storage = new CountingStorage();
        // One loop per page size: the difference between them is the cost per cached sample, the
        // per-scrape constant (report series, commit) cancels out.
        ScrapeLoop smallLoop = loop("", storage);
        ScrapeLoop largeLoop = loop("", storage);
        byte[] small = page(100);
        byte[] large = page(10_000);
        long t = T0;
        for (int i = 0; i < 200; i++) { // fill the caches, let the JIT settle
            smallLoop.append(small, small.length, "text/plain", t, 1000, null);
            largeLoop.append(large, large.length, "text/plain", t++, 1000, null);
        }
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long a0 = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 20; i++) smallLoop.append(small, small.length, "text/plain", t++, 1000, null);
        long a1 = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 20; i++) largeLoop.append(large, large.length, "text/plain", t++, 1000, null);
        long a2 = mx.getThreadAllocatedBytes(tid);
        double perSample = ((a2 - a1) - (a1 - a0)) / (20.0 * (10_000 - 100));
        assertTrue(perSample < 0.5, "bytes allocated per cached sample: " + perSample);
        assertEquals(220L * (100 + 5) + 220L * (10_000 + 5), storage.samples);
    }

    static byte[] page(int series) {
        StringBuilder sb = new StringBuilder("# TYPE node_cpu_seconds_total counter\n");
        for (int i = 0; i < series; i++) {
            sb.append("node_cpu_seconds_total{cpu=\"").append(i).append("\",mode=\"idle\"} ").append(i * 1.5).append('\n');
        }
        return sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
