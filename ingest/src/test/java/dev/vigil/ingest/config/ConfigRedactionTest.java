package dev.vigil.ingest.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigRedactionTest {
    static final String CONFIG = """
            global:
              scrape_interval: 15s   # a comment
              external_labels: {password: shown, key: shown}
            scrape_configs:
              - job_name: node
                basic_auth: &auth
                  username: admin
                  password: hunter2
                tls_config:
                  key: "-----BEGIN PRIVATE KEY-----"
                  key_file: ""
                  cert_file: /etc/vigil/cert.pem
                proxy_url: http://proxy:3128
                proxy_connect_header:
                  Proxy-Authorization: [Basic c2VjcmV0]
                http_headers:
                  X-Token:
                    values: [visible]
                    secrets: [token-1, token-2]
                static_configs:
                  - targets: ['a:9100']
                    labels: {password: label-value}
              - job_name: other
                basic_auth: *auth
              - job_name: token
                bearer_token: abc
              - job_name: empty
                basic_auth: {username: u, password: ""}
              - job_name: from-file
                authorization: {credentials_file: /run/secret}
            alerting:
              alertmanagers:
                - authorization: {type: Bearer, credentials: am-token}
                  static_configs: [{targets: ['am:9093']}]
            remote_write:
              - url: http://mimir/api/v1/push
                basic_auth: {username: tenant, password: rw-pass}
            """;

    @Test
    void secrets_are_hidden_as_prometheus_marshals_them() {
        String out = ConfigRedaction.redact(CONFIG, "prometheus.yml");
        for (String secret : new String[] {"hunter2", "BEGIN PRIVATE KEY", "c2VjcmV0", "token-1", "token-2", "abc", "am-token", "rw-pass"}) {
            assertFalse(out.contains(secret), secret + " shown in\n" + out);
        }
        for (String kept : new String[] {"username: admin", "cert_file: /etc/vigil/cert.pem", "credentials_file: /run/secret",
                "password: shown", "key: shown", "password: label-value", "- visible", "- 'a:9100'", "password: \"\"", "proxy_url: http://proxy:3128"}) {
            assertTrue(out.contains(kept), kept + " missing in\n" + out);
        }
        assertEquals(8, out.split(ConfigRedaction.SECRET, -1).length - 1, out); // the aliased basic_auth counts once
        assertFalse(out.contains("a comment"));
    }

    @Test
    void the_redacted_config_still_loads_to_the_same_model_apart_from_secrets() {
        PrometheusConfig original = ConfigParser.parse(CONFIG, "prometheus.yml", Path.of("/etc/vigil"), k -> null);
        PrometheusConfig shown = ConfigParser.parse(ConfigRedaction.redact(CONFIG, "prometheus.yml"), "shown.yml", Path.of("/etc/vigil"), k -> null);
        assertEquals(original.scrapeConfigs().size(), shown.scrapeConfigs().size());
        assertEquals(original.global(), shown.global());
        assertEquals(ConfigRedaction.SECRET, shown.scrapeConfigs().getFirst().http().basicAuth().password());
    }
}
