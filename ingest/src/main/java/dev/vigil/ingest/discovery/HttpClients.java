package dev.vigil.ingest.discovery;

import dev.vigil.ingest.config.HttpClientConfig;
import dev.vigil.ingest.tls.Pem;
import dev.vigil.ingest.tls.ServerNameTrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * JDK HTTP clients and request headers for an {@link HttpClientConfig}, shared by scraping and
 * HTTP discovery: redirects, TLS trust ({@code ca}, {@code ca_file}, {@code insecure_skip_verify}),
 * and the Authorization header (basic auth, or type plus credentials; credential files are read on
 * every call so that rotated secrets are picked up, as Prometheus does), HTTP proxies, a client
 * certificate ({@code cert}/{@code key}, inline or from files) and the TLS versions allowed
 * ({@code min_version}, {@code max_version}) and {@code server_name}: the certificate is checked
 * against it instead of the URL's host, and it is sent as SNI when the URL's host is an IP address
 * (for a DNS name the JDK client sends that name).
 */
public final class HttpClients {
    private HttpClients() {}

    /**
     * A client for {@code h}. HTTP/2 is used only when {@code http2} (ALPN on https): an h2c
     * upgrade attempt on plain http confuses some exporters.
     *
     * @throws IllegalArgumentException when the TLS settings cannot be used (unreadable CA file)
     */
    public static HttpClient build(HttpClientConfig h, long connectTimeoutMs, boolean http2) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .followRedirects(h.followRedirects() ? HttpClient.Redirect.NORMAL : HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofMillis(Math.max(1, connectTimeoutMs)))
                .version(http2 && h.enableHttp2() ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1);
        SSLContext ssl = sslContext(h.tls());
        if (ssl != null) b.sslContext(ssl);
        String[] protocols = protocols(h.tls());
        String serverName = h.tls().serverName();
        boolean sni = !serverName.isEmpty() && ServerNameTrustManager.ipLiteral(serverName) == null;
        if (protocols != null || sni) {
            SSLParameters p = new SSLParameters();
            if (protocols != null) p.setProtocols(protocols);
            // the JDK client keeps these names only for a URL whose host is an IP address
            if (sni) p.setServerNames(List.of(new SNIHostName(serverName)));
            b.sslParameters(p);
        }
        ProxySelector proxy = proxy(h, System::getenv);
        if (proxy != null) b.proxy(proxy);
        return b.build();
    }

    /** Go's {@code http.StatusText} for the codes targets and remotes answer with; empty for others. */
    public static String statusText(int status) {
        return switch (status) {
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "";
        };
    }

    /** Whether a request for {@code uri} under {@code h} goes through a proxy (the same choice the client makes). */
    public static boolean proxied(HttpClientConfig h, URI uri) {
        ProxySelector selector = proxy(h, System::getenv);
        return selector != null && !selector.select(uri).equals(List.of(Proxy.NO_PROXY));
    }

    /**
     * The proxy for {@code proxy_url} (with {@code no_proxy}) or {@code proxy_from_environment}
     * ({@code HTTP_PROXY}, {@code HTTPS_PROXY}, {@code NO_PROXY}, lower case too); null for a direct
     * connection. Only HTTP proxies: the JDK client has no SOCKS support.
     *
     * @throws IllegalArgumentException for a proxy URL without host and port
     */
    static ProxySelector proxy(HttpClientConfig h, UnaryOperator<String> env) {
        String http;
        String https;
        String noProxy;
        if (!h.proxyUrl().isEmpty()) {
            http = https = h.proxyUrl();
            noProxy = h.noProxy();
        } else if (h.proxyFromEnvironment()) {
            http = firstSet(env, "HTTP_PROXY", "http_proxy");
            https = firstSet(env, "HTTPS_PROXY", "https_proxy");
            noProxy = firstSet(env, "NO_PROXY", "no_proxy");
        } else {
            return null;
        }
        List<Proxy> viaHttp = proxies(http);
        List<Proxy> viaHttps = proxies(https);
        List<String> exempt = Arrays.stream(noProxy.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
        return new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                String host = uri.getHost() == null ? "" : uri.getHost();
                for (String e : exempt) {
                    String suffix = e.startsWith(".") ? e : "." + e;
                    if (e.equals("*") || host.equals(e) || host.endsWith(suffix)) return List.of(Proxy.NO_PROXY);
                }
                return "https".equalsIgnoreCase(uri.getScheme()) ? viaHttps : viaHttp;
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException e) {}
        };
    }

    private static List<Proxy> proxies(String url) {
        if (url == null || url.isEmpty()) return List.of(Proxy.NO_PROXY);
        URI u = URI.create(url.contains("://") ? url : "http://" + url);
        if (u.getHost() == null) throw new IllegalArgumentException("invalid proxy URL \"" + url + "\"");
        int port = u.getPort() > 0 ? u.getPort() : ("https".equals(u.getScheme()) ? 443 : 80);
        return List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(u.getHost(), port)));
    }

    private static String firstSet(UnaryOperator<String> env, String a, String b) {
        String v = env.apply(a);
        if (v == null || v.isEmpty()) v = env.apply(b);
        return v == null ? "" : v;
    }

    /**
     * The Authorization header value, or null when none is configured.
     *
     * @throws IOException when a credentials file cannot be read
     */
    public static String authorization(HttpClientConfig h) throws IOException {
        if (h.basicAuth() != null) {
            var a = h.basicAuth();
            String user = a.usernameFile().isEmpty() ? a.username() : readSecret(a.usernameFile());
            String pass = a.passwordFile().isEmpty() ? a.password() : readSecret(a.passwordFile());
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
        }
        if (h.authorization() != null) {
            var a = h.authorization();
            return a.type() + " " + (a.credentialsFile().isEmpty() ? a.credentials() : readSecret(a.credentialsFile()));
        }
        return null;
    }

    /** Whether {@link #authorization} or {@link #headers} read files (so a request cannot be built once and reused). */
    public static boolean readsFiles(HttpClientConfig h) {
        return (h.authorization() != null && !h.authorization().credentialsFile().isEmpty())
                || (h.basicAuth() != null && (!h.basicAuth().passwordFile().isEmpty() || !h.basicAuth().usernameFile().isEmpty()))
                || h.httpHeaders().values().stream().anyMatch(x -> !x.files().isEmpty());
    }

    /**
     * The {@code http_headers} as name and value pairs, a header with several values once per
     * value (values, then secrets, then each file's trimmed contents, read now), as Prometheus's
     * headers round tripper adds them.
     *
     * @throws IOException naming the file that could not be read, in Prometheus's words
     */
    public static List<String[]> headers(HttpClientConfig h) throws IOException {
        if (h.httpHeaders().isEmpty()) return List.of();
        List<String[]> out = new java.util.ArrayList<>();
        for (var e : h.httpHeaders().entrySet()) {
            for (String v : e.getValue().values()) out.add(new String[] {e.getKey(), v});
            for (String v : e.getValue().secrets()) out.add(new String[] {e.getKey(), v});
            for (String f : e.getValue().files()) {
                try {
                    out.add(new String[] {e.getKey(), Files.readString(Path.of(f)).strip()});
                } catch (IOException x) {
                    throw new IOException("unable to read headers file " + f + ": " + x.getMessage(), x);
                }
            }
        }
        return out;
    }

    /**
     * Adds {@link #authorization} and {@link #headers} to a JDK request.
     *
     * @throws IOException when a credentials or headers file cannot be read, or a header cannot be sent
     */
    public static void addHeaders(HttpRequest.Builder b, HttpClientConfig h) throws IOException {
        String auth = authorization(h);
        if (auth != null) b.header("Authorization", auth);
        for (String[] header : headers(h)) {
            try {
                b.header(header[0], header[1]);
            } catch (IllegalArgumentException e) { // the JDK client refuses a few names (Expect, Upgrade) and line breaks
                throw new IOException("cannot send header " + header[0] + ": " + e.getMessage(), e);
            }
        }
    }

    private static String readSecret(String file) throws IOException {
        return Files.readString(Path.of(file)).strip();
    }

    /**
     * A TLS context for the CA settings, {@code insecure_skip_verify} and the client certificate
     * ({@code cert}/{@code cert_file} with {@code key}/{@code key_file}); null for the JDK default.
     */
    static SSLContext sslContext(HttpClientConfig.TlsConfig tls) {
        try {
            KeyManager[] keys = clientKeys(tls);
            TrustManager[] trust;
            boolean ownCa = !tls.ca().isEmpty() || !tls.caFile().isEmpty();
            if (tls.insecureSkipVerify()) {
                trust = new TrustManager[] {new TrustAll()};
            } else if (ownCa || !tls.serverName().isEmpty()) {
                KeyStore ks = null; // the JDK's trusted CAs
                if (ownCa) {
                    ks = KeyStore.getInstance(KeyStore.getDefaultType());
                    ks.load(null, null);
                    String pem = tls.ca().isEmpty() ? Files.readString(Path.of(tls.caFile())) : tls.ca();
                    int i = 0;
                    for (Certificate cert : Pem.certificates(pem)) ks.setCertificateEntry("ca" + i++, cert);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                trust = tmf.getTrustManagers();
                if (!tls.serverName().isEmpty()) {
                    X509TrustManager chain = java.util.Arrays.stream(trust).filter(X509TrustManager.class::isInstance)
                            .map(X509TrustManager.class::cast).findFirst().orElseThrow();
                    trust = new TrustManager[] {new ServerNameTrustManager(chain, tls.serverName())};
                }
            } else if (keys != null) {
                trust = null; // the JDK's trusted CAs, with our client certificate
            } else {
                return null;
            }
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(keys, trust, new SecureRandom());
            return c;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** The client certificate's key managers, or null when none is configured. */
    private static KeyManager[] clientKeys(HttpClientConfig.TlsConfig tls) throws IOException, GeneralSecurityException {
        boolean hasCert = !tls.cert().isEmpty() || !tls.certFile().isEmpty();
        if (!hasCert) return null;
        String cert = tls.cert().isEmpty() ? Files.readString(Path.of(tls.certFile())) : tls.cert();
        String key = tls.key().isEmpty() ? Files.readString(Path.of(tls.keyFile())) : tls.key();
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(Pem.keyStore(cert, key), new char[0]);
        return kmf.getKeyManagers();
    }

    /** The TLS versions between {@code min_version} and {@code max_version} (TLS10 to TLS13), or null for the JDK's. */
    static String[] protocols(HttpClientConfig.TlsConfig tls) {
        if (tls.minVersion().isEmpty() && tls.maxVersion().isEmpty()) return null;
        List<String> all = List.of("TLS10", "TLS11", "TLS12", "TLS13");
        int lo = tls.minVersion().isEmpty() ? 2 : all.indexOf(tls.minVersion()); // Prometheus's default minimum: TLS 1.2
        int hi = tls.maxVersion().isEmpty() ? 3 : all.indexOf(tls.maxVersion());
        List<String> out = new java.util.ArrayList<>();
        for (int i = Math.max(0, lo); i <= hi; i++) out.add("TLSv1." + i);
        return out.toArray(String[]::new);
    }

    /** {@code insecure_skip_verify}: the user asked for no certificate checks. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
