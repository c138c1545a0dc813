package dev.vigil.ingest.scrape;

import dev.vigil.ingest.discovery.HttpClients;
import dev.vigil.ingest.config.ScrapeConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;

/**
 * Fetches one target's page: GET with Prometheus's headers (Accept, Accept-Encoding gzip,
 * {@code X-Prometheus-Scrape-Timeout-Seconds}, auth), the scrape timeout over the whole exchange,
 * and the body copied into a buffer this scraper owns and reuses, so steady-state scrapes do not
 * allocate a body per scrape. {@code body_size_limit} applies to the uncompressed body.
 *
 * <p>Owned by one scrape loop; {@link #cancel} may be called from another thread.
 */
final class HttpScraper {
    static final String USER_AGENT = "Vigil/0.1";

    private final ScrapeClient client;
    private final URI uri;
    private final ScrapeConfig cfg;
    private final long timeoutMs;
    private final String accept;
    private final HttpRequest staticRequest; // null when credentials come from files read per scrape

    private final BufferPool pool;
    // Taken from the pool by fetch(), returned by release(); null in between.
    private byte[] raw;
    private int rawLen;
    private byte[] plain;
    private int plainLen;
    private volatile int lastBodySize = BufferPool.MIN_SIZE; // sizes the next buffer to avoid regrowing
    private boolean gzipped;
    private String contentType;
    private volatile CompletableFuture<?> inflight;
    // Plain http without a proxy: a blocking connection of this scraper's own (see Http1Connection);
    // null when the JDK client is needed.
    private final Http1Connection direct;
    private final byte[] directRequest; // null when credentials come from files read per scrape
    private boolean followedRedirect; // the target redirects: the JDK client follows from then on

    HttpScraper(ScrapeClient client, Target target, ScrapeConfig cfg, BufferPool pool) {
        this.client = client;
        this.pool = pool;
        this.uri = URI.create(target.url());
        this.cfg = cfg;
        this.timeoutMs = target.timeoutMs();
        this.accept = acceptHeader(cfg.scrapeProtocols());
        this.staticRequest = HttpClients.readsFiles(cfg.http()) ? null : request();
        boolean plain = "http".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null && !HttpClients.proxied(cfg.http(), uri);
        this.direct = plain ? new Http1Connection(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 80, pool) : null;
        this.directRequest = plain && staticRequest != null ? directRequest() : null;
    }

    /** The request head for {@link Http1Connection}: the same headers as {@link #request}. */
    private byte[] directRequest() {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) path += "?" + uri.getRawQuery();
        StringBuilder sb = new StringBuilder(256).append("GET ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(uri.getHost()).append(uri.getPort() > 0 ? ":" + uri.getPort() : "").append("\r\n")
                .append("User-Agent: ").append(USER_AGENT).append("\r\n")
                .append("Accept: ").append(accept).append("\r\n")
                .append("Accept-Encoding: ").append(cfg.enableCompression() ? "gzip" : "identity").append("\r\n")
                .append("X-Prometheus-Scrape-Timeout-Seconds: ").append(seconds(timeoutMs)).append("\r\n");
        String auth;
        try {
            auth = HttpClients.authorization(cfg.http());
        } catch (IOException e) {
            throw new ScrapeFailure("unable to read authorization credentials: " + e.getMessage());
        }
        if (auth != null) {
            if (auth.indexOf('\r') >= 0 || auth.indexOf('\n') >= 0) throw new ScrapeFailure("invalid Authorization header value: contains a line break");
            sb.append("Authorization: ").append(auth).append("\r\n");
        }
        for (String[] h : httpHeaders()) {
            if ((h[0] + h[1]).indexOf('\r') >= 0 || (h[0] + h[1]).indexOf('\n') >= 0) {
                throw new ScrapeFailure("invalid " + h[0] + " header: contains a line break");
            }
            sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The config's {@code http_headers}, files read now. */
    private List<String[]> httpHeaders() {
        try {
            return HttpClients.headers(cfg.http());
        } catch (IOException e) {
            throw new ScrapeFailure(e.getMessage());
        }
    }

    /**
     * Prometheus's Accept header for the configured protocols: weights from 0.(n+1) down, the
     * escaping parameter on the 1.0.0 text formats, {@code *}/{@code *} last. Protobuf is left out
     * (Vigil does not parse it) but keeps its weight slot so the others match Prometheus's.
     */
    static String acceptHeader(List<String> protocols) {
        StringBuilder sb = new StringBuilder();
        int weight = ScrapeConfig.KNOWN_SCRAPE_PROTOCOLS.size() + 1;
        for (String p : protocols) {
            String media = switch (p) {
                case "PrometheusText0.0.4" -> "text/plain;version=0.0.4";
                case "PrometheusText1.0.0" -> "text/plain;version=1.0.0;escaping=allow-utf-8";
                case "OpenMetricsText0.0.1" -> "application/openmetrics-text;version=0.0.1";
                case "OpenMetricsText1.0.0" -> "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8";
                default -> null;
            };
            if (media != null) sb.append(media).append(";q=0.").append(weight).append(',');
            weight--;
        }
        return sb.append("*/*;q=0.").append(weight).toString();
    }

    private HttpRequest request() {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET()
                .header("Accept", accept)
                .header("User-Agent", USER_AGENT)
                .header("X-Prometheus-Scrape-Timeout-Seconds", seconds(timeoutMs))
                .timeout(Duration.ofMillis(timeoutMs));
        // Without compression Prometheus asks for identity explicitly; the JDK client sends nothing.
        b.header("Accept-Encoding", cfg.enableCompression() ? "gzip" : "identity");
        try {
            String auth = HttpClients.authorization(cfg.http());
            if (auth != null) b.header("Authorization", auth);
        } catch (IOException e) {
            throw new ScrapeFailure("unable to read authorization credentials: " + e.getMessage());
        }
        for (String[] h : httpHeaders()) {
            try {
                b.header(h[0], h[1]);
            } catch (IllegalArgumentException e) { // the JDK client refuses a few names (Expect, Upgrade) and line breaks
                throw new ScrapeFailure("cannot send header " + h[0] + ": " + e.getMessage());
            }
        }
        return b.build();
    }

    /** Go's FormatFloat(seconds, 'f', -1, 64) for a whole number of milliseconds. */
    static String seconds(long ms) {
        return BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString();
    }

    /**
     * Fetches the page.
     *
     * @throws ScrapeFailure with Prometheus-like messages: a non-200 status, the timeout, a body over
     *     the limit, connection errors
     */
    void fetch() {
        release();
        gzipped = false;
        contentType = null;
        if (direct != null && !followedRedirect) {
            fetchDirect();
        } else {
            fetchWithClient();
        }
        if (gzipped) gunzip();
        lastBodySize = bodyLength();
    }

    private void fetchDirect() {
        byte[] req = directRequest != null ? directRequest : directRequest();
        long limit = cfg.limits().bodySizeLimitBytes();
        try {
            direct.get(req, timeoutMs, lastBodySize, limit);
        } catch (Http1Connection.BodyTooLargeException e) {
            throw bodyTooLarge(limit);
        } catch (SocketTimeoutException e) {
            throw new ScrapeFailure("Get \"" + uri + "\": context deadline exceeded");
        } catch (ConnectException e) {
            if (direct.aborted()) throw new ScrapeFailure("scrape cancelled");
            // Go's wording, which users and alert rules know from Prometheus
            throw new ScrapeFailure("Get \"" + uri + "\": dial tcp " + uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort() : 80)
                    + ": connect: " + (e.getMessage() != null ? e.getMessage().toLowerCase(Locale.ROOT) : "connection refused"));
        } catch (IOException e) {
            if (direct.aborted() || Thread.currentThread().isInterrupted()) throw new ScrapeFailure("scrape cancelled");
            throw new ScrapeFailure("Get \"" + uri + "\": " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
        }
        int status = direct.status;
        if (status != 200) {
            if (status >= 300 && status < 400 && status != 304 && direct.location != null && cfg.http().followRedirects()) {
                followedRedirect = true;
                direct.close();
                fetchWithClient();
                return;
            }
            throw new ScrapeFailure("server returned HTTP status " + status + " " + HttpClients.statusText(status));
        }
        raw = direct.body;
        rawLen = direct.bodyLength;
        direct.body = null;
        contentType = direct.contentType;
        gzipped = direct.contentEncoding != null && direct.contentEncoding.equalsIgnoreCase("gzip");
    }

    private void fetchWithClient() {
        HttpRequest req = staticRequest != null ? staticRequest : request();
        // Everything the HTTP client's threads write goes into this per-fetch object: an exchange
        // abandoned on timeout may still be delivering, and must not touch the next fetch's state.
        Exchange ex = new Exchange();
        CompletableFuture<HttpResponse<Void>> f = client.get().sendAsync(req, ex);
        inflight = f;
        try {
            HttpResponse<Void> resp = f.get(timeoutMs, TimeUnit.MILLISECONDS);
            if (resp.statusCode() != 200) throw new ScrapeFailure("server returned HTTP status " + resp.statusCode() + " " + HttpClients.statusText(resp.statusCode()));
            // Completed: the body subscriber is done with its buffer, which is ours now.
            raw = ex.buf;
            rawLen = ex.len;
            contentType = ex.contentType;
            gzipped = ex.gzipped;
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new ScrapeFailure("Get \"" + uri + "\": context deadline exceeded");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new ScrapeFailure("scrape cancelled");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ScrapeFailure sf) throw sf;
            if (c instanceof HttpTimeoutException) throw new ScrapeFailure("Get \"" + uri + "\": context deadline exceeded");
            throw new ScrapeFailure("Get \"" + uri + "\": " + (c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName()));
        } catch (CancellationException e) {
            throw new ScrapeFailure("scrape cancelled");
        } finally {
            inflight = null;
        }
    }

    /** Gives the body buffers back to the pool; {@link #body()} is invalid until the next fetch. */
    void release() {
        pool.put(raw);
        pool.put(plain);
        raw = null;
        plain = null;
        rawLen = 0;
        plainLen = 0;
    }

    /** Aborts a fetch in progress (a stopping loop). */
    void cancel() {
        CompletableFuture<?> f = inflight;
        if (f != null) f.cancel(true);
        if (direct != null) direct.abort();
    }

    /** Closes the kept-alive connection; call when the loop has ended. */
    void close() {
        if (direct != null) direct.close();
    }

    private void gunzip() {
        long limit = cfg.limits().bodySizeLimitBytes();
        plain = pool.get(Math.max(lastBodySize, rawLen * 4));
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw, 0, rawLen), 8192)) {
            while (true) {
                if (plainLen == plain.length) plain = pool.grow(plain, plainLen, plain.length * 2);
                int n = in.read(plain, plainLen, plain.length - plainLen);
                if (n < 0) break;
                plainLen += n;
                if (limit > 0 && plainLen > limit) throw bodyTooLarge(limit);
            }
        } catch (IOException e) {
            throw new ScrapeFailure("error reading gzip response body: " + e.getMessage());
        }
    }

    private static ScrapeFailure bodyTooLarge(long limit) {
        return new ScrapeFailure(ScrapeMetrics.BODY_SIZE_LIMIT_ERROR + " (limit: " + limit + " bytes)");
    }

    /** The body; valid until {@link #release} or the next fetch. */
    byte[] body() {
        return gzipped ? plain : raw;
    }

    int bodyLength() {
        return gzipped ? plainLen : rawLen;
    }

    /** The response's Content-Type, or null. */
    String contentType() {
        return contentType;
    }


    /**
     * One fetch's response: headers of interest and the body, copied into a pooled buffer and
     * refused beyond the limit. Written by the HTTP client's threads; read by the loop only after
     * the response future completed. A buffer of an abandoned exchange is left to the GC, never
     * returned to the pool, as late deliveries may still write into it.
     */
    private final class Exchange implements HttpResponse.BodyHandler<Void>, BodySubscriber<Void> {
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private Flow.Subscription sub;
        String contentType;
        boolean gzipped;
        byte[] buf;
        int len;

        @Override
        public BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
            if (info.statusCode() != 200) return BodySubscribers.discarding();
            contentType = info.headers().firstValue("Content-Type").orElse(null);
            String enc = info.headers().firstValue("Content-Encoding").orElse("");
            gzipped = enc.toLowerCase(Locale.ROOT).equals("gzip");
            buf = pool.get(lastBodySize);
            return this;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            sub = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            long limit = cfg.limits().bodySizeLimitBytes();
            if (done.isDone()) return; // refused already; late deliveries are dropped
            for (ByteBuffer bb : items) {
                int n = bb.remaining();
                if (limit > 0 && (long) len + n > limit) {
                    sub.cancel();
                    done.completeExceptionally(bodyTooLarge(limit));
                    return;
                }
                if (len + n > buf.length) buf = pool.grow(buf, len, len + n);
                bb.get(buf, len, n);
                len += n;
            }
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }

        @Override
        public CompletionStage<Void> getBody() {
            return done;
        }
    }
}
