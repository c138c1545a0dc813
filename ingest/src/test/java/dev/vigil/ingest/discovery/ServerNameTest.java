package dev.vigil.ingest.discovery;

import static dev.vigil.ingest.discovery.ClientCertificateTest.openssl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.vigil.ingest.config.HttpClientConfig;
import dev.vigil.ingest.config.HttpClientConfig.TlsConfig;
import dev.vigil.ingest.tls.Pem;
import dev.vigil.ingest.tls.ServerNameTrustManager;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tls_config.server_name}: a target reached by IP address whose certificate names a host,
 * the case it exists for. The server records the SNI name each handshake asked for.
 */
class ServerNameTest {
    @TempDir
    Path dir;
    HttpsServer server;
    String url;
    final List<String> sniSeen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=test-ca");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=DNS:metrics.example,DNS:*.wild.example\n");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
        openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
                "-days", "2", "-extfile", "san.ext");
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(ClientCertificateTest.serverKeys(dir), null, null);
        server = ClientCertificateTest.metricsServer(new HttpsConfigurator(ssl), ex -> {
            var names = ((ExtendedSSLSession) ex.getSSLSession()).getRequestedServerNames();
            sniSeen.add(names.isEmpty() ? "" : ((SNIHostName) names.get(0)).getAsciiName());
        });
        url = "https://127.0.0.1:" + server.getAddress().getPort() + "/metrics";
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    HttpClientConfig tls(boolean ownCa, String serverName) {
        TlsConfig t = new TlsConfig("", ownCa ? dir.resolve("ca.pem").toString() : "", "", "", "", "", serverName, false, "", "");
        return new HttpClientConfig(null, null, t, true, true, "", "", false);
    }

    int get(HttpClientConfig c) throws Exception {
        return HttpClients.build(c, 5_000, false).send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void the_certificate_is_checked_against_server_name_and_it_is_sent_as_sni() throws Exception {
        IOException byIp = assertThrows(IOException.class, () -> get(tls(true, "")), "the certificate does not name 127.0.0.1");
        assertTrue(String.valueOf(byIp.getMessage()).contains("127.0.0.1"), byIp.toString());

        assertEquals(200, get(tls(true, "metrics.example")));
        assertEquals(200, get(tls(true, "host-7.wild.example")), "a wildcard name");
        assertEquals(List.of("metrics.example", "host-7.wild.example"), sniSeen);
    }

    @Test
    void a_name_the_certificate_does_not_have_is_refused_with_the_names_it_has() {
        IOException e = assertThrows(IOException.class, () -> get(tls(true, "other.example")));
        String message = causes(e);
        assertTrue(message.contains("x509: certificate is valid for metrics.example, *.wild.example, not other.example"), message);
        assertTrue(sniSeen.isEmpty(), "no request got through");
    }

    @Test
    void the_chain_is_still_checked() {
        // the JDK's CAs do not know the test CA: server_name must not turn chain checks off
        assertThrows(IOException.class, () -> get(tls(false, "metrics.example")));
        assertTrue(sniSeen.isEmpty());
    }

    @Test
    void hostnames_match_as_in_go() throws Exception {
        String[][] table = {
            // pattern, host, matches
            {"metrics.example", "metrics.example", "true"},
            {"Metrics.EXAMPLE", "metrics.example.", "true"},
            {"*.example.com", "a.example.com", "true"},
            {"*.example.com", "a.b.example.com", "false"},
            {"*.example.com", "example.com", "false"},
            {"f*.example.com", "foo.example.com", "false"},
            {"a.*.com", "a.b.com", "false"},
            {"", "a.com", "false"},
            {"a.com", "", "false"},
        };
        for (String[] row : table) {
            assertEquals(Boolean.parseBoolean(row[2]), ServerNameTrustManager.matches(row[0], row[1]), row[0] + " vs " + row[1]);
        }
        X509Certificate cert = Pem.certificates(Files.readString(dir.resolve("server.pem"))).stream()
                .map(X509Certificate.class::cast).findFirst().orElseThrow();
        ServerNameTrustManager.verifyHostname(cert, "metrics.example");
        CertificateException ip = assertThrows(CertificateException.class, () -> ServerNameTrustManager.verifyHostname(cert, "127.0.0.1"));
        assertEquals("x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs", ip.getMessage());
        assertFalse(ServerNameTrustManager.matches("metrics.example", "127.0.0.1"));
    }

    private static String causes(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) b.append(c).append(" | ");
        return b.toString();
    }
}
