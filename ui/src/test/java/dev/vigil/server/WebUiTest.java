package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The UI's files: served with their types and caching, under the route prefix, and nothing outside them. */
class WebUiTest {
    @TempDir
    Path dir;

    /** A raw HTTP/1.1 GET, so that no client normalises the path before it reaches the server. */
    static String rawGet(int port, String path) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void servesTheUiAndNothingOutsideIt() throws Exception {
        try (Server s = Server.start(Flags.parse(new String[] {"--storage.tsdb.path", dir.toString(), "--web.listen-address=127.0.0.1:0",
                "--web.route-prefix=/p"}), () -> {}, false)) {
            int port = s.port();
            String page = rawGet(port, "/p/targets");
            assertTrue(page.startsWith("HTTP/1.1 200") && page.contains("<meta name=\"vigil-prefix\" content=\"/p\">"), page);
            String js = rawGet(port, "/p/static/app.js");
            assertTrue(js.startsWith("HTTP/1.1 200") && js.toLowerCase().contains("content-type: text/javascript"), js);
            String uplot = rawGet(port, "/p/webjars/uplot/1.6.30/dist/uPlot.iife.min.js");
            assertTrue(uplot.startsWith("HTTP/1.1 200") && uplot.contains("immutable"), uplot.substring(0, 300));
            assertTrue(rawGet(port, "/p/static/nope.js").startsWith("HTTP/1.1 404"));
            for (String evil : List.of("/p/static/../../../../etc/passwd", "/p/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                    "/p/static/..%2f..%2f..%2fetc%2fpasswd", "/p/webjars/../../META-INF/MANIFEST.MF",
                    "/p/static/%2e%2e%2fweb%2fstatic%2fapp.js", "/p/static//etc/passwd", "/p/webjars/..%5c..%5cpom.xml")) {
                String r = rawGet(port, evil);
                assertNotEquals("HTTP/1.1 200", r.substring(0, 12), evil + "\n" + r);
                assertFalse(r.contains("root:"), evil);
            }
            assertEquals("HTTP/1.1 302", rawGet(port, "/").substring(0, 12));
        }
    }
}
