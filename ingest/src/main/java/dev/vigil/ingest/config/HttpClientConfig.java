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
 * @param httpHeaders {@code http_headers}: extra request headers by name, in document order
 * @param proxyConnectHeader whether {@code proxy_connect_header} is set: accepted, not sent (the JDK
 *     client adds no headers of its own to a proxy CONNECT), and named in a load warning
 */
public record HttpClientConfig(
        BasicAuth basicAuth,
        Authorization authorization,
        TlsConfig tls,
        boolean followRedirects,
        boolean enableHttp2,
        String proxyUrl,
        String noProxy,
        boolean proxyFromEnvironment,
        java.util.Map<String, Header> httpHeaders,
        boolean proxyConnectHeader) {

    /** The keys this config adds to the mapping it is inlined in. */
    static final Set<String> KEYS = Set.of("basic_auth", "authorization", "oauth2", "bearer_token", "bearer_token_file",
            "tls_config", "follow_redirects", "enable_http2", "proxy_url", "no_proxy", "proxy_from_environment",
            "proxy_connect_header", "http_headers");

    public static final HttpClientConfig DEFAULT = new HttpClientConfig(null, null, TlsConfig.NONE, true, true, "", "", false);

    public HttpClientConfig {
        httpHeaders = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(httpHeaders));
    }

    /** Without {@code http_headers}. */
    public HttpClientConfig(BasicAuth basicAuth, Authorization authorization, TlsConfig tls, boolean followRedirects,
            boolean enableHttp2, String proxyUrl, String noProxy, boolean proxyFromEnvironment) {
        this(basicAuth, authorization, tls, followRedirects, enableHttp2, proxyUrl, noProxy, proxyFromEnvironment, java.util.Map.of(),
                false);
    }

    /**
     * One {@code http_headers} entry: each of its values, secrets and files' contents (read for
     * every request, trimmed; paths resolved already) is sent as one value of the header.
     */
    public record Header(java.util.List<String> values, java.util.List<String> secrets, java.util.List<String> files) {
        static final Set<String> KEYS = Set.of("values", "secrets", "files");

        public Header {
            values = java.util.List.copyOf(values);
            secrets = java.util.List.copyOf(secrets);
            files = java.util.List.copyOf(files);
        }
    }

    /**
     * Headers {@code http_headers} may not set (Prometheus's {@code reservedHeaders}): the client
     * or the protocol sets them.
     */
    static final Set<String> RESERVED_HEADERS = Set.of("Authorization", "Host", "Content-Encoding", "Content-Length",
            "Content-Type", "User-Agent", "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
            "Www-Authenticate", "Accept-Encoding", "X-Prometheus-Remote-Write-Version", "X-Prometheus-Remote-Read-Version",
            "X-Prometheus-Scrape-Timeout-Seconds", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256");

    /** Go's {@code http.CanonicalHeaderKey}: each dash-separated word capitalized, the rest lower case. */
    static String canonicalHeaderKey(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!token) return name; // Go leaves names with invalid characters alone
        }
        StringBuilder b = new StringBuilder(name.length());
        boolean upper = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            b.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return b.toString();
    }

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
