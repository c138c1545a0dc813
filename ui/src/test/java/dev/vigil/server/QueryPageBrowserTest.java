package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The query page in a real browser: a typed query draws a graph with the right number of series and
 * a table with the right values; autocomplete suggests metric names; a syntax error is marked at its
 * position; format; the URL reproduces the view; graphs gain live points without a reload; a graph of
 * 200 series x 1,000 points stays responsive (figures printed as GRAPH_*).
 */
class QueryPageBrowserTest {
    @TempDir
    static Path dir;

    static Server server;
    static Browser browser;
    static String base;
    static final long NOW = System.currentTimeMillis() / 15_000 * 15_000;

    @BeforeAll
    static void start() {
        browser = Browser.open();
        server = Server.start(Flags.parse(new String[] {"--storage.tsdb.path", dir.toString(), "--web.listen-address=127.0.0.1:0"}),
                () -> {}, false);
        base = "http://127.0.0.1:" + server.port();
        Appender app = server.storage.appender();
        for (int i = 0; i <= 240; i++) { // 1h at 15s
            long t = NOW - 3_600_000 + i * 15_000L;
            app.append(0, Labels.of("__name__", "demo_requests_total", "code", "200", "job", "api"), t, i * 10.0);
            app.append(0, Labels.of("__name__", "demo_requests_total", "code", "500", "job", "api"), t, i);
            app.append(0, Labels.of("__name__", "demo_requests_total", "code", "404", "job", "api"), t, 7);
        }
        // 200 series x 1,000 points for the responsiveness figures
        for (int s = 0; s < 200; s++) {
            Labels l = Labels.of("__name__", "wide_metric", "series", Integer.toString(s));
            for (int i = 0; i < 1000; i++) app.append(0, l, NOW - 999 * 15_000L + i * 15_000L, Math.sin(i / 50.0 + s) * 100 + s);
        }
        app.commit();
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (server != null) server.close();
    }

    static String queryUrl(String expr, String tab, String extra) {
        return base + "/query?g0.expr=" + URLEncoder.encode(expr, StandardCharsets.UTF_8) + "&g0.tab=" + tab + extra;
    }

    @Test
    void tableShowsTheValues() throws Exception {
        browser.get(queryUrl("demo_requests_total", "table", ""));
        browser.waitUntil("return document.querySelectorAll('.result-table tr').length === 3", 10);
        List<WebElement> rows = browser.driver.findElements(By.cssSelector(".result-table tr"));
        Map<String, String> values = new java.util.TreeMap<>();
        for (WebElement r : rows) values.put(r.findElement(By.cssSelector("td.series")).getText(), r.findElement(By.cssSelector("td.value")).getText());
        assertEquals(Map.of("demo_requests_total{code=\"200\", job=\"api\"}", "2400",
                "demo_requests_total{code=\"404\", job=\"api\"}", "7",
                "demo_requests_total{code=\"500\", job=\"api\"}", "240"), values);
        assertTrue(browser.driver.findElement(By.cssSelector(".stats")).getText().contains("Result series: 3"));
        browser.screenshot("query-table");
        assertEquals(List.of(), browser.consoleErrors());
    }

    @Test
    void graphDrawsOneLinePerSeries() throws Exception {
        browser.get(queryUrl("rate(demo_requests_total[5m])", "graph", "&g0.range_input=30m&g0.end_input=" + java.time.Instant.ofEpochMilli(NOW)));
        browser.waitFor(By.cssSelector(".graph canvas"), 10);
        assertEquals(3L, browser.js("return document.querySelector('.graph').__vigilGraph.plot.series.length - 1"));
        // 30m at the automatic step (7 s) on a grid aligned to it
        long points = (Long) browser.js("return document.querySelector('.graph').__vigilGraph.data.xs.length");
        assertTrue(points >= 250 && points <= 260, "points " + points);
        // the 200-code series rises 10 per 15 s: 0.667/s, everywhere the rate window is full
        Object last = browser.js("const g = document.querySelector('.graph').__vigilGraph;"
                + "const i = g.keys.findIndex(k => k.includes('\"200\"')); const col = g.data.ys[i]; return col[col.length - 1];");
        assertEquals(0.6667, ((Number) last).doubleValue(), 0.001);
        assertEquals(3, browser.driver.findElements(By.cssSelector(".legend-item")).size());
        browser.screenshot("query-graph");
        assertEquals(List.of(), browser.consoleErrors());
    }

    @Test
    void autocompleteSuggestsMetricNamesAndFunctions() throws Exception {
        browser.get(base + "/query");
        WebElement input = browser.waitFor(By.cssSelector("textarea.expr"), 10);
        input.sendKeys("demo_req");
        browser.waitFor(By.cssSelector("ul.complete li"), 5);
        assertEquals("demo_requests_total", browser.driver.findElement(By.cssSelector("ul.complete li .c-text")).getText());
        input.sendKeys(Keys.TAB);
        assertEquals("demo_requests_total", input.getAttribute("value"));
        input.sendKeys("{co");
        browser.waitUntil("return [...document.querySelectorAll('ul.complete li .c-text')].some(e => e.textContent === 'code')", 5);
        input.sendKeys(Keys.TAB, "=\"");
        browser.waitUntil("return [...document.querySelectorAll('ul.complete li .c-text')].map(e => e.textContent).join() === '200,404,500'", 5);
        input.clear();
        input.sendKeys("histogram_qu");
        browser.waitUntil("return document.querySelector('ul.complete li .c-detail')?.textContent.startsWith('histogram_quantile(φ scalar, b instant-vector)')", 5);
        browser.screenshot("query-autocomplete");
        assertEquals(List.of(), browser.consoleErrors());
    }

    @Test
    void syntaxErrorIsShownAtItsPosition() throws Exception {
        browser.get(base + "/query");
        WebElement input = browser.waitFor(By.cssSelector("textarea.expr"), 10);
        input.sendKeys("sum(rate(demo_requests_total[5m])) by (code) +");
        browser.driver.findElement(By.cssSelector("button.execute")).click();
        WebElement error = browser.waitFor(By.cssSelector(".panel-error .alert-error"), 5);
        assertTrue(error.getText().contains("parse error"), error.getText());
        // the mark sits at the end, where the right operand is missing
        String before = (String) browser.js("return document.querySelector('mark.error-at').previousSibling.textContent");
        assertEquals("sum(rate(demo_requests_total[5m])) by (code) +", before);
        browser.screenshot("query-syntax-error");
    }

    @Test
    void formatRewritesTheExpression() {
        browser.get(base + "/query");
        WebElement input = browser.waitFor(By.cssSelector("textarea.expr"), 10);
        input.sendKeys("sum(rate(demo_requests_total[5m]))by(code)");
        browser.driver.findElement(By.cssSelector("button.format")).click();
        browser.waitUntil("return document.querySelector('textarea.expr').value === 'sum by (code) (rate(demo_requests_total[5m]))'", 5);
    }

    @Test
    void urlReproducesSeveralPanels() {
        browser.get(base + "/query");
        WebElement input = browser.waitFor(By.cssSelector("textarea.expr"), 10);
        input.sendKeys("demo_requests_total", Keys.ESCAPE, Keys.ENTER);
        browser.driver.findElement(By.cssSelector("button.add-panel")).click();
        List<WebElement> inputs = browser.driver.findElements(By.cssSelector("textarea.expr"));
        assertEquals(2, inputs.size());
        inputs.get(1).sendKeys("vector(42)", Keys.ESCAPE);
        browser.driver.findElements(By.cssSelector(".query-panel")).get(1).findElement(By.cssSelector("button.tab[data-tab=graph]")).click();
        String url = browser.driver.getCurrentUrl();
        assertTrue(url.contains("g0.expr=demo_requests_total") && url.contains("g1.expr=vector%2842%29") && url.contains("g1.tab=graph"), url);
        browser.get(url);
        browser.waitUntil("return document.querySelectorAll('textarea.expr').length === 2", 10);
        browser.waitFor(By.cssSelector(".query-panel:nth-child(2) .graph canvas"), 10);
        assertEquals("vector(42)", browser.driver.findElements(By.cssSelector("textarea.expr")).get(1).getAttribute("value"));
        browser.waitUntil("return document.querySelectorAll('.query-panel:nth-child(1) .result-table tr').length === 3", 10);
    }

    @Test
    void graphGainsLivePointsWithoutReload() throws Exception {
        browser.get(queryUrl("live_metric", "graph", "&g0.range_input=2m&g0.res_type=fixed&g0.res_step=1"));
        // the series appears with the first sample; its graph is drawn anew once
        Labels l = Labels.of("__name__", "live_metric", "job", "t");
        appendNow(l, 1);
        browser.js("window.__notReloaded = true");
        browser.waitFor(By.cssSelector(".graph canvas"), 15);
        long firstX = ((Number) browser.js("const d = document.querySelector('.graph').__vigilGraph.data; return d.xs[d.xs.length - 1]")).longValue();
        for (int i = 0; i < 4; i++) {
            Thread.sleep(1000);
            appendNow(l, 2 + i);
        }
        browser.waitUntil("const d = document.querySelector('.graph').__vigilGraph.data; return d.xs[d.xs.length - 1] >= arguments[0] + 3", 15, firstX);
        assertEquals(Boolean.TRUE, browser.js("return window.__notReloaded === true"));
        Object lastValue = browser.js("const d = document.querySelector('.graph').__vigilGraph.data; const c = d.ys[0]; return c.filter(v => v !== null).pop()");
        assertTrue(((Number) lastValue).doubleValue() >= 3, "live points carry the new values: " + lastValue);
        // the window slides: still about 2 minutes of 1 s steps
        long n = (Long) browser.js("return document.querySelector('.graph').__vigilGraph.data.xs.length");
        assertTrue(n >= 119 && n <= 125, "points in the window: " + n);
        assertEquals(List.of(), browser.consoleErrors());
    }

    @Test
    void lostSocketShowsReconnectingAndPollingKeepsTheGraphGoing() throws Exception {
        Labels l = Labels.of("__name__", "poll_metric", "job", "t");
        appendNow(l, 1);
        browser.get(queryUrl("poll_metric", "graph", "&g0.range_input=1m&g0.res_type=fixed&g0.res_step=1"));
        browser.waitFor(By.cssSelector(".graph canvas"), 10);
        browser.waitUntil("return document.getElementById('conn-state').hidden", 5);
        server.live.setAccepting(false);
        try {
            WebElementText.visible(browser, "#conn-state", "reconnecting");
            long before = ((Number) browser.js("const d = document.querySelector('.graph').__vigilGraph.data; return d.xs[d.xs.length - 1]")).longValue();
            for (int i = 0; i < 3; i++) {
                Thread.sleep(1000);
                appendNow(l, 10 + i);
            }
            // polling query_range extends the graph while the socket is down
            browser.waitUntil("const d = document.querySelector('.graph').__vigilGraph.data; return d.xs[d.xs.length - 1] >= arguments[0] + 2", 15, before);
            browser.screenshot("query-reconnecting");
        } finally {
            server.live.setAccepting(true);
        }
        // the socket comes back (backoff from 1 s) and the state clears
        browser.waitUntil("return document.getElementById('conn-state').hidden", 20);
        assertEquals(List.of(), browser.consoleErrors());
    }

    /** Waits until a selector's element is shown and contains the text. */
    static final class WebElementText {
        static void visible(Browser b, String css, String text) {
            b.waitUntil("const e = document.querySelector(arguments[0]); return e && !e.hidden && e.textContent.includes(arguments[1])", 10, css, text);
        }
    }

    static void appendNow(Labels l, double v) {
        Appender app = server.storage.appender();
        app.append(0, l, System.currentTimeMillis(), v);
        app.commit();
    }

    @Test
    void graphOf200SeriesBy1000PointsStaysResponsive() throws Exception {
        String end = java.time.Instant.ofEpochMilli(NOW).toString();
        browser.get(queryUrl("wide_metric", "graph", "&g0.range_input=" + (999 * 15) + "s&g0.res_type=fixed&g0.res_step=15&g0.end_input=" + end));
        browser.waitFor(By.cssSelector(".graph canvas"), 20);
        assertEquals(200L, browser.js("return document.querySelector('.graph').__vigilGraph.plot.series.length - 1"));
        assertEquals(1000L, browser.js("return document.querySelector('.graph').__vigilGraph.data.xs.length"));
        // redraw, hover and zoom timed in the page: each must feel instant (well under 100 ms)
        @SuppressWarnings("unchecked")
        Map<String, Object> t = (Map<String, Object>) browser.driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                (async () => {
                const g = document.querySelector('.graph').__vigilGraph; const u = g.plot;
                const painted = () => new Promise(r => setTimeout(r, 0));
                let t0 = performance.now(); g.setData(g.data.xs, g.data.ys); await painted();
                const redraw = g.element.lastDrawn - t0;
                const over = u.over, r = over.getBoundingClientRect();
                t0 = performance.now();
                for (let i = 0; i < 100; i++) {
                  over.dispatchEvent(new MouseEvent('mousemove', {clientX: r.left + 5 + i * (r.width - 10) / 100, clientY: r.top + r.height / 2, bubbles: true}));
                }
                const hover = (performance.now() - t0) / 100;
                const tooltip = !document.querySelector('.graph-tooltip').hidden;
                t0 = performance.now(); u.setScale('x', {min: g.data.xs[200], max: g.data.xs[400]}); await painted();
                const zoom = g.element.lastDrawn - t0;
                done({redraw, hover, zoom, tooltip});
                })();
                """);
        System.out.printf("GRAPH_200x1000_REDRAW_MS=%.1f GRAPH_200x1000_HOVER_MS=%.2f GRAPH_200x1000_ZOOM_MS=%.1f%n",
                num(t.get("redraw")), num(t.get("hover")), num(t.get("zoom")));
        assertEquals(Boolean.TRUE, t.get("tooltip"));
        assertTrue(num(t.get("hover")) < 50, "hover " + t);
        assertTrue(num(t.get("zoom")) < 200 && num(t.get("redraw")) < 300, "zoom/redraw " + t);
        browser.screenshot("query-graph-200-series");
        assertEquals(List.of(), browser.consoleErrors());
    }

    static double num(Object o) {
        return ((Number) o).doubleValue();
    }
}
