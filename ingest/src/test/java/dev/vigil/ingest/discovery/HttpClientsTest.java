package dev.vigil.ingest.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.vigil.ingest.config.HttpClientConfig;
import java.net.Proxy;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpClientsTest {
    static HttpClientConfig cfg(String proxyUrl, String noProxy, boolean fromEnv) {
        var d = HttpClientConfig.DEFAULT;
        return new HttpClientConfig(null, null, d.tls(), true, true, proxyUrl, noProxy, fromEnv);
    }

    static String via(java.net.ProxySelector s, String url) {
        Proxy p = s.select(URI.create(url)).getFirst();
        return p == Proxy.NO_PROXY ? "direct" : p.address().toString();
    }

    @Test
    void proxy_url_with_no_proxy_exemptions() {
        var s = HttpClients.proxy(cfg("http://proxy.local:3128", "internal.example, 10.0.0.1", false), n -> null);
        assertEquals("proxy.local/<unresolved>:3128", via(s, "http://a.example/metrics"));
        assertEquals("direct", via(s, "http://host.internal.example:9100/metrics"));
        assertEquals("direct", via(s, "http://10.0.0.1:9100/metrics"));
        assertNull(HttpClients.proxy(cfg("", "", false), n -> null), "no proxy configured");
    }

    @Test
    void proxy_from_environment() {
        Map<String, String> env = Map.of("https_proxy", "sec:8443", "HTTP_PROXY", "http://plain:8080", "NO_PROXY", "localhost");
        var s = HttpClients.proxy(cfg("", "", true), env::get);
        assertEquals("plain/<unresolved>:8080", via(s, "http://a/metrics"));
        assertEquals("sec/<unresolved>:8443", via(s, "https://a/metrics"));
        assertEquals("direct", via(s, "http://localhost:9100/metrics"));
    }
}
