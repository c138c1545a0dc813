package dev.vigil.ingest.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.vigil.ingest.config.HttpClientConfig;
import dev.vigil.ingest.config.HttpSdConfig;
import dev.vigil.ingest.config.TargetGroup;
import dev.vigil.tsdb.Labels;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpDiscovererTest {
    HttpServer server;
    final AtomicReference<String[]> answer = new AtomicReference<>(); // content type, body
    final AtomicReference<String> refreshHeader = new AtomicReference<>();
    String url;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/sd", ex -> {
            refreshHeader.set(ex.getRequestHeaders().getFirst("X-Prometheus-Refresh-Interval-Seconds"));
            String[] a = answer.get();
            byte[] body = a[1].getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", a[0]);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort() + "/sd";
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void groups_are_polled_replaced_and_kept_on_errors() {
        HttpDiscoverer d = new HttpDiscoverer(new HttpSdConfig(url, 90_000, HttpClientConfig.DEFAULT));
        List<List<TargetGroup>> reports = new ArrayList<>();
        answer.set(new String[] {"application/json; charset=utf-8",
                "[{\"targets\": [\"a:1\"], \"labels\": {\"x\": \"1\"}}, {\"targets\": [\"b:1\"]}]"});
        d.poll(reports::add);
        assertEquals("90", refreshHeader.get());
        List<TargetGroup> first = reports.getLast();
        assertEquals(2, first.size());
        assertEquals(url + ":0", first.getFirst().source());
        assertEquals(Labels.of("x", "1", HttpDiscoverer.URL_LABEL, url), first.getFirst().labels());

        answer.set(new String[] {"application/json", "[{\"targets\": [\"c:1\"]}]"});
        d.poll(reports::add);
        List<TargetGroup> second = reports.getLast();
        assertEquals(List.of(url + ":0", url + ":1"), second.stream().map(TargetGroup::source).toList());
        assertTrue(second.get(1).targets().isEmpty(), "the vanished group is removed");

        answer.set(new String[] {"text/plain", "[]"});
        d.poll(reports::add);
        assertEquals(2, reports.size(), "a bad answer keeps the previous targets");
        assertEquals("unsupported content type \"text/plain\"", d.lastError());
        d.close();
    }
}
