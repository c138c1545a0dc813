package dev.vigil.server;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian chromium driven through /usr/bin/chromedriver (installed by .ci/run), with the
 * page's console collected so tests can require that a page logs no errors.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    final ChromeDriver driver;
    private final List<String> console = new ArrayList<>();

    /** Skips the test on a developer machine without chromium; CI installs it, so there it runs or fails. */
    static Browser open() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        assumeTrue(present || System.getenv("CI") != null, "chromium and chromium-driver are not installed");
        return new Browser();
    }

    private Browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--disable-extensions", "--no-first-run", "--disable-background-networking");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    }

    void get(String url) {
        driver.get(url);
    }

    /** Waits until the element is visible; fails with the page's text when it does not appear. */
    WebElement waitFor(By by, int seconds) {
        try {
            return new WebDriverWait(driver, Duration.ofSeconds(seconds)).until(ExpectedConditions.visibilityOfElementLocated(by));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("no " + by + " after " + seconds + " s; the page shows:\n"
                    + driver.findElement(By.tagName("body")).getText() + "\nconsole: " + consoleMessages(), e);
        }
    }

    /** Waits until the script returns true (truthy). */
    void waitUntil(String script, int seconds, Object... args) {
        try {
            new WebDriverWait(driver, Duration.ofSeconds(seconds)).until(d -> {
                Object r = ((JavascriptExecutor) d).executeScript(script, args);
                return r != null && !Boolean.FALSE.equals(r) ? r : null;
            });
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("not true after " + seconds + " s: " + script + "\nthe page shows:\n"
                    + driver.findElement(By.tagName("body")).getText() + "\nconsole: " + consoleMessages(), e);
        }
    }

    Object js(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    /** Everything the page logged so far (level and text), kept across calls. */
    List<String> consoleMessages() {
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) console.add(e.getLevel() + " " + e.getMessage());
        return console;
    }

    /**
     * Console errors: script errors and failed loads, but not the API's own 4xx answers (a bad query
     * is answered 400 and shown in the page; Chrome logs every such response).
     */
    List<String> consoleErrors() {
        return consoleMessages().stream().filter(m -> m.startsWith("SEVERE"))
                .filter(m -> !(m.contains("/api/v1/") && m.matches(".*status of 4\\d\\d.*"))).toList();
    }

    /** Writes target/screenshots/NAME.png for people to look at. */
    Path screenshot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        File f = driver.getScreenshotAs(OutputType.FILE);
        Path out = SCREENSHOTS.resolve(name + ".png");
        Files.move(f.toPath(), out, StandardCopyOption.REPLACE_EXISTING);
        return out;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> jsMap(String script, Object... args) {
        return (Map<String, Object>) driver.executeScript(script, args);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
