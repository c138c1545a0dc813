package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.server.web.WebUi;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/** Every page of the UI loads in a real browser, under a route prefix, and logs no console errors. */
class UiPagesBrowserTest {
    @TempDir
    static Path dir;

    static Server server;
    static Browser browser;
    static String base;

    @BeforeAll
    static void start() {
        browser = Browser.open();
        server = Server.start(Flags.parse(new String[] {"--storage.tsdb.path", dir.toString(), "--web.listen-address=127.0.0.1:0",
                "--web.route-prefix=/vigil"}), () -> {}, true);
        base = "http://127.0.0.1:" + server.port() + "/vigil";
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (server != null) server.close();
    }

    @Test
    void everyPageLoadsWithoutConsoleErrors() throws Exception {
        for (String page : WebUi.PAGES) {
            browser.get(base + page);
            browser.waitFor(By.cssSelector("#app .page h1, #app .page .query-page"), 10);
            browser.waitUntil("return !document.querySelector('#app .loading')", 10);
            browser.screenshot("page" + page.replace('/', '-'));
            assertEquals(java.util.List.of(), browser.consoleErrors(), page);
        }
    }

    @Test
    void rootRedirectsToTheQueryPage() {
        browser.get("http://127.0.0.1:" + server.port() + "/");
        browser.waitFor(By.cssSelector(".query-page"), 10);
        assertTrue(browser.driver.getCurrentUrl().endsWith("/vigil/query"), browser.driver.getCurrentUrl());
    }
}
