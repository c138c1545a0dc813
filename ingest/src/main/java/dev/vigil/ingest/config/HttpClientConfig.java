package dev.vigil.ingest.config;

import java.util.Set;

/**
 * The HTTP client settings inlined in scrape configs, alertmanager configs, remote write and HTTP
 * service discovery (Prometheus's {@code common/config.HTTPClientConfig}). File paths are resolved
 * against the directory of the file that named them. {@code bearer_token} and {@code
 * bearer_token_file} are folded into {@link #authorization()} as Prometheus does.
 *
 * @param basicAuth null when absent
 * @param authorization null when absent
 * @param tls never null
 * @param followRedirects default true
 * @param enableHttp2 default true (false for remote write)
 * @param proxyUrl empty when absent
 */
public record HttpClientConfig(
        BasicAuth basicAuth,
        Authorization authorization,
        TlsConfig tls,
        boolean followRedirects,
        boolean enableHttp2,
        String proxyUrl,
        String noProxy,
        boolean proxyFromEnvironment) {

    /** The keys this config adds to the mapping it is inlined in. */
    static final Set<String> KEYS = Set.of("basic_auth", "authorization", "oauth2", "bearer_token", "bearer_token_file",
            "tls_config", "follow_redirects", "enable_http2", "proxy_url", "no_proxy", "proxy_from_environment",
            "proxy_connect_header", "http_headers");

    public static final HttpClientConfig DEFAULT = new HttpClientConfig(null, null, TlsConfig.NONE, true, true, "", "", false);

    /** {@code basic_auth}: at most one of password and password_file, of username and username_file. */
    public record BasicAuth(String username, String usernameFile, String password, String passwordFile) {
        static final Set<String> KEYS = Set.of("username", "username_file", "password", "password_file");
    }

    /** {@code authorization}: the type defaults to {@code Bearer}; credentials inline or from a file. */
    public record Authorization(String type, String credentials, String credentialsFile) {
        static final Set<String> KEYS = Set.of("type", "credentials", "credentials_file");
    }

    /** {@code tls_config}; empty strings for absent values. */
    public record TlsConfig(String ca, String caFile, String cert, String certFile, String key, String keyFile,
            String serverName, boolean insecureSkipVerify, String minVersion, String maxVersion) {
        static final Set<String> KEYS = Set.of("ca", "ca_file", "cert", "cert_file", "key", "key_file", "server_name",
                "insecure_skip_verify", "min_version", "max_version");
        public static final TlsConfig NONE = new TlsConfig("", "", "", "", "", "", "", false, "", "");
    }
}
