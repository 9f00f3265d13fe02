package io.bulwark.security.mtls;

import io.bulwark.core.ClientCertificateConfig;
import io.bulwark.core.Digests;
import io.bulwark.core.Strings;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;
import org.jspecify.annotations.Nullable;

/**
 * The name of a client certificate: its SPIFFE ID (the single {@code spiffe://} URI in its subject
 * alternative names) or, when it has none, its subject.
 *
 * @param spiffeId the SPIFFE ID, or null
 * @param subject the subject
 */
public record ClientName(@Nullable String spiffeId, X500Principal subject) {
  /** SAN type of a uniformResourceIdentifier (RFC 5280 GeneralName). */
  private static final int URI = 6;

  private static final String SPIFFE_SCHEME = "spiffe://";

  /**
   * The name {@code certificate} carries.
   *
   * @throws CertificateException if it carries more than one SPIFFE ID, one longer than the SPIFFE
   *     limit, or subject alternative names that cannot be parsed
   */
  public static ClientName of(X509Certificate certificate) throws CertificateException {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new CertificateException("unparseable subject alternative names", e);
    }
    String spiffe = null;
    if (names != null) {
      for (List<?> n : names) {
        if (n.size() == 2
            && n.get(0) instanceof Integer type
            && type == URI
            && n.get(1) instanceof String uri
            && uri.regionMatches(true, 0, SPIFFE_SCHEME, 0, SPIFFE_SCHEME.length())) {
          if (spiffe != null) {
            throw new CertificateException("more than one SPIFFE ID");
          }
          if (uri.length() > ClientCertificateConfig.MAX_NAME_CHARS) {
            throw new CertificateException("SPIFFE ID longer than the SPIFFE limit");
          }
          // The scheme and trust domain are case-insensitive; the path is not.
          int slash = uri.indexOf('/', SPIFFE_SCHEME.length());
          spiffe =
              slash < 0
                  ? uri.toLowerCase(Locale.ROOT)
                  : uri.substring(0, slash).toLowerCase(Locale.ROOT) + uri.substring(slash);
        }
      }
    }
    return new ClientName(spiffe, certificate.getSubjectX500Principal());
  }

  /**
   * The principal id: {@code cert:} and the SPIFFE ID when that is at most {@value
   * #MAX_PLAIN_ID_CHARS} characters of the SPIFFE grammar; otherwise {@code cert:spiffe:} or {@code
   * cert:subject:} and 32 hex digits of a SHA-256 of the name. Printable, bounded, and distinct for
   * distinct names either way.
   */
  public String principalId() {
    if (spiffeId != null) {
      if (spiffeId.length() <= MAX_PLAIN_ID_CHARS && PLAIN_SPIFFE.matcher(spiffeId).matches()) {
        return "cert:" + spiffeId;
      }
      return "cert:spiffe:" + hash(spiffeId);
    }
    return "cert:subject:" + hash(subject.getName(X500Principal.CANONICAL));
  }

  /** Longest SPIFFE ID used as it is in a principal id. */
  static final int MAX_PLAIN_ID_CHARS = 200;

  private static final Pattern PLAIN_SPIFFE =
      Pattern.compile("spiffe://[a-z0-9._-]+(/[A-Za-z0-9._-]+)*");

  private static String hash(String s) {
    return HexFormat.of().formatHex(Digests.sha256(s.getBytes(StandardCharsets.UTF_8)), 0, 16);
  }

  /** A label for people and logs, at most 256 printable characters. */
  public String display() {
    String s = spiffeId != null ? spiffeId : subject.getName(X500Principal.RFC2253);
    s = Strings.printable(s);
    return s.length() > 256 ? s.substring(0, 256) + "..." : s;
  }

  /** The SPIFFE ID, if the certificate carries one. */
  public Optional<String> spiffe() {
    return Optional.ofNullable(spiffeId);
  }
}
