package io.bulwark.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The immutable configuration from which {@code BulwarkServer.create} builds everything.
 *
 * @param dataDirectory where keys, certificates, the database and sealed blobs live (mode 0700)
 * @param host the address to listen on; loopback by default
 * @param port the HTTPS port; 0 picks a free one (tests)
 * @param limits input limits
 * @param gracefulShutdownMillis how long in-flight requests may take to finish at shutdown
 * @param kek where the key-encryption key lives
 * @param signing which signatures each model namespace requires
 * @param rateLimits rate limits and quotas on inference calls
 * @param oidcIssuers external issuers whose access tokens are accepted
 * @param auditDirectory where the audit log lives; null for {@code DATA/audit}. Every server needs
 *     its own: two servers sharing one data directory must be given different audit directories
 * @param siem where audit events are streamed for a SIEM
 * @param namespaceTenants which tenant owns a model namespace; namespaces not listed belong to
 *     {@value #DEFAULT_TENANT}
 * @param clientCertificates mutual TLS: off by default
 * @param inference how models are run: ONNX Runtime options and batching, per model
 */
public record BulwarkConfig(
    Path dataDirectory,
    String host,
    int port,
    Limits limits,
    long gracefulShutdownMillis,
    KekConfig kek,
    SigningPolicyConfig signing,
    RateLimits rateLimits,
    List<OidcIssuerConfig> oidcIssuers,
    Map<String, String> namespaceTenants,
    @Nullable Path auditDirectory,
    ClientCertificateConfig clientCertificates,
    SiemConfig siem,
    InferenceConfig inference) {
  /** The tenant of everything not assigned to another. */
  public static final String DEFAULT_TENANT = "default";

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8443;
  public static final Path DEFAULT_DATA_DIRECTORY = Path.of("bulwark-data");
  public static final long DEFAULT_GRACEFUL_SHUTDOWN_MILLIS = 10_000;

  public BulwarkConfig {
    Objects.requireNonNull(dataDirectory, "dataDirectory");
    if (host.isBlank()) {
      throw new IllegalArgumentException("listen host must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("listen port must be 0-65535, was " + port);
    }
    Objects.requireNonNull(signing, "signing");
    Objects.requireNonNull(rateLimits, "rateLimits");
    Objects.requireNonNull(clientCertificates, "clientCertificates");
    Objects.requireNonNull(siem, "siem");
    Objects.requireNonNull(inference, "inference");
    oidcIssuers = List.copyOf(oidcIssuers);
    namespaceTenants = Map.copyOf(namespaceTenants);
    namespaceTenants.forEach(
        (ns, tenant) -> {
          if (!ModelNames.isValidNamespace(ns) || !tenant.matches("[a-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException(
                "tenants: '"
                    + Strings.printable(ns)
                    + "' -> '"
                    + Strings.printable(tenant)
                    + "' is not a namespace and a tenant of [a-z0-9._-]");
          }
        });
    if (gracefulShutdownMillis < 0) {
      throw new IllegalArgumentException("graceful shutdown must not be negative");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .dataDirectory(dataDirectory)
        .host(host)
        .port(port)
        .limits(limits)
        .gracefulShutdownMillis(gracefulShutdownMillis)
        .kek(kek)
        .signing(signing)
        .rateLimits(rateLimits)
        .oidcIssuers(oidcIssuers)
        .namespaceTenants(namespaceTenants)
        .auditDirectory(auditDirectory)
        .clientCertificates(clientCertificates)
        .siem(siem)
        .inference(inference);
  }

  /** Builds a {@link BulwarkConfig}; every field starts at its embedded default. */
  public static final class Builder {
    private Path dataDirectory = DEFAULT_DATA_DIRECTORY;
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private Limits limits = Limits.defaults();
    private long gracefulShutdownMillis = DEFAULT_GRACEFUL_SHUTDOWN_MILLIS;
    private KekConfig kek = new KekConfig.LocalKeyset();
    private SigningPolicyConfig signing = SigningPolicyConfig.requireSignatures();
    private RateLimits rateLimits = RateLimits.defaults();
    private List<OidcIssuerConfig> oidcIssuers = List.of();
    private Map<String, String> namespaceTenants = Map.of();
    private @Nullable Path auditDirectory;
    private ClientCertificateConfig clientCertificates = ClientCertificateConfig.off();
    private SiemConfig siem = SiemConfig.none();
    private InferenceConfig inference = InferenceConfig.defaults();

    private Builder() {}

    public Builder dataDirectory(Path v) {
      this.dataDirectory = v;
      return this;
    }

    public Builder host(String v) {
      this.host = v;
      return this;
    }

    public Builder port(int v) {
      this.port = v;
      return this;
    }

    public Builder limits(Limits v) {
      this.limits = v;
      return this;
    }

    public Builder gracefulShutdownMillis(long v) {
      this.gracefulShutdownMillis = v;
      return this;
    }

    public Builder kek(KekConfig v) {
      this.kek = v;
      return this;
    }

    public Builder signing(SigningPolicyConfig v) {
      this.signing = v;
      return this;
    }

    public Builder rateLimits(RateLimits v) {
      this.rateLimits = v;
      return this;
    }

    /** Where audit events are streamed for a SIEM. */
    public Builder siem(SiemConfig v) {
      this.siem = v;
      return this;
    }

    /** ONNX Runtime options and batching, per model. */
    public Builder inference(InferenceConfig v) {
      this.inference = v;
      return this;
    }

    /** Where the audit log lives; null for {@code DATA/audit}. */
    public Builder auditDirectory(@Nullable Path v) {
      this.auditDirectory = v;
      return this;
    }

    /** Which tenant owns each listed namespace. */
    public Builder namespaceTenants(Map<String, String> v) {
      this.namespaceTenants = v;
      return this;
    }

    public Builder oidcIssuers(List<OidcIssuerConfig> v) {
      this.oidcIssuers = v;
      return this;
    }

    /** Mutual TLS settings. */
    public Builder clientCertificates(ClientCertificateConfig v) {
      this.clientCertificates = v;
      return this;
    }

    public BulwarkConfig build() {
      return new BulwarkConfig(
          dataDirectory,
          host,
          port,
          limits,
          gracefulShutdownMillis,
          kek,
          signing,
          rateLimits,
          oidcIssuers,
          namespaceTenants,
          auditDirectory,
          clientCertificates,
          siem,
          inference);
    }
  }
}
