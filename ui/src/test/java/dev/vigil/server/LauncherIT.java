package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code bin/vigil}, the launcher a user runs, as a user would: after the package phase (the
 * launcher starts the server from the built classes), with VIGIL_NO_BUILD so that it does not
 * start a build inside this one. The JVM flags it passes (the serial collector, the inlining caps,
 * the compiler directives file) are only checked here: a flag a JDK refuses stops the JVM at once.
 */
class LauncherIT {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static final Path LAUNCHER = HOME.resolve("bin/vigil");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path work;

    @Test
    void versionFindsAJdk25WhenJavaHomeIsWrongAndPrintsOnlyTheVersion() throws Exception {
        Run r = run(List.of("--version"), "JAVA_HOME", work.resolve("no-such-jdk").toString());
        assertEquals(0, r.exit, r.toString());
        List<String> lines = r.stdout.lines().toList();
        assertEquals(2, lines.size(), "stdout is the version and nothing else (no JVM messages): " + r);
        assertTrue(lines.get(0).startsWith("vigil, version "), r.toString());
        Matcher java = Pattern.compile("java: +(\\d+)").matcher(lines.get(1));
        assertTrue(java.find(), r.toString());
        assertTrue(Integer.parseInt(java.group(1)) >= 25, "runs on a JDK 25 or newer: " + r);
    }

    @Test
    void checkConfigAcceptsAGoodFileAndNamesTheLineAndKeyOfABadOne() throws Exception {
        Path good = work.resolve("good.yml");
        Files.writeString(good, "scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['127.0.0.1:9']}]\n");
        Path bad = work.resolve("bad.yml");
        Files.writeString(bad, "scrape_configs:\n  - job_name: a\n    static_configz: []\n");
        Run ok = run(List.of("check", "config", good.toString()));
        assertEquals(0, ok.exit, ok.toString());
        assertTrue(ok.stdout.contains("SUCCESS"), ok.toString());
        Run failed = run(List.of("check", "config", bad.toString()));
        assertEquals(1, failed.exit, failed.toString());
        assertTrue(failed.stderr.contains("bad.yml:3:5") && failed.stderr.contains("static_configz"), failed.toString());
    }

    @Test
    void serverStartsWithTheLauncherFlagsScrapesItselfStopsOnSigtermAndKeepsItsData() throws Exception {
        int port = freePort();
        Path config = work.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: vigil
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                """.formatted(port));
        Path data = work.resolve("data");
        List<String> args = List.of("--config.file=" + config, "--storage.tsdb.path=" + data, "--web.listen-address=127.0.0.1:" + port);
        String base = "http://127.0.0.1:" + port;

        Path log = work.resolve("first.log");
        Process p = start(args, log);
        long scrapedUntil;
        try {
            awaitReady(p, base, log);
            String cmdline = Files.readString(Path.of("/proc/" + p.pid() + "/cmdline")).replace('\0', ' ');
            assertTrue(cmdline.contains("-XX:+UseSerialGC") && cmdline.contains("-XX:CompilerDirectivesFile=" + HOME.resolve("bin/jit-directives.json")),
                    "the server JVM runs with the launcher's flags: " + cmdline);
            assertTrue(cmdline.contains("dev.vigil.server.Main"), cmdline);
            String up = awaitQuery(base, "up{job=\"vigil\"}", "\"1\"", log);
            assertTrue(up.contains("\"instance\":\"127.0.0.1:" + port + "\""), up);
            String out = Files.readString(log);
            assertTrue(out.contains("1 compiler directives added"), "the JVM read the directives file: " + out);
            assertFalse(out.contains("Unrecognized") || out.contains("Could not"), out);
            // the next whole second: a query at the current second, rounded down, could end before the only sample
            scrapedUntil = System.currentTimeMillis() / 1000 + 1;
        } finally {
            p.destroy(); // SIGTERM, as a service manager stops it
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stops within 60 s of SIGTERM");
        assertEquals(143, p.exitValue(), "exit status of a JVM ended by SIGTERM after its shutdown hooks");

        Path log2 = work.resolve("second.log");
        Process again = start(args, log2);
        try {
            awaitReady(again, base, log2);
            // the first run's samples are back after the restart
            String range = get(base + "/api/v1/query?query=" + enc("count_over_time(up{job=\"vigil\"}[10m])") + "&time=" + scrapedUntil);
            Matcher m = Pattern.compile("\"value\":\\[[0-9.]+,\"(\\d+)\"\\]").matcher(range);
            assertTrue(m.find(), range);
            assertTrue(Integer.parseInt(m.group(1)) >= 1, range);
        } finally {
            again.destroy();
            again.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private Process start(List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(LAUNCHER.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("VIGIL_NO_BUILD", "1");
        pb.environment().remove("VIGIL_JAVA_OPTS");
        return pb.start();
    }

    private static void awaitReady(Process p, String base, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) fail("the launcher exited with " + p.exitValue() + ":\n" + Files.readString(log));
            try {
                // a request timeout too: a kept-alive connection to the first server can leave a request hanging
                if (HTTP.send(HttpRequest.newBuilder(URI.create(base + "/-/ready")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        fail("not ready in 90 s:\n" + Files.readString(log));
    }

    private static String awaitQuery(String base, String query, String expected, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = get(base + "/api/v1/query?query=" + enc(query));
            if (last.contains(expected)) return last;
            Thread.sleep(250);
        }
        fail("query " + query + " never returned " + expected + "; last: " + last + "\n" + Files.readString(log));
        return last;
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + " -> " + r.body());
        return r.body();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private record Run(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    private Run run(List<String> args, String... env) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(LAUNCHER.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.environment().put("VIGIL_NO_BUILD", "1");
        pb.environment().remove("VIGIL_JAVA_OPTS");
        for (int i = 0; i < env.length; i += 2) pb.environment().put(env[i], env[i + 1]);
        Path out = work.resolve("out.txt"), err = work.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("launcher did not finish in 120 s: " + cmd);
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
