package dev.vigil.ingest.tls;

import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * {@code tls_config.server_name}: the server's chain is checked by {@code chain} as usual, then its
 * certificate against the configured name instead of the URL's host, the way Go's
 * {@code tls.Config.ServerName} does it ({@code x509.Certificate.VerifyHostname}: subject
 * alternative names only, no common name; a wildcard only as the whole leftmost label; an IP
 * address against the IP address names).
 *
 * <p>Being an {@link X509ExtendedTrustManager}, it replaces the JDK's own endpoint identification
 * rather than adding to it, which would reject the certificate for the URL's host.
 */
public final class ServerNameTrustManager extends X509ExtendedTrustManager {
    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;

    private final X509TrustManager chain;
    private final String serverName;

    public ServerNameTrustManager(X509TrustManager chain, String serverName) {
        this.chain = chain;
        this.serverName = serverName;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certs, String authType) throws CertificateException {
        chain.checkServerTrusted(certs, authType); // the two-argument form checks the chain, not the host
        verifyHostname(certs[0], serverName);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certs, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(certs, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certs, String authType, SSLEngine engine) throws CertificateException {
        checkServerTrusted(certs, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certs, String authType) throws CertificateException {
        chain.checkClientTrusted(certs, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certs, String authType, Socket socket) throws CertificateException {
        chain.checkClientTrusted(certs, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certs, String authType, SSLEngine engine) throws CertificateException {
        chain.checkClientTrusted(certs, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return chain.getAcceptedIssuers();
    }

    /**
     * Throws unless {@code cert} is valid for {@code host}, with Go's message
     * ("x509: certificate is valid for a, b, not c").
     */
    public static void verifyHostname(X509Certificate cert, String host) throws CertificateException {
        List<String> dnsNames = new ArrayList<>();
        List<InetAddress> ips = new ArrayList<>();
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new CertificateException("x509: cannot read the certificate's subject alternative names: " + e.getMessage(), e);
        }
        if (sans != null) {
            for (List<?> san : sans) {
                int type = (Integer) san.get(0);
                if (type == DNS_NAME) dnsNames.add((String) san.get(1));
                if (type == IP_ADDRESS) {
                    try {
                        ips.add(InetAddress.getByName((String) san.get(1))); // the JDK gives IP names as literals
                    } catch (UnknownHostException ignored) {
                        // not a literal after all: matches nothing
                    }
                }
            }
        }
        String candidate = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress ip = ipLiteral(candidate);
        if (ip != null) {
            if (ips.contains(ip)) return;
            if (ips.isEmpty()) {
                throw new CertificateException("x509: cannot validate certificate for " + candidate + " because it doesn't contain any IP SANs");
            }
            throw new CertificateException("x509: certificate is valid for "
                    + String.join(", ", ips.stream().map(InetAddress::getHostAddress).toList()) + ", not " + candidate);
        }
        for (String pattern : dnsNames) {
            if (matches(pattern, candidate)) return;
        }
        if (dnsNames.isEmpty()) {
            throw new CertificateException("x509: certificate is not valid for any names, but wanted to match " + candidate);
        }
        throw new CertificateException("x509: certificate is valid for " + String.join(", ", dnsNames) + ", not " + candidate);
    }

    /** Go's {@code matchHostnames}: label by label, case-insensitive, {@code *} only as the whole first label. */
    public static boolean matches(String pattern, String host) {
        pattern = pattern.toLowerCase(Locale.ROOT);
        host = host.toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) host = host.substring(0, host.length() - 1);
        if (pattern.isEmpty() || host.isEmpty()) return false;
        String[] p = pattern.split("\\.", -1);
        String[] h = host.split("\\.", -1);
        if (p.length != h.length) return false;
        for (int i = 0; i < p.length; i++) {
            if (i == 0 && p[i].equals("*") && !h[i].isEmpty()) continue;
            if (!p[i].equals(h[i])) return false;
        }
        return true;
    }

    /** The address when {@code s} is an IPv4 or IPv6 literal (never a DNS lookup), else null. */
    public static InetAddress ipLiteral(String s) {
        boolean v4 = s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) return null;
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
