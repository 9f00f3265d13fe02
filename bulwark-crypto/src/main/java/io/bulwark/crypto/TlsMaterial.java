package io.bulwark.crypto;

import io.bulwark.crypto.internal.LocalCertificateAuthority;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * The TLS files of a Bulwark installation that has no certificate of its own: a local certificate
 * authority and a server certificate it issued. Holds paths and public certificates only; the
 * private keys stay in their files.
 *
 * @param caCertificate {@code ca.pem}: the local CA certificate that clients trust
 * @param serverCertificateChain {@code server.pem}: the server certificate followed by the CA's
 * @param serverPrivateKey {@code server.key}: the server's PKCS#8 private key, mode 0600
 * @param caX509 the parsed CA certificate
 * @param serverX509 the parsed server certificate
 */
public record TlsMaterial(
    Path caCertificate,
    Path serverCertificateChain,
    Path serverPrivateKey,
    X509Certificate caX509,
    X509Certificate serverX509) {

  public TlsMaterial {
    Objects.requireNonNull(caCertificate, "caCertificate");
    Objects.requireNonNull(serverCertificateChain, "serverCertificateChain");
    Objects.requireNonNull(serverPrivateKey, "serverPrivateKey");
    Objects.requireNonNull(caX509, "caX509");
    Objects.requireNonNull(serverX509, "serverX509");
  }

  /**
   * Loads the TLS material in {@code tlsDirectory}, creating what is missing.
   *
   * <p>On first use this creates the directory (mode 0700) and, with EC P-256 keys:
   *
   * <ul>
   *   <li>{@code ca.pem} and {@code ca.key}: a self-signed CA named "Bulwark Local CA" plus a
   *       random suffix, valid ten years, allowed to sign end-entity certificates only (path length
   *       0);
   *   <li>{@code server.pem} and {@code server.key}: a server certificate valid 397 days for
   *       exactly the given DNS names and IP addresses, followed in {@code server.pem} by the CA
   *       certificate.
   * </ul>
   *
   * <p>Later calls reuse all four files unchanged, except that the server certificate and key are
   * reissued from the same CA when the certificate has expired, expires within 30 days, lacks one
   * of the requested names or addresses, or no longer matches the CA or its key. The CA is never
   * replaced: clients that trust {@code ca.pem} keep working. Key files are written with mode 0600
   * and are never logged.
   *
   * @param dnsNames host names for the certificate (letters, digits, hyphens and dots; compared
   *     without regard to case)
   * @param ipAddresses IPv4 or IPv6 address literals, for example {@code 127.0.0.1} and {@code ::1}
   * @param clock the time against which validity is judged and from which it is counted
   * @throws IllegalArgumentException if a name or address is malformed, or none is given
   * @throws IOException if the files cannot be read or written, a key file is readable or writable
   *     by group or others, or only one of {@code ca.pem} and {@code ca.key} exists
   * @throws GeneralSecurityException if the CA certificate or key is malformed, they do not match,
   *     or the CA certificate is not valid at the clock's time
   */
  public static TlsMaterial loadOrCreate(
      Path tlsDirectory, List<String> dnsNames, List<String> ipAddresses, Clock clock)
      throws IOException, GeneralSecurityException {
    return LocalCertificateAuthority.loadOrCreate(tlsDirectory, dnsNames, ipAddresses, clock);
  }

  /**
   * A trust store holding the certificates in {@code caPem} (for example this installation's {@code
   * ca.pem}), for clients that must trust the local CA.
   *
   * @throws IOException if the file cannot be read or is larger than 64 KiB
   * @throws GeneralSecurityException if it holds no certificate or a malformed one
   */
  public static KeyStore trustStore(Path caPem) throws IOException, GeneralSecurityException {
    return LocalCertificateAuthority.trustStore(caPem);
  }

  @Override
  public String toString() {
    return "TlsMaterial[ca="
        + caCertificate
        + " ("
        + caX509.getSubjectX500Principal().getName()
        + "), server="
        + serverCertificateChain
        + " (serial "
        + serverX509.getSerialNumber().toString(16)
        + ", valid until "
        + serverX509.getNotAfter().toInstant()
        + ")]";
  }
}
