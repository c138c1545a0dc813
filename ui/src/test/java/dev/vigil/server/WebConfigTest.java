package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --web.config.file: basic auth with bcrypt, security headers, TLS with client certificates (checked with curl). */
class WebConfigTest {
    @TempDir
    Path dir;

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    Server start(String webConfig, int port) throws IOException {
        Path f = dir.resolve("web.yml");
        Files.writeString(f, webConfig);
        return Server.start(Flags.parse(new String[] {"--storage.tsdb.path", dir.resolve("data").toString(),
                "--web.listen-address=127.0.0.1:" + port, "--web.config.file=" + f}), () -> {}, false);
    }

    @Test
    void basicAuthWithBcryptAndHeaders() throws Exception {
        String hash = BCrypt.withDefaults().hashToString(4, "s3cret".toCharArray());
        try (Server s = start("""
                basic_auth_users:
                  alice: %s
                http_server_config:
                  headers:
                    X-Frame-Options: deny
                """.formatted(hash), 0)) {
            HttpClient c = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + s.port() + "/api/v1/labels");
            HttpResponse<String> none = c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, none.statusCode());
            assertEquals("Basic", none.headers().firstValue("www-authenticate").orElse(""));
            for (String[] cred : List.of(new String[] {"alice", "wrong"}, new String[] {"bob", "s3cret"})) {
                String auth = Base64.getEncoder().encodeToString((cred[0] + ":" + cred[1]).getBytes(StandardCharsets.UTF_8));
                assertEquals(401, c.send(HttpRequest.newBuilder(uri).header("Authorization", "Basic " + auth).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
            }
            String auth = Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> ok = c.send(HttpRequest.newBuilder(uri).header("Authorization", "Basic " + auth).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            assertEquals("deny", ok.headers().firstValue("x-frame-options").orElse(""));
        }
    }

    @Test
    void invalidFilesAreClearErrors() throws Exception {
        Path f = dir.resolve("bad.yml");
        Files.writeString(f, "tls_server_config:\n  cert_fil: x\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WebConfig.load(f));
        assertEquals(f + ": field tls_server_config.cert_fil not found in type", e.getMessage());
        Files.writeString(f, "http_server_config:\n  headers:\n    Set-Cookie: x\n");
        e = assertThrows(IllegalArgumentException.class, () -> WebConfig.load(f));
        assertTrue(e.getMessage().contains("HTTP header \"Set-Cookie\" can not be configured"), e.getMessage());
        Files.writeString(f, "basic_auth_users:\n  bob: plaintext\n");
        e = assertThrows(IllegalArgumentException.class, () -> WebConfig.load(f));
        assertTrue(e.getMessage().contains("basic_auth_users.bob: not a bcrypt hash"), e.getMessage());
    }

    static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
    }

    /** openssl makes ca.pem (and ca.key) and server.pem/server.key for 127.0.0.1, signed by that CA, in {@code dir}. */
    static void caAndServerCertificate(Path dir) throws Exception {
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=test-ca");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
        run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
        run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext");
    }

    static int curl(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return out.matches("\\d+") ? Integer.parseInt(out) : -1;
    }

    @Test
    void tlsWithAGeneratedCaAndClientCertificatesWorksWithCurl() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/openssl")) && Files.isExecutable(Path.of("/usr/bin/curl")),
                "openssl and curl are needed (.ci/run installs them)");
        caAndServerCertificate(dir);
        run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=client");
        run(dir, "openssl", "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "client.pem", "-days", "2");
        int port = freePort();
        try (Server s = start("""
                tls_server_config:
                  cert_file: server.pem
                  key_file: server.key
                """, port)) {
            assertEquals(1, s.http.jettyServer().server().getConnectors().length, "only the TLS connector listens");
            assertEquals(200, curl(dir, "--cacert", "ca.pem", "https://127.0.0.1:" + port + "/-/healthy"));
            assertNotEquals(200, curl(dir, "https://127.0.0.1:" + port + "/-/healthy"), "an unknown CA is refused by curl");
            assertNotEquals(200, curl(dir, "http://127.0.0.1:" + port + "/-/healthy"), "no plain HTTP on the TLS port");
        }
        port = freePort();
        try (Server s = start("""
                tls_server_config:
                  cert_file: server.pem
                  key_file: server.key
                  client_auth_type: RequireAndVerifyClientCert
                  client_ca_file: ca.pem
                """, port)) {
            assertNotEquals(200, curl(dir, "--cacert", "ca.pem", "https://127.0.0.1:" + port + "/-/healthy"));
            assertEquals(200, curl(dir, "--cacert", "ca.pem", "--cert", "client.pem", "--key", "client.key", "https://127.0.0.1:" + port + "/-/healthy"));
        }
    }
}
