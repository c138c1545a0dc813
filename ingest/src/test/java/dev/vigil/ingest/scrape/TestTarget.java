package dev.vigil.ingest.scrape;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

/** A tiny exporter on 127.0.0.1 whose page, status, delay and encoding tests set per path. */
final class TestTarget implements AutoCloseable {
    record Page(int status, String contentType, String body, boolean gzip, long delayMs) {}

    private final HttpServer server;
    private final Map<String, Page> pages = new ConcurrentHashMap<>();
    final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
    final Map<String, java.util.List<String>> lastHeaderValues = new ConcurrentHashMap<>(); // every value, in order
    final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);

    TestTarget() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            ex.getRequestHeaders().forEach((k, v) -> lastHeaders.put(k.toLowerCase(java.util.Locale.ROOT), v.getFirst()));
            ex.getRequestHeaders().forEach((k, v) -> lastHeaderValues.put(k.toLowerCase(java.util.Locale.ROOT), java.util.List.copyOf(v)));
            lastHeaders.put(":query", String.valueOf(ex.getRequestURI().getRawQuery()));
            Page p = pages.getOrDefault(ex.getRequestURI().getPath(), new Page(404, "text/plain", "not found\n", false, 0));
            if (p.delayMs() > 0) {
                try {
                    release.await(p.delayMs(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = p.body().getBytes(StandardCharsets.UTF_8);
            if (p.gzip()) {
                ByteArrayOutputStream bo = new ByteArrayOutputStream();
                try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
                    gz.write(body);
                }
                body = bo.toByteArray();
                ex.getResponseHeaders().set("Content-Encoding", "gzip");
            }
            ex.getResponseHeaders().set("Content-Type", p.contentType());
            try {
                ex.sendResponseHeaders(p.status(), body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            } catch (IOException e) {
                // the scraper gave up (timeout, size limit): nothing to do
            }
        });
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    void page(String path, String body) {
        pages.put(path, new Page(200, "text/plain; version=0.0.4", body, false, 0));
    }

    void page(String path, Page p) {
        pages.put(path, p);
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }
}
