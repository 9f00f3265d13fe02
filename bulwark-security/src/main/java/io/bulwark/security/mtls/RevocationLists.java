package io.bulwark.security.mtls;

import io.bulwark.core.SecureFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.cert.CRL;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured certificate revocation lists, re-read when a file changes (looked at no more than
 * once every {@link #RECHECK}). Fails closed: a file that cannot be re-read, or a list whose {@code
 * nextUpdate} has passed, refuses every client certificate until an operator replaces it.
 */
final class RevocationLists {
  private static final Logger log = LoggerFactory.getLogger(RevocationLists.class);

  /** Largest CRL file read. */
  static final int MAX_FILE_BYTES = 8 * 1024 * 1024;

  /** Most CRLs in one file. */
  static final int MAX_CRLS_PER_FILE = 64;

  static final Duration RECHECK = Duration.ofSeconds(5);

  record Stamp(Instant modified, long size) {}

  /** What was read, or why it could not be. */
  record Snapshot(List<X509CRL> crls, List<Stamp> stamps, long generation, @Nullable String error) {
    Snapshot {
      crls = List.copyOf(crls);
      stamps = List.copyOf(stamps);
    }
  }

  private final List<Path> files;
  private final Clock clock;
  private volatile Snapshot snapshot;
  private volatile Instant checkedAt;

  private RevocationLists(List<Path> files, Clock clock, Snapshot first) {
    this.files = List.copyOf(files);
    this.clock = clock;
    this.snapshot = first;
    this.checkedAt = clock.instant();
  }

  /**
   * Reads every file now.
   *
   * @throws IOException if a file cannot be read
   * @throws GeneralSecurityException if a file holds no CRL or something else
   */
  static RevocationLists load(List<Path> files, Clock clock)
      throws IOException, GeneralSecurityException {
    List<Stamp> stamps = new ArrayList<>();
    for (Path f : files) {
      stamps.add(stamp(f));
    }
    return new RevocationLists(files, clock, new Snapshot(read(files), stamps, 0, null));
  }

  boolean isEmpty() {
    return files.isEmpty();
  }

  /**
   * The lists in force now, re-read first if a file changed.
   *
   * @throws CertificateException if a list could not be re-read or is past its next update
   */
  Snapshot current() throws CertificateException {
    Instant now = clock.instant();
    if (!files.isEmpty() && !checkedAt.plus(RECHECK).isAfter(now)) {
      recheck(now);
    }
    Snapshot s = snapshot;
    if (s.error() != null) {
      throw new CertificateException("revocation lists unusable: " + s.error());
    }
    for (X509CRL crl : s.crls()) {
      if (crl.getNextUpdate().toInstant().isBefore(now)) {
        throw new CertificateException(
            "the revocation list of "
                + crl.getIssuerX500Principal().getName()
                + " was due for renewal at "
                + crl.getNextUpdate().toInstant());
      }
    }
    return s;
  }

  private synchronized void recheck(Instant now) {
    if (checkedAt.plus(RECHECK).isAfter(now)) {
      return;
    }
    checkedAt = now;
    Snapshot s = snapshot;
    List<Stamp> stamps = new ArrayList<>();
    try {
      for (Path f : files) {
        stamps.add(stamp(f));
      }
      if (stamps.equals(s.stamps()) && s.error() == null) {
        return;
      }
      snapshot = new Snapshot(read(files), stamps, s.generation() + 1, null);
      log.info("client certificate revocation lists re-read ({} lists)", snapshot.crls().size());
    } catch (IOException | GeneralSecurityException e) {
      // Fail closed: refusing every client certificate is loud; a list silently kept is not.
      snapshot = new Snapshot(List.of(), stamps, s.generation() + 1, e.getMessage());
      log.error(
          "client certificate revocation lists cannot be read; refusing client certificates: {}",
          e.getMessage());
    }
  }

  private static Stamp stamp(Path f) throws IOException {
    BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
    return new Stamp(a.lastModifiedTime().toInstant(), a.size());
  }

  private static List<X509CRL> read(List<Path> files) throws IOException, GeneralSecurityException {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    List<X509CRL> out = new ArrayList<>();
    for (Path f : files) {
      byte[] bytes = SecureFiles.readLimited(f, MAX_FILE_BYTES);
      var parsed = cf.generateCRLs(new ByteArrayInputStream(bytes));
      if (parsed.isEmpty()) {
        throw new GeneralSecurityException(f + " holds no certificate revocation list");
      }
      if (parsed.size() > MAX_CRLS_PER_FILE) {
        throw new GeneralSecurityException(
            f + " holds more than " + MAX_CRLS_PER_FILE + " revocation lists");
      }
      for (CRL crl : parsed) {
        if (!(crl instanceof X509CRL x509)) {
          throw new GeneralSecurityException(f + " holds a non-X.509 revocation list");
        }
        // RFC 5280 requires nextUpdate; a list without it would never be seen as stale.
        if (x509.getNextUpdate() == null) {
          throw new GeneralSecurityException(
              f + " holds a revocation list without a next update time (RFC 5280 requires one)");
        }
        out.add(x509);
      }
    }
    return out;
  }
}
