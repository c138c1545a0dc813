package dev.vigil.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A target's globalUrl, as Prometheus's getGlobalURL makes it from the scrape URL and the external URL. */
class GlobalUrlTest {
    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # scrape URL                                | external URL                   | globalUrl
            # another process on this machine: the external host, the target's own port and scheme
            http://127.0.0.1:9100/metrics               | http://vm:9090                 | http://vm:9100/metrics
            http://localhost:9100/metrics?x=1&y=2       | http://vm:9090                 | http://vm:9100/metrics?x=1&y=2
            https://[::1]:9100/metrics                  | http://vm:9090                 | https://vm:9100/metrics
            # Vigil itself (the port it listens on): the external URL's scheme, host and port
            http://localhost:9090/metrics               | https://vigil.example:443/pre  | https://vigil.example:443/metrics
            http://127.0.0.1:41234/metrics              | http://vm:0                    | http://vm:0/metrics
            # a target elsewhere, or without a port, stays as it is
            http://10.0.0.7:9100/metrics                | http://vm:9090                 | http://10.0.0.7:9100/metrics
            http://node.example:9100/metrics            | http://vm:9090                 | http://node.example:9100/metrics
            http://localhost/metrics                    | http://vm:9090                 | http://localhost/metrics
            # an external URL with an IPv6 host
            http://127.0.0.1:9100/metrics               | http://[2001:db8::1]:9090      | http://[2001:db8::1]:9100/metrics
            """)
    void table(String scrapeUrl, String externalUrl, String expected) {
        assertEquals(expected, TargetsApi.globalUrl(scrapeUrl, externalUrl, 9090, 41234));
    }
}
