package io.bulwark.security.mtls;

import io.bulwark.core.ClientCertificateConfig;
import io.bulwark.core.Digests;
import io.bulwark.core.SecureFiles;
import io.bulwark.core.Strings;
import io.bulwark.security.AuthenticationException;
import io.bulwark.security.Principal;
import io.bulwark.security.policy.PolicyAction;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates client certificates and maps them to principals, from a {@link
 * ClientCertificateConfig}. Immutable apart from the revocation lists, which are re-read when their
 * files change; thread-safe.
 *
 * <p>{@link #verify} passes a chain only if all of these hold, and otherwise throws: at most
 * {@value #MAX_CHAIN} certificates; PKIX path validation (the JDK's {@code CertPathValidator}) to
 * one of the configured trust anchors as of now, with revocation checked against the configured
 * lists and nothing fetched; a leaf that is not a CA, has digitalSignature if it has a key usage
 * extension, and has an extended key usage that includes id-kp-clientAuth; at most one SPIFFE ID.
 * When lists are configured, every CA below a trust anchor needs a current one; a list past its
 * {@code nextUpdate} refuses every certificate.
 *
 * <p>{@link #principal} maps a verified certificate to the configured client: an exact SPIFFE ID
 * first, then the longest SPIFFE prefix, then (for certificates without a SPIFFE ID) the exact
 * subject. A certificate that matches none names no principal.
 */
public final class ClientCertificates {
  private static final Logger log = LoggerFactory.getLogger(ClientCertificates.class);

  /** Longest chain a client may present. */
  public static final int MAX_CHAIN = 8;

  /** Largest trust-anchor file read. */
  static final int MAX_ANCHOR_BYTES = 1024 * 1024;

  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final int MAX_CACHED = 10_000;

  private record Entry(ClientCertificateConfig.Client client, Principal template) {}

  private record Verified(long generation, Instant until) {}

  private final ClientCertificateConfig.Mode mode;
  private final Set<TrustAnchor> anchors;
  private final X509Certificate[] acceptedIssuers;
  private final RevocationLists crls;
  private final Map<String, Entry> exactSpiffe;
  private final List<Map.Entry<String, Entry>> spiffePrefixes;
  private final Map<X500Principal, Entry> subjects;
  private final Clock clock;
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();

  private ClientCertificates(
      ClientCertificateConfig config,
      List<X509Certificate> anchorCertificates,
      RevocationLists crls,
      Clock clock) {
    this.mode = config.mode();
    Set<TrustAnchor> a = new HashSet<>();
    for (X509Certificate c : anchorCertificates) {
      a.add(new TrustAnchor(c, null));
    }
    this.anchors = Set.copyOf(a);
    this.acceptedIssuers = anchorCertificates.toArray(new X509Certificate[0]);
    this.crls = crls;
    this.clock = clock;
    Map<String, Entry> exact = new HashMap<>();
    List<Map.Entry<String, Entry>> prefixes = new ArrayList<>();
    Map<X500Principal, Entry> bySubject = new HashMap<>();
    for (ClientCertificateConfig.Client c : config.clients()) {
      Entry e = new Entry(c, template(c));
      if (c.spiffeId() != null) {
        String id = normalizeSpiffe(c.spiffeId());
        if (id.endsWith("/*")) {
          String prefix = id.substring(0, id.length() - 1);
          if (prefixes.stream().anyMatch(p -> p.getKey().equals(prefix))) {
            throw new IllegalArgumentException("client_certificates lists " + id + " twice");
          }
          prefixes.add(Map.entry(prefix, e));
        } else if (exact.put(id, e) != null) {
          throw new IllegalArgumentException("client_certificates lists " + id + " twice");
        }
      } else {
        X500Principal subject;
        try {
          subject = new X500Principal(java.util.Objects.requireNonNull(c.subject()));
        } catch (IllegalArgumentException ex) {
          throw new IllegalArgumentException(
              "client_certificates: '"
                  + Strings.printable(String.valueOf(c.subject()))
                  + "' is not an RFC 2253 distinguished name");
        }
        if (bySubject.put(subject, e) != null) {
          throw new IllegalArgumentException(
              "client_certificates lists the subject " + subject.getName() + " twice");
        }
      }
    }
    // Longest prefix first, so that the most specific entry wins.
    prefixes.sort((x, y) -> Integer.compare(y.getKey().length(), x.getKey().length()));
    this.exactSpiffe = Map.copyOf(exact);
    this.spiffePrefixes = List.copyOf(prefixes);
    this.subjects = Map.copyOf(bySubject);
  }

  /**
   * Reads the trust anchors and revocation lists of {@code config}.
   *
   * @throws IOException if a file cannot be read
   * @throws GeneralSecurityException if the anchors are not CA certificates or a list is not a CRL
   * @throws IllegalArgumentException if a client entry is invalid or listed twice
   */
  public static ClientCertificates load(ClientCertificateConfig config, Clock clock)
      throws IOException, GeneralSecurityException {
    List<X509Certificate> anchors = new ArrayList<>();
    if (config.trustAnchors() != null) {
      byte[] pem = SecureFiles.readLimited(config.trustAnchors(), MAX_ANCHOR_BYTES);
      for (Certificate c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem))) {
        if (!(c instanceof X509Certificate x) || x.getBasicConstraints() < 0) {
          throw new GeneralSecurityException(
              config.trustAnchors() + " holds a certificate that is not a CA certificate");
        }
        anchors.add(x);
      }
      if (anchors.isEmpty()) {
        throw new GeneralSecurityException(config.trustAnchors() + " holds no certificate");
      }
    }
    return new ClientCertificates(
        config, anchors, RevocationLists.load(config.crlFiles(), clock), clock);
  }

  public ClientCertificateConfig.Mode mode() {
    return mode;
  }

  /**
   * Verifies a chain a client presented, leaf first.
   *
   * @throws CertificateException naming the first rule the chain breaks
   */
  public void verify(List<X509Certificate> chain) throws CertificateException {
    if (chain.isEmpty() || chain.size() > MAX_CHAIN) {
      throw new CertificateException("a client chain holds 1-" + MAX_CHAIN + " certificates");
    }
    if (anchors.isEmpty()) {
      throw new CertificateException("no trust anchors for client certificates are configured");
    }
    X509Certificate leaf = chain.get(0);
    RevocationLists.Snapshot lists = crls.current();
    Instant now = clock.instant();
    String thumbprint = thumbprint(leaf);
    Verified before = verified.get(thumbprint);
    if (before != null
        && before.generation() == lists.generation()
        && now.isBefore(before.until())) {
      return;
    }
    checkLeaf(leaf);
    ClientName.of(leaf);
    List<X509Certificate> path = new ArrayList<>(chain);
    // A client may send its root too; the path to validate ends below the anchor.
    while (path.size() > 1 && isAnchor(path.get(path.size() - 1))) {
      path.remove(path.size() - 1);
    }
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      CertPathValidator validator = CertPathValidator.getInstance("PKIX");
      PKIXParameters params = new PKIXParameters(anchors);
      params.setDate(Date.from(now));
      params.setRevocationEnabled(false);
      if (!crls.isEmpty()) {
        PKIXRevocationChecker revocation = (PKIXRevocationChecker) validator.getRevocationChecker();
        // Only the configured lists: no OCSP, no fetching from distribution points.
        revocation.setOptions(
            EnumSet.of(
                PKIXRevocationChecker.Option.PREFER_CRLS,
                PKIXRevocationChecker.Option.NO_FALLBACK));
        params.addCertPathChecker(revocation);
        params.addCertStore(
            CertStore.getInstance("Collection", new CollectionCertStoreParameters(lists.crls())));
      }
      validator.validate(cf.generateCertPath(path), params);
    } catch (CertPathValidatorException e) {
      throw new CertificateException(
          "path validation failed: "
              + e.getReason()
              + (e.getMessage() == null ? "" : " (" + Strings.printable(e.getMessage()) + ")"),
          e);
    } catch (GeneralSecurityException e) {
      throw new CertificateException("path validation could not run: " + e.getMessage(), e);
    }
    Instant until = leaf.getNotAfter().toInstant();
    for (X509Certificate c : path) {
      if (c.getNotAfter().toInstant().isBefore(until)) {
        until = c.getNotAfter().toInstant();
      }
    }
    if (verified.size() >= MAX_CACHED) {
      verified.clear();
    }
    verified.put(thumbprint, new Verified(lists.generation(), until));
  }

  /**
   * The principal {@code certificate} (already {@linkplain #verify verified}) names.
   *
   * @throws AuthenticationException if no configured client matches it
   */
  public Principal principal(X509Certificate certificate) throws AuthenticationException {
    ClientName name;
    try {
      name = ClientName.of(certificate);
    } catch (CertificateException e) {
      throw new AuthenticationException("client certificate name unusable: " + e.getMessage());
    }
    Entry e = match(name);
    if (e == null) {
      throw new AuthenticationException(
          "client certificate " + name.display() + " matches no configured client");
    }
    Principal t = e.template();
    return new Principal(
        name.principalId(),
        name.display(),
        t.roles(),
        t.tenant(),
        t.models(),
        t.namespaces(),
        t.actions());
  }

  private @Nullable Entry match(ClientName name) {
    String spiffe = name.spiffeId();
    if (spiffe == null) {
      return subjects.get(name.subject());
    }
    Entry exact = exactSpiffe.get(spiffe);
    if (exact != null) {
      return exact;
    }
    for (Map.Entry<String, Entry> p : spiffePrefixes) {
      if (spiffe.startsWith(p.getKey()) && spiffe.length() > p.getKey().length()) {
        return p.getValue();
      }
    }
    return null;
  }

  /**
   * A trust manager for the server side of a TLS handshake that runs {@link #verify}; it refuses to
   * check servers.
   */
  public X509ExtendedTrustManager trustManager() {
    return new TrustManager();
  }

  /** The RFC 8705 {@code x5t#S256} thumbprint: base64url SHA-256 of the DER certificate. */
  public static String thumbprint(X509Certificate certificate) throws CertificateException {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(Digests.sha256(certificate.getEncoded()));
  }

  private static String describe(X509Certificate c) {
    try {
      return ClientName.of(c).display();
    } catch (CertificateException e) {
      return Strings.printable(c.getSubjectX500Principal().getName());
    }
  }

  private boolean isAnchor(X509Certificate c) {
    for (X509Certificate a : acceptedIssuers) {
      if (a.equals(c)) {
        return true;
      }
    }
    return false;
  }

  private static void checkLeaf(X509Certificate leaf) throws CertificateException {
    if (leaf.getBasicConstraints() >= 0) {
      throw new CertificateException("a CA certificate cannot be a client certificate");
    }
    boolean[] usage = leaf.getKeyUsage();
    if (usage != null && (usage.length == 0 || !usage[0])) {
      throw new CertificateException("key usage lacks digitalSignature");
    }
    List<String> eku = leaf.getExtendedKeyUsage();
    if (eku == null || !eku.contains(CLIENT_AUTH)) {
      throw new CertificateException("extended key usage lacks id-kp-clientAuth");
    }
  }

  private static String normalizeSpiffe(String id) {
    int slash = id.indexOf('/', "spiffe://".length());
    return slash < 0
        ? id.toLowerCase(java.util.Locale.ROOT)
        : id.substring(0, slash).toLowerCase(java.util.Locale.ROOT) + id.substring(slash);
  }

  private static Principal template(ClientCertificateConfig.Client c) {
    Set<PolicyAction> actions = EnumSet.noneOf(PolicyAction.class);
    for (String a : c.actions()) {
      actions.add(
          PolicyAction.fromWireName(a)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "client_certificates: unknown action '" + Strings.printable(a) + "'")));
    }
    return new Principal(
        "cert:template", "template", c.roles(), c.tenant(), c.models(), c.namespaces(), actions);
  }

  private final class TrustManager extends X509ExtendedTrustManager {
    private void check(X509Certificate[] chain) throws CertificateException {
      try {
        verify(List.of(chain));
      } catch (CertificateException e) {
        // The client only sees a failed handshake; operators need the reason.
        log.info(
            "client certificate refused in the TLS handshake ({}): {}",
            chain.length == 0 ? "none" : describe(chain[0]),
            Strings.printable(String.valueOf(e.getMessage())));
        throw e;
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("this trust manager checks clients only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("this trust manager checks clients only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("this trust manager checks clients only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return acceptedIssuers.clone();
    }
  }
}
