package dev.vigil.ingest.tls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM certificates and private keys as Go's crypto/tls reads them for Prometheus's {@code
 * cert_file}/{@code key_file}: X.509 certificates, PKCS#8 keys (RSA, EC, Ed25519) and PKCS#1 RSA
 * keys. Errors are {@link IllegalArgumentException}s saying what was wrong; the caller adds where.
 */
public final class Pem {
    private Pem() {}

    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

    public static List<Certificate> certificates(String pem) {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            return new ArrayList<>(cf.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read certificates: " + e.getMessage(), e);
        }
    }

    public static PrivateKey privateKey(String pem) {
        Matcher m = BLOCK.matcher(pem);
        try {
            while (m.find()) {
                String type = m.group(1);
                byte[] der = Base64.getMimeDecoder().decode(m.group(2));
                if (type.equals("PRIVATE KEY")) {
                    for (String alg : List.of("RSA", "EC", "Ed25519")) {
                        try {
                            return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
                        } catch (InvalidKeySpecException e) {
                            // try the next algorithm
                        }
                    }
                } else if (type.equals("RSA PRIVATE KEY")) {
                    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs1ToPkcs8(der)));
                } else if (type.contains("PRIVATE KEY")) {
                    throw new IllegalArgumentException(type
                            + " is not supported; convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the private key: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("no private key found");
    }

    /** A key store holding the key with its certificate chain, under the alias "key" and an empty password. */
    public static KeyStore keyStore(String certPem, String keyPem) {
        List<Certificate> chain = certificates(certPem);
        if (chain.isEmpty()) throw new IllegalArgumentException("no certificate found");
        PrivateKey key = privateKey(keyPem);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("key", key, new char[0], chain.toArray(Certificate[]::new));
            return ks;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("cannot use the key and certificate: " + e.getMessage(), e);
        }
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (rsaEncryption, NULL params). */
    private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algId = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octet = der(0x04, pkcs1);
        byte[] body = new byte[version.length + algId.length + octet.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algId, 0, body, version.length, algId.length);
        System.arraycopy(octet, 0, body, version.length + algId.length, octet.length);
        return der(0x30, body);
    }

    private static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] len = n < 0x80 ? new byte[] {(byte) n}
                : n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
                : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
                : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        byte[] out = new byte[1 + len.length + n];
        out[0] = (byte) tag;
        System.arraycopy(len, 0, out, 1, len.length);
        System.arraycopy(content, 0, out, 1 + len.length, n);
        return out;
    }
}
