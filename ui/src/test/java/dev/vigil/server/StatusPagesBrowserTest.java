package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The status pages in a real browser, against a server that scrapes itself and a target that is
 * down, drops one discovered target by relabeling, and evaluates a recording rule, an alert that
 * fires at once and one that never does.
 */
class StatusPagesBrowserTest {
    @TempDir
    static Path dir;

    static Server server;
    static Browser browser;
    static String base;
    static int port;
    /** Console errors logged before the running test, which it does not answer for. */
    int consoleErrorsBefore;

    @BeforeAll
    static void start() throws Exception {
        browser = Browser.open();
        port = freePort();
        Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: recordings
                    interval: 1s
                    rules:
                      - record: job:up:sum
                        expr: sum by (job) (up)
                  - name: alerts
                    interval: 1s
                    rules:
                      - alert: AlwaysFiring
                        expr: vector(1) > 0
                        labels: {severity: page}
                        annotations: {summary: "fires with value {{ $value }}"}
                      - alert: NeverFires
                        expr: vector(0) > 1
                        for: 5m
                """);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                rule_files: [rules.yml]
                scrape_configs:
                  - job_name: vigil
                    static_configs: [{targets: ['127.0.0.1:%d', '127.0.0.1:9']}]
                    relabel_configs:
                      - source_labels: [__address__]
                        regex: '127\\.0\\.0\\.1:9'
                        action: drop
                  - job_name: unreachable
                    static_configs: [{targets: ['127.0.0.1:1']}]
                """.formatted(port));
        server = Server.start(Flags.parse(new String[] {"--storage.tsdb.path", dir.resolve("data").toString(),
                "--web.listen-address=127.0.0.1:" + port, "--config.file", config.toString()}), () -> {}, false);
        base = "http://127.0.0.1:" + port;
        // the live pages redraw every 15 s, so open them once both targets are scraped and the rules evaluated
        await("/api/v1/targets", b -> b.contains("\"health\":\"up\"") && b.contains("\"health\":\"down\""));
        await("/api/v1/rules", b -> b.contains("\"state\":\"firing\"") && !b.contains("\"health\":\"unknown\""));
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (server != null) server.close();
    }

    @BeforeEach
    void markConsole() {
        consoleErrorsBefore = browser.consoleErrors().size();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Polls an API path until its body satisfies {@code ready}; the scrape and rule intervals are 1 s. */
    static String await(String path, Predicate<String> ready) throws Exception {
        HttpClient c = HttpClient.newHttpClient();
        String body = "";
        for (long deadline = System.nanoTime() + 20_000_000_000L; System.nanoTime() < deadline; Thread.sleep(100)) {
            body = c.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
            if (ready.test(body)) return body;
        }
        throw new AssertionError(path + " never got ready: " + body);
    }

    void open(String page) {
        browser.get(base + page);
        browser.waitFor(By.cssSelector("#app .page h1"), 10);
        browser.waitUntil("return !document.querySelector('#app .loading')", 10);
    }

    List<String> newConsoleErrors() {
        List<String> all = browser.consoleErrors();
        return all.subList(consoleErrorsBefore, all.size());
    }

    String text(String css) {
        return browser.driver.findElement(By.cssSelector(css)).getText();
    }

    List<String> texts(String css) {
        return browser.driver.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
    }

    void type(String css, String text) {
        WebElement input = browser.driver.findElement(By.cssSelector(css));
        input.clear();
        input.sendKeys(text);
    }

    String query() {
        return (String) browser.js("return location.search");
    }

    @Test
    void targets_showBothPoolsWithHealthAndErrors_andFilterByHealthAndText() throws Exception {
        open("/targets");
        assertEquals(List.of("vigil\n1 / 1 up", "unreachable\n0 / 1 up").stream().sorted().toList(),
                texts("details.status-section > summary").stream().sorted().toList());
        WebElement up = browser.driver.findElement(By.cssSelector("tr.target[data-health=up]"));
        assertTrue(up.getText().contains("http://127.0.0.1:" + port + "/metrics"), up.getText());
        assertTrue(up.getText().contains("UP") && up.getText().contains("job=\"vigil\"")
                && up.getText().contains("instance=\"127.0.0.1:" + port + "\""), up.getText());
        assertTrue(up.getText().matches("(?s).*\\d+(\\.\\d)?s ago.*"), "last scrape: " + up.getText());
        WebElement down = browser.driver.findElement(By.cssSelector("tr.target[data-health=down]"));
        assertTrue(down.getText().contains("http://127.0.0.1:1/metrics") && down.getText().contains("DOWN"), down.getText());
        String error = text("tr.target[data-health=down] + tr.target-error");
        assertTrue(error.contains("http://127.0.0.1:1/metrics"), "the down target shows its scrape error: " + error);
        browser.screenshot("status-targets");

        new Select(browser.driver.findElement(By.cssSelector("select[aria-label='Target health']"))).selectByValue("unhealthy");
        browser.waitUntil("return !document.querySelector('tr.target[data-health=up]')", 5);
        assertEquals(1, texts("tr.target[data-health=down]").size());
        assertEquals(List.of("unreachable\n0 / 1 up"), texts("details.status-section > summary"));
        assertEquals("?health=unhealthy", query());

        new Select(browser.driver.findElement(By.cssSelector("select[aria-label='Target health']"))).selectByValue("all");
        type("input.status-search", "job=\"vigil\"");
        browser.waitUntil("return !document.querySelector('tr.target[data-health=down]')", 5);
        assertEquals(1, texts("tr.target[data-health=up]").size());
        assertEquals("?search=job%3D%22vigil%22", query());

        // the filter state survives a reload
        open("/targets?health=unknown");
        assertEquals("unknown", browser.js("return document.querySelector(\"select[aria-label='Target health']\").value"));
        assertEquals(List.of("No targets match the filter."), texts(".status-content .alert-info"));
        assertEquals(List.of(), newConsoleErrors());
    }

    @Test
    void serviceDiscovery_showsDiscoveredAgainstTargetLabelsAndTheDroppedTarget() throws Exception {
        open("/service-discovery");
        String vigil = browser.driver.findElements(By.cssSelector("details.status-section")).stream()
                .filter(d -> d.getText().startsWith("vigil")).findFirst().orElseThrow().getText();
        assertTrue(vigil.startsWith("vigil\n1 active\n1 dropped"), vigil);
        WebElement dropped = browser.driver.findElement(By.cssSelector("tr.sd-target.dropped"));
        assertTrue(dropped.getText().contains("__address__=\"127.0.0.1:9\"") && dropped.getText().contains("dropped"), dropped.getText());
        WebElement active = browser.driver.findElement(By.cssSelector("tr.sd-target.active"));
        List<WebElement> cells = active.findElements(By.tagName("td"));
        assertTrue(cells.get(0).getText().contains("__address__=") && cells.get(0).getText().contains("__scheme__=\"http\""), cells.get(0).getText());
        assertTrue(cells.get(1).getText().contains("instance=") && !cells.get(1).getText().contains("__address__"), cells.get(1).getText());
        browser.screenshot("status-service-discovery");
        assertEquals(List.of(), newConsoleErrors());
    }

    @Test
    void rules_showBothGroupsWithTheirRules() throws Exception {
        open("/rules");
        assertEquals(List.of("recordings", "alerts"), texts("section.rule-group h2"));
        assertEquals(List.of("job:up:sum", "AlwaysFiring", "NeverFires"), browser.driver.findElements(By.cssSelector("tr.rule")).stream()
                .map(e -> e.getAttribute("data-name")).toList());
        String recording = text("tr.rule[data-name='job:up:sum']");
        assertTrue(recording.startsWith("recording job:up:sum\nsum by (job) (up)\nOK"), recording);
        String neverFires = text("tr.rule[data-name='NeverFires']");
        assertTrue(neverFires.startsWith("alerting NeverFires\nvector(0) > 1\nfor 5m"), neverFires);
        assertEquals(3L, browser.js("return document.querySelectorAll('tr.rule[data-health=ok]').length"));
        String meta = text("section.rule-group .group-meta");
        assertTrue(meta.startsWith("Interval 1s\nLast evaluation ") || meta.startsWith("Interval 1s Last evaluation "), meta);
        browser.screenshot("status-rules");

        type("input.status-search", "vector(1)");
        browser.waitUntil("return document.querySelectorAll('tr.rule').length === 1", 5);
        assertEquals(List.of("alerts"), texts("section.rule-group h2"));
        assertEquals(List.of(), newConsoleErrors());
    }

    @Test
    void alerts_showTheFiringAlertWithItsLabels_andTheStateFilterHidesIt() throws Exception {
        open("/alerts");
        WebElement firing = browser.driver.findElement(By.cssSelector("details.alert-rule[data-name=AlwaysFiring]"));
        assertEquals("firing", firing.getAttribute("data-state"));
        assertTrue(firing.getText().startsWith("FIRING\nAlwaysFiring\n1 active"), firing.getText());
        String instance = firing.findElement(By.cssSelector("tr.alert-instance")).getText();
        assertTrue(instance.contains("alertname=\"AlwaysFiring\"") && instance.contains("severity=\"page\"") && instance.contains("FIRING")
                && instance.contains("1e+00"), instance);
        assertTrue(firing.getText().contains("fires with value 1"), "annotations: " + firing.getText());
        WebElement inactive = browser.driver.findElement(By.cssSelector("details.alert-rule[data-name=NeverFires]"));
        assertEquals("inactive", inactive.getAttribute("data-state"));
        assertEquals(null, inactive.getAttribute("open"), "inactive rules start collapsed");
        assertEquals(List.of("inactive\n(1)", "pending\n(0)", "firing\n(1)"), texts("label.state-filter"));
        browser.screenshot("status-alerts");

        browser.driver.findElement(By.cssSelector("label.state-filter input[value=firing]")).click();
        browser.waitUntil("return !document.querySelector('details.alert-rule[data-name=AlwaysFiring]')", 5);
        assertEquals(1L, browser.js("return document.querySelectorAll('details.alert-rule[data-name=NeverFires]').length"));
        assertEquals("?state=inactive&state=pending", query());

        open("/alerts?state=firing&search=severity");
        assertEquals(List.of("AlwaysFiring"), browser.driver.findElements(By.cssSelector("details.alert-rule")).stream()
                .map(e -> e.getAttribute("data-name")).toList());
        assertEquals(List.of(), newConsoleErrors());
    }

    @Test
    void status_showsRuntimeBuildAndWalReplay() throws Exception {
        open("/status");
        String runtime = text("table.runtime-info");
        assertTrue(runtime.contains("Storage retention 15d") && runtime.contains("Configuration reload Successful")
                && runtime.contains("Working directory " + Path.of("").toAbsolutePath()), runtime);
        assertTrue(text("table.build-info").contains("Version (Prometheus API level) 3.5.0"), text("table.build-info"));
        assertEquals("done", text("table.wal-replay .wal-done"));
        browser.screenshot("status-status");
        assertEquals(List.of(), newConsoleErrors());
    }

    @Test
    void flags_filterFindsTheStoragePath() throws Exception {
        open("/flags");
        assertTrue(texts("tr.flag").size() > 10);
        type("input.status-search", "tsdb.path");
        browser.waitUntil("return document.querySelectorAll('tr.flag').length === 1", 5);
        assertEquals("--storage.tsdb.path " + dir.resolve("data"), text("tr.flag"));
        assertEquals("?search=tsdb.path", query());
        browser.screenshot("status-flags");
        assertEquals(List.of(), newConsoleErrors());
    }

    @Test
    void config_showsTheYamlAndCopiesIt() throws Exception {
        open("/config");
        String yaml = text("pre.config-yaml");
        assertTrue(yaml.contains("job_name: vigil") && yaml.contains("job_name: unreachable"), yaml);
        browser.driver.findElement(By.xpath("//button[text()='Copy to clipboard']")).click();
        browser.waitUntil("return document.querySelector('.copy-feedback').textContent !== ''", 5);
        browser.screenshot("status-config");
        assertEquals(List.of(), newConsoleErrors());
    }

    @Test
    void tsdbStatus_showsHeadStatsAndMetricNamesWithTheirCounts() throws Exception {
        open("/tsdb-status");
        Map<String, Long> byMetric = counts("table.series-by-metric");
        assertEquals(10, byMetric.size(), byMetric.toString());
        assertTrue(byMetric.values().stream().allMatch(n -> n > 0), byMetric.toString());
        assertTrue(byMetric.getOrDefault("prometheus_http_requests_total", 0L) > 1, byMetric.toString());
        assertTrue(counts("table.values-by-label").getOrDefault("__name__", 0L) > 10);
        assertTrue(counts("table.memory-by-label").getOrDefault("__name__", 0L) > 100);
        assertTrue(counts("table.series-by-pair").getOrDefault("job=vigil", 0L) > 10);
        String head = text("table.head-stats");
        assertTrue(head.matches("(?s)Number of series [1-9][\\d,]*\n.*Current min time \\d{4}-.*"), head);
        browser.screenshot("status-tsdb");

        Select limit = new Select(browser.driver.findElement(By.cssSelector("select[aria-label='Entries per table']")));
        limit.selectByValue("100");
        browser.waitUntil("return document.querySelectorAll('table.series-by-metric tbody tr').length > 10", 5);
        assertEquals(2L, counts("table.series-by-metric").get("up"), "up of both targets");
        limit.selectByValue("5");
        browser.waitUntil("return document.querySelectorAll('table.series-by-metric tbody tr').length === 5", 5);
        assertEquals("?limit=5", query());
        assertTrue(texts("h2").contains("Top 5 series count by metric names"), texts("h2").toString());
        assertEquals(List.of(), newConsoleErrors());
    }

    @Test
    void apiErrors_showTheApisMessageInThePage() throws Exception {
        open("/tsdb-status?limit=-1");
        assertEquals("Error loading TSDB status: limit must be a positive number", text(".status-messages .alert-error"));
        // the only console error is Chrome's note of the 400 answer itself
        assertTrue(newConsoleErrors().stream().allMatch(m -> m.contains("status of 400")), newConsoleErrors().toString());
    }

    @Test
    void livePages_refreshEvery15sAndStopWhenLeft() throws Exception {
        open("/flags");
        // the router imports the page modules after this, so they schedule through the recording timers
        browser.js("""
                window.refreshTimers = []; window.clearedTimers = [];
                const set = window.setTimeout, clear = window.clearTimeout;
                window.setTimeout = (f, ms, ...a) => { const id = set(f, ms, ...a); if (ms === 15000) refreshTimers.push(id); return id; };
                window.clearTimeout = (id) => { clearedTimers.push(id); clear(id); };
                """);
        for (String page : List.of("targets", "rules", "alerts")) {
            browser.driver.findElement(By.cssSelector(".topbar nav a[href='/" + page + "']")).click();
            browser.waitUntil("return refreshTimers.length === 1", 5);
            browser.driver.findElement(By.cssSelector(".topbar nav a[href='/flags']")).click();
            browser.waitUntil("return clearedTimers.includes(refreshTimers[0])", 5);
            browser.waitFor(By.cssSelector("tr.flag"), 5);
            assertEquals(1L, browser.js("return refreshTimers.length"), "the flags page does not refresh itself");
            browser.js("refreshTimers.length = 0");
        }
        assertEquals(List.of(), newConsoleErrors());
    }

    /** The name and count columns of a cardinality table. */
    Map<String, Long> counts(String table) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (WebElement row : browser.driver.findElements(By.cssSelector(table + " tbody tr"))) {
            List<WebElement> cells = row.findElements(By.tagName("td"));
            out.put(cells.get(0).getText(), Long.parseLong(cells.get(1).getText().replace(",", "")));
        }
        return out;
    }
}
