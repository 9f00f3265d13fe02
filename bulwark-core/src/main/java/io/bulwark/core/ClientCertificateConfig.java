package io.bulwark.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Mutual TLS on the server's HTTPS port: whether clients are asked for a certificate, which CAs
 * issue them, which revocation lists apply, and which principal each certificate names.
 *
 * @param mode whether the handshake asks for, or insists on, a client certificate
 * @param trustAnchors a PEM file of the CA certificates client certificates must chain to (not the
 *     server's own CA); required unless {@code mode} is {@link Mode#OFF}
 * @param crlFiles PEM or DER certificate revocation lists; when any is given, every CA that issues
 *     a client certificate must have a current one
 * @param clients the certificates that name a principal, matched by SPIFFE ID or subject
 */
public record ClientCertificateConfig(
    Mode mode, @Nullable Path trustAnchors, List<Path> crlFiles, List<Client> clients) {

  /** Most client entries and CRL files one configuration may list. */
  public static final int MAX_CLIENTS = 1024;

  public static final int MAX_CRL_FILES = 64;

  /** Longest SPIFFE ID (the SPIFFE specification's limit) and subject accepted. */
  public static final int MAX_NAME_CHARS = 2048;

  /** What the TLS handshake asks of a client. */
  public enum Mode {
    /** No certificate is requested; a certificate a client sends anyway is never seen. */
    OFF,
    /** A client may present a certificate; without one it authenticates as before. */
    OPTIONAL,
    /** The handshake fails unless the client presents a valid certificate. */
    REQUIRED;

    /** The configuration-file spelling: {@code off}, {@code optional} or {@code required}. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final Pattern SPIFFE =
      Pattern.compile(
          "spiffe://[a-z0-9._-]{1,255}(/[A-Za-z0-9._-]+)*(/\\*)?", Pattern.CASE_INSENSITIVE);

  private static final Pattern NAME = Pattern.compile("[a-z0-9._-]{1,64}");

  public ClientCertificateConfig {
    Objects.requireNonNull(mode, "mode");
    crlFiles = List.copyOf(crlFiles);
    clients = List.copyOf(clients);
    if (mode != Mode.OFF && trustAnchors == null) {
      throw new IllegalArgumentException(
          "client_certificates.trust_anchors is required unless mode is off");
    }
    if (crlFiles.size() > MAX_CRL_FILES) {
      throw new IllegalArgumentException(
          "client_certificates.crl_files lists more than " + MAX_CRL_FILES);
    }
    if (clients.size() > MAX_CLIENTS) {
      throw new IllegalArgumentException(
          "client_certificates.clients lists more than " + MAX_CLIENTS);
    }
  }

  /** Mutual TLS switched off: the embedded default. */
  public static ClientCertificateConfig off() {
    return new ClientCertificateConfig(Mode.OFF, null, List.of(), List.of());
  }

  /**
   * One client: a certificate naming {@code spiffeId} (exactly, or under a prefix ending in {@code
   * /*}) or, for certificates without a SPIFFE ID, exactly {@code subject}, and the principal it
   * authenticates as.
   *
   * @param spiffeId a SPIFFE ID, or a prefix ending in {@code /*} within one trust domain
   * @param subject an RFC 2253 distinguished name, compared in canonical form
   * @param roles role names (see {@link OidcIssuerConfig#ROLES})
   * @param tenant the principal's tenant
   * @param models models granted by name
   * @param namespaces model namespaces granted whole
   * @param actions the only policy actions allowed (wire names); empty for no limit
   */
  public record Client(
      @Nullable String spiffeId,
      @Nullable String subject,
      Set<String> roles,
      String tenant,
      Set<String> models,
      Set<String> namespaces,
      Set<String> actions) {
    public Client {
      roles = Set.copyOf(roles);
      models = Set.copyOf(models);
      namespaces = Set.copyOf(namespaces);
      actions = Set.copyOf(actions);
      if ((spiffeId == null) == (subject == null)) {
        throw new IllegalArgumentException("a client needs exactly one of spiffe_id and subject");
      }
      if (spiffeId != null
          && (spiffeId.length() > MAX_NAME_CHARS || !SPIFFE.matcher(spiffeId).matches())) {
        throw new IllegalArgumentException(
            "spiffe_id '"
                + Strings.printable(spiffeId)
                + "' is not spiffe://trust-domain/path (optionally ending in /*)");
      }
      if (subject != null && (subject.isBlank() || subject.length() > MAX_NAME_CHARS)) {
        throw new IllegalArgumentException("subject must be a distinguished name");
      }
      if (roles.isEmpty() || !OidcIssuerConfig.ROLES.containsAll(roles)) {
        throw new IllegalArgumentException(
            "a client needs roles among " + OidcIssuerConfig.ROLES.stream().sorted().toList());
      }
      if (!NAME.matcher(tenant).matches()) {
        throw new IllegalArgumentException("tenant must be 1-64 characters of [a-z0-9._-]");
      }
      for (String m : models) {
        if (!ModelNames.isValidName(m)) {
          throw new IllegalArgumentException("'" + Strings.printable(m) + "' is not a model name");
        }
      }
      for (String ns : namespaces) {
        if (!ModelNames.isValidNamespace(ns)) {
          throw new IllegalArgumentException("'" + Strings.printable(ns) + "' is not a namespace");
        }
      }
    }

    /** A SPIFFE-named client. */
    public static Client spiffe(String spiffeId, Set<String> roles, String tenant) {
      return new Client(spiffeId, null, roles, tenant, Set.of(), Set.of(), Set.of());
    }

    /** A subject-named client. */
    public static Client subject(String subject, Set<String> roles, String tenant) {
      return new Client(null, subject, roles, tenant, Set.of(), Set.of(), Set.of());
    }

    public Client withModels(Set<String> v) {
      return new Client(spiffeId, subject, roles, tenant, v, namespaces, actions);
    }

    public Client withNamespaces(Set<String> v) {
      return new Client(spiffeId, subject, roles, tenant, models, v, actions);
    }

    public Client withActions(Set<String> v) {
      return new Client(spiffeId, subject, roles, tenant, models, namespaces, v);
    }
  }
}
