package dev.vigil.ingest.scrape;

import dev.vigil.ingest.discovery.HttpClients;
import dev.vigil.ingest.config.ScrapeConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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

    private final HttpClient client;
    private final URI uri;
    private final ScrapeConfig cfg;
    private final long timeoutMs;
    private final String accept;
    private final HttpRequest staticRequest; // null when credentials come from files read per scrape

    private byte[] raw = new byte[64 << 10];
    private int rawLen;
    private byte[] plain = new byte[64 << 10];
    private int plainLen;
    private boolean gzipped;
    private String contentType;
    private volatile CompletableFuture<?> inflight;

    HttpScraper(HttpClient client, Target target, ScrapeConfig cfg) {
        this.client = client;
        this.uri = URI.create(target.url());
        this.cfg = cfg;
        this.timeoutMs = target.timeoutMs();
        this.accept = acceptHeader(cfg.scrapeProtocols());
        this.staticRequest = HttpClients.readsFiles(cfg.http()) ? null : request();
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
        HttpRequest req = staticRequest != null ? staticRequest : request();
        rawLen = 0;
        plainLen = 0;
        gzipped = false;
        contentType = null;
        Sink sink = new Sink();
        CompletableFuture<HttpResponse<Void>> f = client.sendAsync(req, sink);
        inflight = f;
        try {
            HttpResponse<Void> resp = f.get(timeoutMs, TimeUnit.MILLISECONDS);
            if (resp.statusCode() != 200) throw new ScrapeFailure("server returned HTTP status " + resp.statusCode() + " " + reason(resp.statusCode()));
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
            if (c instanceof java.net.http.HttpTimeoutException) throw new ScrapeFailure("Get \"" + uri + "\": context deadline exceeded");
            throw new ScrapeFailure("Get \"" + uri + "\": " + (c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName()));
        } catch (java.util.concurrent.CancellationException e) {
            throw new ScrapeFailure("scrape cancelled");
        } finally {
            inflight = null;
        }
        if (gzipped) gunzip();
    }

    /** Aborts a fetch in progress (a stopping loop). */
    void cancel() {
        CompletableFuture<?> f = inflight;
        if (f != null) f.cancel(true);
    }

    private void gunzip() {
        long limit = cfg.limits().bodySizeLimitBytes();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw, 0, rawLen), 8192)) {
            while (true) {
                if (plainLen == plain.length) plain = Arrays.copyOf(plain, plain.length * 2);
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
        return new ScrapeFailure("body size limit exceeded (limit: " + limit + " bytes)");
    }

    /** The body; valid until the next fetch. */
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

    private static String reason(int status) {
        return switch (status) {
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "";
        };
    }

    /** Copies the body into {@link #raw}, refusing more than the limit. */
    private final class Sink implements HttpResponse.BodyHandler<Void> {
        @Override
        public BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
            if (info.statusCode() != 200) return BodySubscribers.discarding();
            contentType = info.headers().firstValue("Content-Type").orElse(null);
            String enc = info.headers().firstValue("Content-Encoding").orElse("");
            gzipped = enc.toLowerCase(Locale.ROOT).equals("gzip");
            return new Copy();
        }
    }

    private final class Copy implements BodySubscriber<Void> {
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private Flow.Subscription sub;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            sub = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            long limit = cfg.limits().bodySizeLimitBytes();
            for (ByteBuffer bb : items) {
                int n = bb.remaining();
                if (limit > 0 && (long) rawLen + n > limit) {
                    sub.cancel();
                    done.completeExceptionally(bodyTooLarge(limit));
                    return;
                }
                if (rawLen + n > raw.length) raw = Arrays.copyOf(raw, Math.max(raw.length * 2, rawLen + n));
                bb.get(raw, rawLen, n);
                rawLen += n;
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
