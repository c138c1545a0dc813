package dev.vigil.ingest.scrape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.ingest.config.ConfigParser;
import dev.vigil.ingest.config.ScrapeConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scrape loop's own HTTP/1.1 client against a raw socket server that answers as a test scripts it. */
class Http1ConnectionTest {
    /** Answers one request on a connection; returns false to close the connection after it. */
    @FunctionalInterface
    interface Responder {
        boolean respond(int connection, int request, String requestHead, OutputStream out) throws IOException;
    }

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> heads = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) c.close();
    }

    private int serve(Responder r) throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closeables.add(ss);
        Thread.ofVirtual().start(() -> {
            while (!ss.isClosed()) {
                Socket s;
                try {
                    s = ss.accept();
                } catch (IOException e) {
                    return;
                }
                int conn = connections.incrementAndGet();
                closeables.add(s);
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        InputStream in = s.getInputStream();
                        for (int req = 1; ; req++) {
                            String head = readHead(in);
                            if (head == null) return;
                            heads.add(head);
                            if (!r.respond(conn, req, head, s.getOutputStream())) return;
                        }
                    } catch (IOException e) {
                        // the client went away
                    }
                });
            }
        });
        return ss.getLocalPort();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            byte[] a = b.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') return b.toString(StandardCharsets.ISO_8859_1);
        }
        return null;
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static byte[] request(int port) {
        return ("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String body(Http1Connection c) {
        return new String(c.body, 0, c.bodyLength, StandardCharsets.UTF_8);
    }

    @Test
    void keeps_the_connection_alive_across_scrapes() throws IOException {
        int port = serve((conn, req, head, out) -> {
            String body = "m " + req + "\n";
            write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            return true;
        });
        Http1Connection c = new Http1Connection("127.0.0.1", port, new BufferPool());
        for (int i = 1; i <= 3; i++) {
            c.get(request(port), 2000, 16, 0);
            assertEquals(200, c.status);
            assertEquals("m " + i + "\n", body(c));
            assertEquals("text/plain; version=0.0.4", c.contentType);
        }
        assertEquals(1, connections.get());
        assertTrue(heads.getFirst().startsWith("GET /metrics HTTP/1.1\r\n"), heads.getFirst());
        c.close();
    }

    @Test
    void reads_chunked_bodies_with_extensions_and_trailers() throws IOException {
        int port = serve((conn, req, head, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"
                    + "5;ext=1\r\nhello\r\n1\r\n \r\n6\r\nworld\n\r\n0\r\nX-Trailer: yes\r\n\r\n");
            return true;
        });
        Http1Connection c = new Http1Connection("127.0.0.1", port, new BufferPool());
        c.get(request(port), 2000, 4, 0);
        assertEquals("hello world\n", body(c));
        assertEquals("gzip", c.contentEncoding);
        c.get(request(port), 2000, 4, 0); // the connection is still usable after the trailers
        assertEquals("hello world\n", body(c));
        assertEquals(1, connections.get());
    }

    @Test
    void a_closed_idle_connection_is_replaced_once_without_failing_the_scrape() throws IOException {
        int port = serve((conn, req, head, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nc" + conn + "\n");
            return false; // the server closes every connection after one response, without saying so
        });
        Http1Connection c = new Http1Connection("127.0.0.1", port, new BufferPool());
        c.get(request(port), 2000, 16, 0);
        assertEquals("c1\n", body(c));
        c.get(request(port), 2000, 16, 0);
        assertEquals("c2\n", body(c));
        assertEquals(2, connections.get());
    }

    @Test
    void http10_and_connection_close_bodies_end_at_eof() throws IOException {
        int port = serve((conn, req, head, out) -> {
            write(out, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + "x 1\n".repeat(5000));
            return false;
        });
        Http1Connection c = new Http1Connection("127.0.0.1", port, new BufferPool());
        c.get(request(port), 2000, 16, 0);
        assertEquals("x 1\n".repeat(5000), body(c));
        c.get(request(port), 2000, 16, 0);
        assertEquals(2, connections.get());
    }

    @Test
    void non_200_responses_report_their_status_and_headers_without_a_body() throws IOException {
        int port = serve((conn, req, head, out) -> {
            write(out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 4\r\n\r\nnope");
            return true;
        });
        Http1Connection c = new Http1Connection("127.0.0.1", port, new BufferPool());
        c.get(request(port), 2000, 16, 0);
        assertEquals(302, c.status);
        assertEquals("/elsewhere", c.location);
        assertNull(c.body);
    }

    @Test
    void limits_deadlines_and_garbage_fail_with_an_io_error() throws IOException {
        int port = serve((conn, req, head, out) -> {
            switch (heads.size()) { // counted over connections: a failed read closes the connection
                case 1 -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + "a".repeat(100));
                case 2 -> write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + "b".repeat(64) + "\r\n40\r\n" + "b".repeat(64) + "\r\n0\r\n\r\n");
                default -> {
                    write(out, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part");
                    try {
                        Thread.sleep(5000);
                    } catch (InterruptedException e) {
                        return false;
                    }
                }
            }
            return true;
        });
        Http1Connection c = new Http1Connection("127.0.0.1", port, new BufferPool());
        assertThrows(Http1Connection.BodyTooLargeException.class, () -> c.get(request(port), 2000, 16, 99));
        assertThrows(Http1Connection.BodyTooLargeException.class, () -> c.get(request(port), 2000, 16, 100));
        long t0 = System.nanoTime();
        assertThrows(SocketTimeoutException.class, () -> c.get(request(port), 300, 16, 0));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 250 && ms < 3000, "deadline took " + ms + " ms");

        int garbage = serve((conn, req, head, out) -> {
            write(out, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
            return false;
        });
        Http1Connection g = new Http1Connection("127.0.0.1", garbage, new BufferPool());
        IOException e = assertThrows(IOException.class, () -> g.get(request(garbage), 2000, 16, 0));
        assertTrue(e.getMessage().contains("malformed HTTP response"), e.getMessage());
    }

    // ------------------------------------------------------------ through the scraper

    private static HttpScraper scraper(String yaml, String address) {
        ScrapeConfig cfg = ConfigParser.parse(yaml.replace("ADDR", address), "t.yml", Path.of("/"), n -> null).scrapeConfigs().getFirst();
        Target target = TargetBuilder.fromGroup(cfg.staticConfigs().getFirst(), cfg).getFirst().target();
        return new HttpScraper(new ScrapeClient(cfg), target, cfg, new BufferPool());
    }

    @Test
    void the_scraper_sends_prometheus_headers_and_words_errors_as_prometheus_does() throws IOException {
        int port = serve((conn, req, head, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nup 1");
            return true;
        });
        HttpScraper s = scraper("""
                scrape_configs:
                  - job_name: j
                    scrape_timeout: 3s
                    params: {module: [x]}
                    basic_auth: {username: u, password: p}
                    static_configs: [{targets: ['ADDR']}]
                """, "127.0.0.1:" + port);
        s.fetch();
        assertArrayEquals("up 1".getBytes(StandardCharsets.UTF_8), Arrays.copyOf(s.body(), s.bodyLength()));
        String head = heads.getFirst();
        assertTrue(head.startsWith("GET /metrics?module=x HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"), head);
        assertTrue(head.contains("\r\nX-Prometheus-Scrape-Timeout-Seconds: 3\r\n"), head);
        assertTrue(head.contains("\r\nAccept-Encoding: gzip\r\n"), head);
        assertTrue(head.contains("\r\nAuthorization: Basic dTpw\r\n"), head);
        assertTrue(head.contains("\r\nAccept: application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"), head);
        s.release();
        s.close();

        int free;
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = ss.getLocalPort();
        }
        HttpScraper refused = scraper("scrape_configs: [{job_name: j, static_configs: [{targets: ['ADDR']}]}]", "127.0.0.1:" + free);
        ScrapeFailure f = assertThrows(ScrapeFailure.class, refused::fetch);
        assertEquals("Get \"http://127.0.0.1:" + free + "/metrics\": dial tcp 127.0.0.1:" + free + ": connect: connection refused", f.getMessage());
    }

    @Test
    void redirects_are_followed_by_the_jdk_client_when_allowed() throws IOException {
        int port = serve((conn, req, head, out) -> {
            if (head.startsWith("GET /metrics ")) {
                write(out, "HTTP/1.1 301 Moved Permanently\r\nLocation: /real\r\nContent-Length: 0\r\n\r\n");
            } else {
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nup 2");
            }
            return true;
        });
        HttpScraper follows = scraper("scrape_configs: [{job_name: j, static_configs: [{targets: ['ADDR']}]}]", "127.0.0.1:" + port);
        follows.fetch();
        assertEquals("up 2", new String(follows.body(), 0, follows.bodyLength(), StandardCharsets.UTF_8));
        follows.release();
        follows.fetch(); // and keeps doing so
        assertEquals("up 2", new String(follows.body(), 0, follows.bodyLength(), StandardCharsets.UTF_8));

        HttpScraper stays = scraper("scrape_configs: [{job_name: j, follow_redirects: false, static_configs: [{targets: ['ADDR']}]}]", "127.0.0.1:" + port);
        ScrapeFailure f = assertThrows(ScrapeFailure.class, stays::fetch);
        assertEquals("server returned HTTP status 301 Moved Permanently", f.getMessage());
    }
}
