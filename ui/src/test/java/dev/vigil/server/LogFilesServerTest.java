package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code query_log_file} and {@code scrape_failure_log_file} in a running server: what a line
 * holds, that rule evaluations are logged too, and that each reload reopens, drops or refuses the
 * files as Prometheus does.
 */
class LogFilesServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newHttpClient();
    String base;

    static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (String l : Files.readAllLines(file)) out.add(JSON.readTree(l)); // each line is one JSON document
        return out;
    }

    static JsonNode await(Path file, String what, Predicate<JsonNode> p) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            for (JsonNode n : lines(file)) if (p.test(n)) return n;
            assertTrue(System.nanoTime() < deadline, "no line " + what + " in " + lines(file));
            Thread.sleep(50);
        }
    }

    HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void queries_rule_evaluations_and_failed_scrapes_are_logged_and_reloads_reopen_the_files() throws Exception {
        Path config = dir.resolve("prometheus.yml");
        Path rules = dir.resolve("rules.yml");
        Files.writeString(rules, "groups:\n  - name: g\n    interval: 200ms\n    rules:\n      - record: job:one\n        expr: vector(1)\n");
        String withLogs = """
                global:
                  query_log_file: queries.log
                  scrape_failure_log_file: failures.log
                rule_files: [rules.yml]
                scrape_configs:
                  - job_name: dead
                    scrape_interval: 200ms
                    scrape_timeout: 100ms
                    static_configs: [{targets: ['127.0.0.1:1']}]
                """;
        Files.writeString(config, withLogs);
        Path queries = dir.resolve("queries.log");
        Path failures = dir.resolve("failures.log");
        Flags flags = Flags.parse(new String[] {"--storage.tsdb.path", dir.resolve("data").toString(), "--web.listen-address=127.0.0.1:0",
                "--config.file", config.toString(), "--web.enable-lifecycle"});
        try (Server s = Server.start(flags, () -> {}, false)) {
            base = "http://127.0.0.1:" + s.http.port();
            assertEquals(200, get("/api/v1/query?query=" + enc("up") + "&time=1700000000.5").statusCode());
            JsonNode instant = await(queries, "for the instant query", n -> n.path("params").path("query").asText().equals("up"));
            assertEquals("promql query logged", instant.get("msg").asText());
            assertEquals("INFO", instant.get("level").asText());
            assertEquals("2023-11-14T22:13:20.500Z", instant.get("params").get("start").asText());
            assertEquals("2023-11-14T22:13:20.500Z", instant.get("params").get("end").asText());
            assertEquals(0, instant.get("params").get("step").asLong());
            assertEquals("{\"clientIP\":\"127.0.0.1\",\"method\":\"GET\",\"path\":\"/api/v1/query\"}", instant.get("httpRequest").toString());
            JsonNode timings = instant.get("stats").get("timings");
            assertTrue(timings.get("evalTotalTime").isNumber() && timings.get("execTotalTime").asDouble() >= timings.get("evalTotalTime").asDouble(),
                    timings.toString());
            assertTrue(instant.get("error") == null, "a query that worked has no error");

            assertEquals(200, post("/api/v1/query_range", "query=" + enc("vector(2)") + "&start=0&end=60&step=15").statusCode());
            JsonNode range = await(queries, "for the range query", n -> n.path("params").path("query").asText().equals("vector(2)"));
            assertEquals(15, range.get("params").get("step").asLong());
            assertEquals("1970-01-01T00:01:00.000Z", range.get("params").get("end").asText());
            assertEquals("POST", range.get("httpRequest").get("method").asText());

            String bad = "label_replace(vector(3), \"x\", \"$1\", \"y\", \"(\")";
            assertEquals(422, get("/api/v1/query?query=" + enc(bad)).statusCode());
            JsonNode failed = await(queries, "for the failed query", n -> n.path("params").path("query").asText().equals(bad));
            assertTrue(failed.get("error").asText().startsWith("invalid regular expression in label_replace()"), failed.toString());

            JsonNode rule = await(queries, "for the rule evaluation", n -> n.has("ruleGroup"));
            assertEquals("vector(1)", rule.get("params").get("query").asText());
            assertEquals(rules.toString(), rule.get("ruleGroup").get("file").asText());
            assertEquals("g", rule.get("ruleGroup").get("name").asText());
            assertTrue(rule.get("httpRequest") == null);

            JsonNode failure = await(failures, "for the dead target", n -> true);
            assertEquals("ERROR", failure.get("level").asText());
            assertEquals("http://127.0.0.1:1/metrics", failure.get("target").asText());
            assertTrue(!failure.get("msg").asText().isEmpty());
            assertTrue(get("/metrics").body().contains("\nprometheus_engine_query_log_enabled 1\n"));

            // a file that cannot be opened fails the reload, and the running files stay
            Files.writeString(config, withLogs.replace("query_log_file: queries.log", "query_log_file: no/such/dir/q.log"));
            HttpResponse<String> refused = post("/-/reload", "");
            assertEquals(500, refused.statusCode());
            assertTrue(refused.body().contains("can't create json log file: open " + dir.resolve("no/such/dir/q.log")), refused.body());
            assertEquals(200, get("/api/v1/query?query=" + enc("up == 7")).statusCode());
            await(queries, "after the refused reload", n -> n.path("params").path("query").asText().equals("up == 7"));

            // rotated away: the next reload opens a new file under the name
            Files.move(queries, dir.resolve("queries.log.1"));
            Files.writeString(config, withLogs);
            assertEquals(200, post("/-/reload", "").statusCode());
            assertEquals(200, get("/api/v1/query?query=" + enc("up == 8")).statusCode());
            await(queries, "in the reopened file", n -> n.path("params").path("query").asText().equals("up == 8"));

            // removed from the config: nothing more is logged
            Files.writeString(config, "rule_files: [rules.yml]\n");
            assertEquals(200, post("/-/reload", "").statusCode());
            assertTrue(get("/metrics").body().contains("\nprometheus_engine_query_log_enabled 0\n"));
            int before = lines(queries).size();
            assertEquals(200, get("/api/v1/query?query=" + enc("up == 9")).statusCode());
            Thread.sleep(500); // two rule evaluations
            assertEquals(before, lines(queries).size());
        }
    }
}
