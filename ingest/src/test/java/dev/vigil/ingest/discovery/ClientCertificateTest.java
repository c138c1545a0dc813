package dev.vigil.ingest.discovery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.vigil.ingest.config.HttpClientConfig;
import dev.vigil.ingest.config.HttpClientConfig.TlsConfig;
import dev.vigil.ingest.tls.Pem;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.function.Consumer;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tls_config's client certificate (PKCS#8 and PKCS#1 keys) against a server that requires one, and TLS versions. */
class ClientCertificateTest {
    @TempDir
    Path dir;
    HttpsServer server;
    String url;

    static void openssl(Path dir, String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "openssl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
    }

    /** The key managers of {@code server.pem} and {@code server.key} in {@code dir}. */
    static KeyManager[] serverKeys(Path dir) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(Pem.keyStore(Files.readString(dir.resolve("server.pem")), Files.readString(dir.resolve("server.key"))), new char[0]);
        return kmf.getKeyManagers();
    }

    /** An https server on 127.0.0.1 answering {@code /metrics} with {@code up 1}, after {@code onRequest}. */
    static HttpsServer metricsServer(HttpsConfigurator tls, Consumer<HttpsExchange> onRequest) throws IOException {
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.setHttpsConfigurator(tls);
        s.createContext("/metrics", ex -> {
            onRequest.accept((HttpsExchange) ex);
            byte[] body = "up 1\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s.start();
        return s;
    }

    @BeforeEach
    void start() throws Exception {
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=test-ca");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
        for (String who : new String[] {"server", "client"}) {
            openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", who + ".key", "-out", who + ".csr", "-subj", "/CN=" + who);
            openssl(dir, "x509", "-req", "-in", who + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", who + ".pem",
                    "-days", "2", "-extfile", "san.ext");
        }
        openssl(dir, "rsa", "-in", "client.key", "-out", "client-pkcs1.key", "-traditional");
        assertTrue(Files.readString(dir.resolve("client-pkcs1.key")).contains("BEGIN RSA PRIVATE KEY"));

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (Certificate c : Pem.certificates(Files.readString(dir.resolve("ca.pem")))) trust.setCertificateEntry("ca", c);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(serverKeys(dir), tmf.getTrustManagers(), null);
        server = metricsServer(new HttpsConfigurator(ssl) {
            @Override
            public void configure(HttpsParameters params) {
                params.setNeedClientAuth(true); // no client certificate, no connection
            }
        }, ex -> {});
        url = "https://127.0.0.1:" + server.getAddress().getPort() + "/metrics";
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    HttpClientConfig tls(String certFile, String keyFile) {
        TlsConfig t = new TlsConfig("", dir.resolve("ca.pem").toString(), "", certFile, "", keyFile, "", false, "", "");
        return new HttpClientConfig(null, null, t, true, true, "", "", false);
    }

    int get(HttpClientConfig c) throws Exception {
        return HttpClients.build(c, 5_000, false).send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void a_client_certificate_opens_a_server_that_requires_one() throws Exception {
        assertEquals(200, get(tls(dir.resolve("client.pem").toString(), dir.resolve("client.key").toString())), "PKCS#8 key");
        assertEquals(200, get(tls(dir.resolve("client.pem").toString(), dir.resolve("client-pkcs1.key").toString())), "PKCS#1 key");
        assertThrows(IOException.class, () -> get(tls("", "")), "the CA alone is not enough");
    }

    @Test
    void a_key_file_without_a_key_is_a_clear_error() throws Exception {
        Files.writeString(dir.resolve("empty.key"), "not a key\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HttpClients.build(tls(dir.resolve("client.pem").toString(), dir.resolve("empty.key").toString()), 5_000, false));
        assertTrue(e.getMessage().contains("no private key found"), e.getMessage());
    }

    @Test
    void tls_versions_between_min_and_max() {
        TlsConfig none = TlsConfig.NONE;
        assertNull(HttpClients.protocols(none));
        assertArrayEquals(new String[] {"TLSv1.3"}, HttpClients.protocols(with(none, "TLS13", "")));
        assertArrayEquals(new String[] {"TLSv1.2"}, HttpClients.protocols(with(none, "", "TLS12")));
        assertArrayEquals(new String[] {"TLSv1.1", "TLSv1.2", "TLSv1.3"}, HttpClients.protocols(with(none, "TLS11", "")));
    }

    private static TlsConfig with(TlsConfig t, String min, String max) {
        return new TlsConfig(t.ca(), t.caFile(), t.cert(), t.certFile(), t.key(), t.keyFile(), t.serverName(), t.insecureSkipVerify(), min, max);
    }
}
