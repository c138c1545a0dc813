package dev.vigil.server;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.UnauthorizedResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.vigil.ingest.tls.Pem;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code --web.config.file}, in Prometheus's exporter-toolkit format: {@code tls_server_config}
 * (PEM certificate and PKCS#8 or PKCS#1 RSA key, client certificates by {@code client_auth_type} and
 * {@code client_ca_file}, TLS versions), {@code http_server_config.headers} (the security headers
 * exporter-toolkit allows) and {@code basic_auth_users} (bcrypt hashes). Unknown keys are errors, as
 * exporter-toolkit parses strictly.
 */
final class WebConfig {
    private static final Set<String> TOP = Set.of("tls_server_config", "http_server_config", "basic_auth_users");
    private static final Set<String> TLS = Set.of("cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version",
            "max_version", "cipher_suites", "curve_preferences", "prefer_server_cipher_suites", "client_allowed_sans", "cert", "key");
    private static final Set<String> HTTP = Set.of("http2", "headers");
    private static final Set<String> ALLOWED_HEADERS = Set.of("Strict-Transport-Security", "X-Content-Type-Options",
            "X-Frame-Options", "X-XSS-Protection", "Content-Security-Policy");

    final Map<String, String> users;
    final Map<String, String> headers;
    final KeyStore keyStore;
    final KeyStore trustStore;
    final String clientAuth;
    final String minVersion;
    final String maxVersion;
    private final Cache<String, Boolean> authCache = Caffeine.newBuilder().maximumSize(1024).build();

    private WebConfig(Map<String, String> users, Map<String, String> headers, KeyStore keyStore, KeyStore trustStore,
                      String clientAuth, String minVersion, String maxVersion) {
        this.users = users;
        this.headers = headers;
        this.keyStore = keyStore;
        this.trustStore = trustStore;
        this.clientAuth = clientAuth;
        this.minVersion = minVersion;
        this.maxVersion = maxVersion;
    }

    static final WebConfig NONE = new WebConfig(Map.of(), Map.of(), null, null, "NoClientCert", null, null);

    /** Reads and validates the file; errors name the file and the key. */
    static WebConfig load(Path file) {
        String where = file.toString();
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": cannot read: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": invalid YAML: " + e.getMessage());
        }
        if (root == null) return NONE;
        Map<String, Object> top = map(root, where, "");
        unknown(top, TOP, where, "");
        Map<String, String> users = new LinkedHashMap<>();
        if (top.get("basic_auth_users") != null) {
            map(top.get("basic_auth_users"), where, "basic_auth_users").forEach((u, h) -> {
                String hash = String.valueOf(h);
                if (!hash.startsWith("$2")) throw new IllegalArgumentException(where + ": basic_auth_users." + u + ": not a bcrypt hash");
                users.put(u, hash);
            });
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (top.get("http_server_config") != null) {
            Map<String, Object> http = map(top.get("http_server_config"), where, "http_server_config");
            unknown(http, HTTP, where, "http_server_config.");
            if (http.get("headers") != null) {
                map(http.get("headers"), where, "http_server_config.headers").forEach((k, v) -> {
                    String canonical = ALLOWED_HEADERS.stream().filter(a -> a.equalsIgnoreCase(k)).findFirst().orElseThrow(() ->
                            new IllegalArgumentException(where + ": http_server_config.headers: HTTP header \"" + k + "\" can not be configured"));
                    headers.put(canonical, String.valueOf(v));
                });
            }
        }
        KeyStore ks = null, ts = null;
        String clientAuth = "NoClientCert", min = null, max = null;
        if (top.get("tls_server_config") != null) {
            Map<String, Object> tls = map(top.get("tls_server_config"), where, "tls_server_config");
            unknown(tls, TLS, where, "tls_server_config.");
            String certFile = str(tls.get("cert_file")), keyFile = str(tls.get("key_file"));
            if (certFile == null && tls.get("cert") == null) throw new IllegalArgumentException(where + ": tls_server_config: missing cert_file");
            if (keyFile == null && tls.get("key") == null) throw new IllegalArgumentException(where + ": tls_server_config: missing key_file");
            Path base = file.toAbsolutePath().getParent();
            String certPem = certFile != null ? read(base.resolve(certFile), where, "cert_file") : str(tls.get("cert"));
            String keyPem = keyFile != null ? read(base.resolve(keyFile), where, "key_file") : str(tls.get("key"));
            ks = keyStore(certPem, keyPem, where);
            clientAuth = tls.get("client_auth_type") == null ? "NoClientCert" : str(tls.get("client_auth_type"));
            if (!Set.of("NoClientCert", "RequestClientCert", "RequireAnyClientCert", "VerifyClientCertIfGiven", "RequireAndVerifyClientCert").contains(clientAuth)) {
                throw new IllegalArgumentException(where + ": tls_server_config.client_auth_type: invalid ClientAuth \"" + clientAuth + "\"");
            }
            String ca = str(tls.get("client_ca_file"));
            if (ca != null) ts = trustStore(read(base.resolve(ca), where, "client_ca_file"), where);
            if (ts == null && clientAuth.contains("Verify")) {
                throw new IllegalArgumentException(where + ": tls_server_config: client_ca_file is required for client_auth_type " + clientAuth);
            }
            min = tlsVersion(tls.get("min_version"), where, "min_version");
            max = tlsVersion(tls.get("max_version"), where, "max_version");
        }
        return new WebConfig(users, headers, ks, ts, clientAuth, min, max);
    }

    boolean tls() {
        return keyStore != null;
    }

    /** Adds basic auth and the configured headers to every request, and TLS to the connector. */
    void apply(JavalinConfig cfg, String host, int port) {
        if (!headers.isEmpty()) cfg.routes.before(ctx -> headers.forEach(ctx::header));
        if (!users.isEmpty()) cfg.routes.before(this::authenticate);
        if (tls()) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(keyStore);
            ssl.setKeyStorePassword("");
            if (trustStore != null) ssl.setTrustStore(trustStore);
            switch (clientAuth) {
                case "RequestClientCert", "VerifyClientCertIfGiven" -> ssl.setWantClientAuth(true);
                case "RequireAnyClientCert", "RequireAndVerifyClientCert" -> ssl.setNeedClientAuth(true);
                default -> { }
            }
            List<String> versions = new ArrayList<>();
            for (String v : List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")) {
                int rank = rank(v);
                if (rank >= rank(minVersion == null ? "TLSv1.2" : minVersion) && rank <= rank(maxVersion == null ? "TLSv1.3" : maxVersion)) versions.add(v);
            }
            ssl.setIncludeProtocols(versions.toArray(String[]::new));
            cfg.jetty.addConnector((server, httpConfig) -> {
                HttpConfiguration https = new HttpConfiguration(httpConfig);
                SecureRequestCustomizer src = new SecureRequestCustomizer();
                src.setSniHostCheck(false); // self-signed certificates for 127.0.0.1 are common
                https.addCustomizer(src);
                ServerConnector c = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
                c.setHost(host);
                c.setPort(port);
                return c;
            });
        }
    }

    private static int rank(String v) {
        return List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3").indexOf(v);
    }

    private void authenticate(Context ctx) {
        String h = ctx.header("Authorization");
        if (h != null && h.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                decoded = "";
            }
            int colon = decoded.indexOf(':');
            if (colon >= 0) {
                String user = decoded.substring(0, colon), pass = decoded.substring(colon + 1);
                String hash = users.get(user);
                if (hash != null) {
                    // bcrypt is slow on purpose: cache verdicts by a digest of the credentials
                    String key = digest(user + "\0" + pass + "\0" + hash);
                    Boolean ok = authCache.get(key, k -> BCrypt.verifyer().verify(pass.toCharArray(), hash.toCharArray()).verified);
                    if (Boolean.TRUE.equals(ok)) return;
                }
            }
        }
        ctx.header("WWW-Authenticate", "Basic");
        throw new UnauthorizedResponse("Unauthorized");
    }

    private static String digest(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- PEM

    private static KeyStore keyStore(String certPem, String keyPem, String where) {
        try {
            return Pem.keyStore(certPem, keyPem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": tls_server_config: " + e.getMessage());
        }
    }

    private static KeyStore trustStore(String pem, String where) {
        try {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            int i = 0;
            for (Certificate c : Pem.certificates(pem)) ts.setCertificateEntry("ca" + i++, c);
            if (i == 0) throw new IllegalArgumentException(where + ": tls_server_config.client_ca_file: no certificate");
            return ts;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException(where + ": tls_server_config.client_ca_file: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- YAML helpers

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String where, String key) {
        if (!(o instanceof Map<?, ?> m)) throw new IllegalArgumentException(where + ": " + (key.isEmpty() ? "top level" : key) + ": expected a mapping");
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    private static void unknown(Map<String, Object> m, Set<String> allowed, String where, String prefix) {
        for (String k : m.keySet()) {
            if (!allowed.contains(k)) throw new IllegalArgumentException(where + ": field " + prefix + k + " not found in type");
        }
    }

    private static String str(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    private static String read(Path p, String where, String key) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": tls_server_config." + key + ": cannot read " + p + ": " + e.getMessage());
        }
    }

    private static String tlsVersion(Object o, String where, String key) {
        if (o == null) return null;
        return switch (String.valueOf(o)) {
            case "TLS10" -> "TLSv1";
            case "TLS11" -> "TLSv1.1";
            case "TLS12" -> "TLSv1.2";
            case "TLS13" -> "TLSv1.3";
            default -> throw new IllegalArgumentException(where + ": tls_server_config." + key + ": unknown TLS version: " + o);
        };
    }
}
