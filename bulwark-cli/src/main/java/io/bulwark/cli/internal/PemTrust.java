package io.bulwark.cli.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * Trust in exactly the certificates of one PEM file (the server's CA, {@code DATA/tls/ca.pem}): the
 * JDK's default trust store is not consulted, so no public CA can vouch for a Bulwark server.
 * Hostname verification stays on ({@link #sslParameters()}).
 */
final class PemTrust {
  /** Largest PEM file read; a CA bundle is a few kilobytes. */
  static final int MAX_PEM_BYTES = 1024 * 1024;

  /** Most certificates accepted from one file. */
  static final int MAX_CERTIFICATES = 64;

  private PemTrust() {}

  /**
   * Reads the certificates in {@code pem}.
   *
   * @throws CliException (exit 1) if the file cannot be read, is larger than {@link
   *     #MAX_PEM_BYTES}, holds a private key, or holds no certificate or more than {@link
   *     #MAX_CERTIFICATES}
   */
  static List<X509Certificate> readCertificates(Path pem) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(pem)) {
      bytes = in.readNBytes(MAX_PEM_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw CliException.failure(
          "cannot read CA certificate "
              + pem
              + ": no such file (use --ca FILE with the server's DATA/tls/ca.pem, or --data DIR"
              + " with the server's data directory)",
          e);
    } catch (IOException e) {
      throw CliException.failure(
          "cannot read CA certificate " + pem + ": " + Failures.describe(e), e);
    }
    if (bytes.length > MAX_PEM_BYTES) {
      throw CliException.failure(
          "CA certificate file " + pem + " is larger than " + MAX_PEM_BYTES + " bytes");
    }
    if (new String(bytes, StandardCharsets.US_ASCII).contains("PRIVATE KEY-----")) {
      // Refuse rather than ignore it: a key in the trust file means the wrong file was named, and
      // the user should learn that the key is lying around.
      throw CliException.failure(
          pem
              + " contains a private key, not just certificates; --ca takes the CA certificate"
              + " (DATA/tls/ca.pem)");
    }
    Collection<? extends Certificate> parsed;
    try {
      parsed =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(bytes));
    } catch (CertificateException e) {
      throw CliException.failure(pem + " is not a PEM certificate file", e);
    }
    List<X509Certificate> certificates = new ArrayList<>();
    for (Certificate c : parsed) {
      if (c instanceof X509Certificate x509) {
        certificates.add(x509);
      }
    }
    if (certificates.isEmpty()) {
      throw CliException.failure(pem + " holds no certificate");
    }
    if (certificates.size() > MAX_CERTIFICATES) {
      throw CliException.failure(pem + " holds more than " + MAX_CERTIFICATES + " certificates");
    }
    return List.copyOf(certificates);
  }

  /** A TLS context that trusts exactly {@code anchors} and nothing else. */
  static SSLContext sslContext(List<X509Certificate> anchors) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < anchors.size(); i++) {
        store.setCertificateEntry("anchor-" + i, anchors.get(i));
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("the JDK cannot build a TLS context", e);
    }
  }

  /** TLS 1.3 or 1.2 only, with the server's name checked against its certificate. */
  static SSLParameters sslParameters() {
    SSLParameters parameters = new SSLParameters();
    parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    return parameters;
  }
}
