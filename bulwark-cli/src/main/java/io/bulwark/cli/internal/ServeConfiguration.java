package io.bulwark.cli.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.bulwark.core.BulwarkConfig;
import io.bulwark.core.ClientCertificateConfig;
import io.bulwark.core.InferenceConfig;
import io.bulwark.core.KekConfig;
import io.bulwark.core.Limits;
import io.bulwark.core.ModelNames;
import io.bulwark.core.NamespaceTrust;
import io.bulwark.core.OidcIssuerConfig;
import io.bulwark.core.RateLimits;
import io.bulwark.core.SignerTrust;
import io.bulwark.core.SigningPolicyConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Builds the server's {@link BulwarkConfig} from the embedded defaults, an optional JSON
 * configuration file, and command-line flags, in that order of increasing precedence.
 *
 * <p>The file is read as untrusted input: at most {@link #MAX_FILE_BYTES}, nesting at most {@link
 * #MAX_DEPTH}, no unknown fields, no duplicate keys, no strings or fractions where a number
 * belongs. A field that is absent or null keeps its default. Every rejection is a usage error (exit
 * 2) whose message names the field, for example {@code limits.max_model_bytes}.
 *
 * <pre>{@code
 * {"data_dir": "/var/lib/bulwark",
 *  "listen": {"host": "0.0.0.0", "port": 8443},
 *  "limits": {"max_request_bytes": 33554432, "max_model_bytes": 1073741824,
 *             "max_tensor_elements": 4194304, "max_json_depth": 32,
 *             "max_header_bytes": 16384, "max_concurrent_inferences": 64},
 *  "graceful_shutdown_ms": 10000,
 *  "inference": {"onnx": {"intra_op_threads": 0, "graph_optimization": "all"},
 *                "models": {"minilm": {"batching": {"max_batch_size": 8,
 *                                                   "max_queue_delay_us": 2000}}}}}
 * }</pre>
 *
 * <p>A relative {@code data_dir} is resolved against the directory of the configuration file, so
 * that the file means the same thing wherever the server is started from.
 */
final class ServeConfiguration {
  /** Largest configuration file read. */
  static final int MAX_FILE_BYTES = 64 * 1024;

  /** Deepest nesting in the configuration file; the format itself needs 2. */
  static final int MAX_DEPTH = 8;

  private static final JsonMapper MAPPER =
      Json.mapper(MAX_DEPTH)
          .rebuild()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .build();

  private ServeConfiguration() {}

  /** The command-line flags of {@code serve}; null where not given. */
  record Flags(
      @Nullable Path configFile,
      @Nullable Path dataDir,
      @Nullable String host,
      @Nullable Integer port) {}

  /** The configuration file's shape. Boxed types: absent fields keep their defaults. */
  record FileConfig(
      @Nullable String dataDir,
      @Nullable Listen listen,
      @Nullable FileLimits limits,
      @Nullable Long gracefulShutdownMs,
      @Nullable FileKek kek,
      @Nullable Map<String, FileNamespace> modelSigning,
      @Nullable FileRateLimits rateLimits,
      @Nullable List<FileOidcIssuer> oidcIssuers,
      @Nullable Map<String, List<String>> tenants,
      @Nullable String auditDir,
      @Nullable FileClientCertificates clientCertificates,
      @Nullable FileSiem siem,
      @Nullable FileInference inference) {}

  /**
   * {@code "inference"}: ONNX Runtime session options for every model ({@code onnx}), and per model
   * name the options that differ and optional dynamic batching ({@code models}).
   */
  record FileInference(@Nullable FileOnnx onnx, @Nullable Map<String, FileModelInference> models) {}

  record FileOnnx(
      @Nullable Long intraOpThreads,
      @Nullable Long interOpThreads,
      @Nullable String graphOptimization,
      @Nullable Boolean memoryArena) {}

  /** One model: session options that override {@code inference.onnx}, and batching. */
  record FileModelInference(
      @Nullable Long intraOpThreads,
      @Nullable Long interOpThreads,
      @Nullable String graphOptimization,
      @Nullable Boolean memoryArena,
      @Nullable FileBatching batching) {}

  /** {@code "batching"}: {@code max_batch_size} is required; the delay defaults to 0. */
  record FileBatching(@Nullable Long maxBatchSize, @Nullable Long maxQueueDelayUs) {}

  /** {@code "siem"}: where audit events are streamed besides the audit log. */
  record FileSiem(
      @Nullable String file,
      @Nullable String syslogHost,
      @Nullable Integer syslogPort,
      @Nullable String syslogCaFile,
      @Nullable Integer bufferEvents) {}

  /** {@code "client_certificates"}: mutual TLS. */
  record FileClientCertificates(
      @Nullable String mode,
      @Nullable String trustAnchors,
      @Nullable List<String> crlFiles,
      @Nullable List<FileCertificateClient> clients) {}

  /** One client certificate entry: exactly one of spiffe_id and subject. */
  record FileCertificateClient(
      @Nullable String spiffeId,
      @Nullable String subject,
      @Nullable List<String> roles,
      @Nullable String tenant,
      @Nullable List<String> models,
      @Nullable List<String> namespaces,
      @Nullable List<String> actions) {}

  /** One external OpenID Connect issuer. */
  record FileOidcIssuer(
      @Nullable String issuer,
      @Nullable String jwksFile,
      @Nullable List<String> audiences,
      @Nullable List<String> algorithms,
      @Nullable String typ,
      @Nullable String roleClaim,
      @Nullable Map<String, String> roleMapping,
      @Nullable String modelsClaim,
      @Nullable String tenant) {}

  /** {@code "rate_limits"}: 0 switches a limit off. */
  record FileRateLimits(
      @Nullable Double principalPerSecond,
      @Nullable Long principalBurst,
      @Nullable Long principalPerDay,
      @Nullable Double modelPerSecond,
      @Nullable Long modelBurst,
      @Nullable Long maxTracked) {}

  /**
   * {@code "model_signing": {"<namespace>" | "*": {"allow_unsigned": false, "signers": [...]}}}.
   */
  record FileNamespace(@Nullable Boolean allowUnsigned, @Nullable List<FileSigner> signers) {}

  /** Exactly one of the three forms. */
  record FileSigner(
      @Nullable String publicKey,
      @Nullable String caCertificates,
      @Nullable FileSigstore sigstore) {}

  record FileSigstore(
      @Nullable String trustedRoot, @Nullable String identity, @Nullable String issuer) {}

  /** {@code "kek": {"provider": "local" | "pkcs11" | "aws-kms", ...}}. */
  record FileKek(
      @Nullable String provider,
      @Nullable String library,
      @Nullable Long slot,
      @Nullable String pinFile,
      @Nullable String keyLabel,
      @Nullable String keyArn,
      @Nullable String credentialsFile,
      @Nullable String endpoint) {}

  record Listen(@Nullable String host, @Nullable Long port) {}

  record FileLimits(
      @Nullable Long maxRequestBytes,
      @Nullable Long maxModelBytes,
      @Nullable Long maxTensorElements,
      @Nullable Long maxJsonDepth,
      @Nullable Long maxHeaderBytes,
      @Nullable Long maxConcurrentInferences) {}

  /**
   * The configuration for these flags.
   *
   * @throws CliException exit 2 for an invalid file or value, exit 1 if the file cannot be read
   */
  static BulwarkConfig resolve(Flags flags) {
    BulwarkConfig.Builder builder = BulwarkConfig.builder();
    if (flags.configFile() != null) {
      apply(read(flags.configFile()), flags.configFile(), builder);
    }
    if (flags.dataDir() != null) {
      builder.dataDirectory(flags.dataDir());
    }
    if (flags.host() != null) {
      builder.host(checkHost(flags.host(), "--host"));
    }
    if (flags.port() != null) {
      builder.port((int) checkRange(flags.port(), 0, 65535, "--port"));
    }
    BulwarkConfig config;
    try {
      config = builder.build();
    } catch (IllegalArgumentException e) {
      // Our checks above should have caught it; this keeps a rule added to the core type from
      // turning into a stack trace. Core names limits "limits.max_x"; the file says max_x.
      throw CliException.usage(
          "invalid configuration: "
              + Terminal.safe(String.valueOf(e.getMessage())).replace('-', '_'));
    }
    return config.toBuilder()
        .dataDirectory(config.dataDirectory().toAbsolutePath().normalize())
        .build();
  }

  /** Parses the configuration file without applying it. */
  static FileConfig read(Path file) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (IOException e) {
      throw CliException.failure(
          "cannot read the configuration file " + file + ": " + Failures.describe(e), e);
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw CliException.usage(
          "the configuration file " + file + " is larger than " + MAX_FILE_BYTES + " bytes");
    }
    // Syntax first (duplicates, trailing content, depth), then the shape, so that each kind of
    // mistake gets the message that fits it.
    JsonNode tree;
    try {
      tree = MAPPER.readTree(bytes);
    } catch (JacksonException e) {
      throw CliException.usage(
          file
              + ": not valid JSON"
              + at(e.getLocation())
              + ": "
              + Terminal.safe(e.getOriginalMessage(), 200));
    } catch (IOException e) {
      throw CliException.failure("cannot read the configuration file " + file, e);
    }
    if (tree == null || !tree.isObject()) {
      throw CliException.usage(file + ": the configuration must be a JSON object");
    }
    try {
      return MAPPER.treeToValue(tree, FileConfig.class);
    } catch (UnrecognizedPropertyException e) {
      TreeSet<String> known = new TreeSet<>();
      for (Object id : e.getKnownPropertyIds()) {
        known.add(String.valueOf(id));
      }
      throw CliException.usage(
          file
              + ": unknown field '"
              + fieldPath(e)
              + "' (known here: "
              + String.join(", ", known)
              + ")");
    } catch (MismatchedInputException e) {
      throw CliException.usage(
          file + ": field '" + fieldPath(e) + "' must be " + expected(e.getTargetType()));
    } catch (JsonMappingException e) {
      throw CliException.usage(file + ": invalid value for field '" + fieldPath(e) + "'");
    } catch (JacksonException e) {
      // Numbers beyond the range of a long end up here, without a path.
      throw CliException.usage(
          file + ": invalid value: " + Terminal.safe(e.getOriginalMessage(), 200));
    }
  }

  private static void apply(FileConfig file, Path source, BulwarkConfig.Builder builder) {
    String where = source + ": ";
    if (file.siem() != null) {
      FileSiem f = file.siem();
      try {
        builder.siem(
            new io.bulwark.core.SiemConfig(
                f.file() == null ? null : relative(f.file(), source, where + "siem.file"),
                f.syslogHost(),
                f.syslogPort() == null ? 6514 : f.syslogPort(),
                f.syslogCaFile() == null
                    ? null
                    : relative(f.syslogCaFile(), source, where + "siem.syslog_ca_file"),
                f.bufferEvents() == null
                    ? io.bulwark.core.SiemConfig.DEFAULT_BUFFER_EVENTS
                    : f.bufferEvents()));
      } catch (IllegalArgumentException e) {
        throw CliException.usage(where + "siem: " + Terminal.safe(String.valueOf(e.getMessage())));
      }
    }
    if (file.auditDir() != null) {
      builder.auditDirectory(relative(file.auditDir(), source, where + "audit_dir"));
    }
    if (file.dataDir() != null) {
      builder.dataDirectory(relative(file.dataDir(), source, where + "data_dir"));
    }
    Listen listen = file.listen();
    if (listen != null) {
      if (listen.host() != null) {
        builder.host(checkHost(listen.host(), where + "listen.host"));
      }
      if (listen.port() != null) {
        builder.port((int) checkRange(listen.port(), 0, 65535, where + "listen.port"));
      }
    }
    FileLimits limits = file.limits();
    if (limits != null) {
      builder.limits(limits(limits, where));
    }
    if (file.gracefulShutdownMs() != null) {
      builder.gracefulShutdownMillis(
          checkRange(file.gracefulShutdownMs(), 0, Long.MAX_VALUE, where + "graceful_shutdown_ms"));
    }
    if (file.kek() != null) {
      builder.kek(kek(file.kek(), source, where));
    }
    if (file.modelSigning() != null) {
      builder.signing(signing(file.modelSigning(), source, where));
    }
    if (file.rateLimits() != null) {
      builder.rateLimits(rateLimits(file.rateLimits(), where));
    }
    if (file.tenants() != null) {
      builder.namespaceTenants(tenants(file.tenants(), where));
    }
    if (file.oidcIssuers() != null) {
      builder.oidcIssuers(oidcIssuers(file.oidcIssuers(), source, where));
    }
    if (file.clientCertificates() != null) {
      builder.clientCertificates(clientCertificates(file.clientCertificates(), source, where));
    }
    if (file.inference() != null) {
      builder.inference(inference(file.inference(), where));
    }
  }

  private static InferenceConfig inference(FileInference file, String where) {
    InferenceConfig.Session defaults = InferenceConfig.Session.defaults();
    FileOnnx onnx = file.onnx();
    if (onnx != null) {
      defaults =
          session(
              defaults,
              onnx.intraOpThreads(),
              onnx.interOpThreads(),
              onnx.graphOptimization(),
              onnx.memoryArena(),
              where + "inference.onnx.");
    }
    Map<String, InferenceConfig.Model> models = new HashMap<>();
    if (file.models() != null) {
      for (Map.Entry<String, FileModelInference> entry : file.models().entrySet()) {
        String name = entry.getKey();
        String at = where + "inference.models." + Terminal.safe(name, 128) + ".";
        if (!ModelNames.isValidName(name)) {
          throw CliException.usage(
              where
                  + "inference.models: '"
                  + Terminal.safe(name, 128)
                  + "' is not a valid model name");
        }
        FileModelInference m = entry.getValue();
        if (m == null) {
          throw CliException.usage(at.substring(0, at.length() - 1) + " must be an object");
        }
        InferenceConfig.Session session =
            session(
                defaults,
                m.intraOpThreads(),
                m.interOpThreads(),
                m.graphOptimization(),
                m.memoryArena(),
                at);
        FileBatching b = m.batching();
        if (b == null) {
          models.put(name, InferenceConfig.Model.unbatched(session));
          continue;
        }
        if (b.maxBatchSize() == null) {
          throw CliException.usage(at + "batching.max_batch_size is required");
        }
        int maxBatchSize =
            (int)
                checkRange(
                    b.maxBatchSize(),
                    InferenceConfig.MIN_BATCH_SIZE,
                    InferenceConfig.MAX_BATCH_SIZE,
                    at + "batching.max_batch_size");
        long delay =
            b.maxQueueDelayUs() == null
                ? 0
                : checkRange(
                    b.maxQueueDelayUs(),
                    0,
                    InferenceConfig.MAX_QUEUE_DELAY_MICROS,
                    at + "batching.max_queue_delay_us");
        models.put(name, new InferenceConfig.Model(session, maxBatchSize, delay));
      }
    }
    return new InferenceConfig(defaults, models);
  }

  private static InferenceConfig.Session session(
      InferenceConfig.Session base,
      @Nullable Long intraOpThreads,
      @Nullable Long interOpThreads,
      @Nullable String graphOptimization,
      @Nullable Boolean memoryArena,
      String at) {
    InferenceConfig.GraphOptimization level = base.graphOptimization();
    if (graphOptimization != null) {
      level =
          switch (graphOptimization) {
            case "none" -> InferenceConfig.GraphOptimization.NONE;
            case "basic" -> InferenceConfig.GraphOptimization.BASIC;
            case "extended" -> InferenceConfig.GraphOptimization.EXTENDED;
            case "all" -> InferenceConfig.GraphOptimization.ALL;
            default ->
                throw CliException.usage(
                    at
                        + "graph_optimization must be one of none, basic, extended, all; was '"
                        + Terminal.safe(graphOptimization, 32)
                        + "'");
          };
    }
    return new InferenceConfig.Session(
        intraOpThreads == null
            ? base.intraOpThreads()
            : (int)
                checkRange(intraOpThreads, 0, InferenceConfig.MAX_THREADS, at + "intra_op_threads"),
        interOpThreads == null
            ? base.interOpThreads()
            : (int)
                checkRange(interOpThreads, 0, InferenceConfig.MAX_THREADS, at + "inter_op_threads"),
        level,
        memoryArena == null ? base.memoryArena() : memoryArena);
  }

  private static ClientCertificateConfig clientCertificates(
      FileClientCertificates f, Path source, String where) {
    String at = where + "client_certificates";
    String modeName = f.mode() == null ? "off" : f.mode();
    ClientCertificateConfig.Mode mode = null;
    for (ClientCertificateConfig.Mode m : ClientCertificateConfig.Mode.values()) {
      if (m.wireName().equals(modeName)) {
        mode = m;
      }
    }
    if (mode == null) {
      throw CliException.usage(
          at
              + ".mode must be off, optional or required, was '"
              + Terminal.safe(modeName, 32)
              + "'");
    }
    List<String> crls = f.crlFiles() == null ? List.of() : f.crlFiles();
    List<FileCertificateClient> clients = f.clients() == null ? List.of() : f.clients();
    if (crls.size() > ClientCertificateConfig.MAX_CRL_FILES) {
      throw CliException.usage(
          at + ".crl_files lists more than " + ClientCertificateConfig.MAX_CRL_FILES);
    }
    if (clients.size() > ClientCertificateConfig.MAX_CLIENTS) {
      throw CliException.usage(
          at + ".clients lists more than " + ClientCertificateConfig.MAX_CLIENTS);
    }
    List<Path> crlPaths = new ArrayList<>();
    for (int i = 0; i < crls.size(); i++) {
      String c = crls.get(i);
      if (c == null) {
        throw CliException.usage(at + ".crl_files[" + i + "] must be a path");
      }
      crlPaths.add(relative(c, source, at + ".crl_files[" + i + "]"));
    }
    List<ClientCertificateConfig.Client> out = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      String c = at + ".clients[" + i + "]";
      FileCertificateClient e = clients.get(i);
      if (e == null || e.roles() == null) {
        throw CliException.usage(c + " needs spiffe_id or subject, and roles");
      }
      try {
        out.add(
            new ClientCertificateConfig.Client(
                e.spiffeId(),
                e.subject(),
                java.util.Set.copyOf(e.roles()),
                e.tenant() == null ? BulwarkConfig.DEFAULT_TENANT : e.tenant(),
                java.util.Set.copyOf(e.models() == null ? List.of() : e.models()),
                java.util.Set.copyOf(e.namespaces() == null ? List.of() : e.namespaces()),
                java.util.Set.copyOf(e.actions() == null ? List.of() : e.actions())));
      } catch (IllegalArgumentException | NullPointerException ex) {
        throw CliException.usage(c + ": " + Terminal.safe(String.valueOf(ex.getMessage())));
      }
    }
    try {
      return new ClientCertificateConfig(
          mode,
          f.trustAnchors() == null
              ? null
              : relative(f.trustAnchors(), source, at + ".trust_anchors"),
          crlPaths,
          out);
    } catch (IllegalArgumentException e) {
      throw CliException.usage(where + Terminal.safe(String.valueOf(e.getMessage())));
    }
  }

  /** Most namespaces a configuration may list, and signers per namespace. */
  static final int MAX_NAMESPACES = 256;

  static final int MAX_SIGNERS = 32;

  private static SigningPolicyConfig signing(
      Map<String, FileNamespace> namespaces, Path source, String where) {
    if (namespaces.size() > MAX_NAMESPACES) {
      throw CliException.usage(
          where + "model_signing lists more than " + MAX_NAMESPACES + " namespaces");
    }
    Map<String, NamespaceTrust> out = new HashMap<>();
    for (Map.Entry<String, FileNamespace> e : namespaces.entrySet()) {
      String ns = e.getKey();
      String at = where + "model_signing." + Terminal.safe(ns, 64);
      if (!ns.equals(SigningPolicyConfig.ANY_NAMESPACE) && !ModelNames.isValidNamespace(ns)) {
        throw CliException.usage(
            at + ": not a namespace (the part of a model name before its first '.', or '*')");
      }
      FileNamespace n = e.getValue();
      if (n == null) {
        throw CliException.usage(at + " must be an object");
      }
      List<FileSigner> signers = n.signers() == null ? List.of() : n.signers();
      if (signers.size() > MAX_SIGNERS) {
        throw CliException.usage(at + ".signers has more than " + MAX_SIGNERS + " entries");
      }
      List<SignerTrust> trust = new ArrayList<>();
      for (int i = 0; i < signers.size(); i++) {
        trust.add(signer(signers.get(i), source, at + ".signers[" + i + "]"));
      }
      boolean allowUnsigned = Boolean.TRUE.equals(n.allowUnsigned());
      if (!allowUnsigned && trust.isEmpty()) {
        throw CliException.usage(
            at + ": give signers, or set allow_unsigned to true (not recommended)");
      }
      out.put(ns, new NamespaceTrust(allowUnsigned, trust));
    }
    return new SigningPolicyConfig(out);
  }

  private static SignerTrust signer(@Nullable FileSigner s, Path source, String at) {
    if (s == null) {
      throw CliException.usage(at + " must be an object");
    }
    int forms =
        (s.publicKey() != null ? 1 : 0)
            + (s.caCertificates() != null ? 1 : 0)
            + (s.sigstore() != null ? 1 : 0);
    if (forms != 1) {
      throw CliException.usage(at + ": give exactly one of public_key, ca_certificates, sigstore");
    }
    if (s.publicKey() != null) {
      return new SignerTrust.PublicKey(relative(s.publicKey(), source, at + ".public_key"));
    }
    if (s.caCertificates() != null) {
      return new SignerTrust.CertificateAuthorities(
          relative(s.caCertificates(), source, at + ".ca_certificates"));
    }
    FileSigstore k = java.util.Objects.requireNonNull(s.sigstore());
    if (k.trustedRoot() == null || k.identity() == null || k.issuer() == null) {
      throw CliException.usage(at + ".sigstore needs trusted_root, identity and issuer");
    }
    if (k.identity().isBlank() || k.issuer().isBlank()) {
      throw CliException.usage(at + ".sigstore: identity and issuer must not be empty");
    }
    return new SignerTrust.Sigstore(
        relative(k.trustedRoot(), source, at + ".sigstore.trusted_root"), k.identity(), k.issuer());
  }

  private static Path relative(String file, Path source, String at) {
    if (file.isBlank()) {
      throw CliException.usage(at + " must not be empty");
    }
    Path path;
    try {
      path = Path.of(file);
    } catch (InvalidPathException e) {
      throw CliException.usage(at + " is not a valid path");
    }
    Path base = source.toAbsolutePath().getParent();
    return base == null ? path : base.resolve(path);
  }

  private static KekConfig kek(FileKek kek, Path source, String where) {
    String provider = kek.provider() == null ? "local" : kek.provider();
    boolean pkcs11Settings =
        kek.library() != null
            || kek.slot() != null
            || kek.pinFile() != null
            || kek.keyLabel() != null;
    boolean kmsSettings =
        kek.keyArn() != null || kek.credentialsFile() != null || kek.endpoint() != null;
    if (provider.equals("local")) {
      if (pkcs11Settings || kmsSettings) {
        throw CliException.usage(where + "kek: the local provider takes no other settings");
      }
      return new KekConfig.LocalKeyset();
    }
    if (provider.equals("aws-kms")) {
      if (pkcs11Settings) {
        throw CliException.usage(
            where + "kek: the aws-kms provider takes key_arn, credentials_file and endpoint");
      }
      return awsKms(kek, source, where);
    }
    if (!provider.equals("pkcs11")) {
      throw CliException.usage(
          where
              + "kek.provider must be local, pkcs11 or aws-kms, was '"
              + Terminal.safe(provider, 32)
              + "'");
    }
    if (kmsSettings) {
      throw CliException.usage(
          where + "kek: the pkcs11 provider takes library, slot, pin_file and key_label");
    }
    if (kek.library() == null || kek.pinFile() == null || kek.keyLabel() == null) {
      throw CliException.usage(
          where + "kek: the pkcs11 provider needs library, pin_file and key_label");
    }
    Path base = source.toAbsolutePath().getParent();
    Path pinFile;
    Path library;
    try {
      pinFile = Path.of(kek.pinFile());
      library = Path.of(kek.library());
    } catch (InvalidPathException e) {
      throw CliException.usage(where + "kek: library or pin_file is not a valid path");
    }
    if (!library.isAbsolute()) {
      throw CliException.usage(where + "kek.library must be an absolute path");
    }
    long slot =
        kek.slot() == null ? 0 : checkRange(kek.slot(), 0, Integer.MAX_VALUE, where + "kek.slot");
    return new KekConfig.Pkcs11(
        library, slot, base == null ? pinFile : base.resolve(pinFile), kek.keyLabel());
  }

  private static KekConfig awsKms(FileKek kek, Path source, String where) {
    String arn = kek.keyArn();
    if (arn == null || !arn.startsWith("arn:aws") || !arn.contains(":key/")) {
      throw CliException.usage(
          where + "kek.key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)");
    }
    Path credentials =
        kek.credentialsFile() == null
            ? null
            : relative(kek.credentialsFile(), source, where + "kek.credentials_file");
    java.net.URI endpoint = null;
    if (kek.endpoint() != null) {
      try {
        endpoint = new java.net.URI(kek.endpoint());
      } catch (java.net.URISyntaxException e) {
        throw CliException.usage(where + "kek.endpoint is not a valid URL");
      }
    }
    try {
      return new KekConfig.AwsKms(arn, credentials, endpoint);
    } catch (IllegalArgumentException e) {
      throw CliException.usage(where + "kek: " + Terminal.safe(String.valueOf(e.getMessage())));
    }
  }

  static final int MAX_TENANT_NAMESPACES = 10_000;

  /** {@code "tenants": {"acme": ["fraud", "credit"]}}: each namespace belongs to one tenant. */
  private static Map<String, String> tenants(Map<String, List<String>> tenants, String where) {
    Map<String, String> byNamespace = new java.util.HashMap<>();
    for (Map.Entry<String, List<String>> e : tenants.entrySet()) {
      String tenant = e.getKey();
      if (!tenant.matches("[a-z0-9._-]{1,64}")) {
        throw CliException.usage(
            where + "tenants: '" + Terminal.safe(tenant, 64) + "' is not 1-64 of [a-z0-9._-]");
      }
      if (e.getValue() == null) {
        throw CliException.usage(where + "tenants." + tenant + " must list namespaces");
      }
      for (String ns : e.getValue()) {
        if (ns == null || !io.bulwark.core.ModelNames.isValidNamespace(ns)) {
          throw CliException.usage(where + "tenants." + tenant + " lists an invalid namespace");
        }
        String before = byNamespace.put(ns, tenant);
        if (before != null && !before.equals(tenant)) {
          throw CliException.usage(
              where
                  + "tenants: namespace '"
                  + ns
                  + "' belongs to both "
                  + before
                  + " and "
                  + tenant);
        }
        if (byNamespace.size() > MAX_TENANT_NAMESPACES) {
          throw CliException.usage(
              where + "tenants lists more than " + MAX_TENANT_NAMESPACES + " namespaces");
        }
      }
    }
    return byNamespace;
  }

  static final int MAX_OIDC_ISSUERS = 16;

  private static List<OidcIssuerConfig> oidcIssuers(
      List<FileOidcIssuer> issuers, Path source, String where) {
    if (issuers.size() > MAX_OIDC_ISSUERS) {
      throw CliException.usage(where + "oidc_issuers lists more than " + MAX_OIDC_ISSUERS);
    }
    List<OidcIssuerConfig> out = new ArrayList<>();
    for (int i = 0; i < issuers.size(); i++) {
      String at = where + "oidc_issuers[" + i + "]";
      FileOidcIssuer f = issuers.get(i);
      if (f == null
          || f.issuer() == null
          || f.jwksFile() == null
          || f.audiences() == null
          || f.roleMapping() == null) {
        throw CliException.usage(at + " needs issuer, jwks_file, audiences and role_mapping");
      }
      try {
        out.add(
            new OidcIssuerConfig(
                f.issuer(),
                relative(f.jwksFile(), source, at + ".jwks_file"),
                java.util.Set.copyOf(f.audiences()),
                java.util.Set.copyOf(
                    f.algorithms() == null ? List.of("ES256", "RS256") : f.algorithms()),
                f.typ(),
                f.roleClaim() == null ? "roles" : f.roleClaim(),
                f.roleMapping(),
                f.modelsClaim() == null ? "bulwark_models" : f.modelsClaim(),
                f.tenant() == null ? "default" : f.tenant()));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw CliException.usage(at + ": " + Terminal.safe(String.valueOf(e.getMessage())));
      }
    }
    return out;
  }

  private static RateLimits rateLimits(FileRateLimits f, String where) {
    RateLimits d = RateLimits.defaults();
    return new RateLimits(
        rate(
            f.principalPerSecond(),
            d.principalPerSecond(),
            where + "rate_limits.principal_per_second"),
        f.principalBurst() == null
            ? d.principalBurst()
            : (int)
                checkRange(f.principalBurst(), 0, 1_000_000, where + "rate_limits.principal_burst"),
        f.principalPerDay() == null
            ? d.principalPerDay()
            : checkRange(
                f.principalPerDay(), 0, Long.MAX_VALUE, where + "rate_limits.principal_per_day"),
        rate(f.modelPerSecond(), d.modelPerSecond(), where + "rate_limits.model_per_second"),
        f.modelBurst() == null
            ? d.modelBurst()
            : (int) checkRange(f.modelBurst(), 0, 1_000_000, where + "rate_limits.model_burst"),
        f.maxTracked() == null
            ? d.maxTracked()
            : (int) checkRange(f.maxTracked(), 1, 10_000_000, where + "rate_limits.max_tracked"));
  }

  private static double rate(@Nullable Double value, double fallback, String field) {
    if (value == null) {
      return fallback;
    }
    if (!(value >= 0 && value <= 1_000_000)) {
      throw CliException.usage(field + " must be between 0 and 1000000");
    }
    return value;
  }

  private static Limits limits(FileLimits file, String where) {
    Limits limits = Limits.defaults();
    if (file.maxRequestBytes() != null) {
      limits =
          limits.withMaxRequestBytes(
              checkRange(
                  file.maxRequestBytes(), 1, Long.MAX_VALUE, where + "limits.max_request_bytes"));
    }
    if (file.maxModelBytes() != null) {
      limits =
          limits.withMaxModelBytes(
              checkRange(
                  file.maxModelBytes(), 1, Long.MAX_VALUE, where + "limits.max_model_bytes"));
    }
    if (file.maxTensorElements() != null) {
      limits =
          limits.withMaxTensorElements(
              checkRange(
                  file.maxTensorElements(),
                  1,
                  Long.MAX_VALUE,
                  where + "limits.max_tensor_elements"));
    }
    if (file.maxJsonDepth() != null) {
      limits =
          limits.withMaxJsonDepth(
              (int) checkRange(file.maxJsonDepth(), 1, 1000, where + "limits.max_json_depth"));
    }
    if (file.maxHeaderBytes() != null) {
      limits =
          limits.withMaxHeaderBytes(
              (int)
                  checkRange(
                      file.maxHeaderBytes(),
                      1,
                      Integer.MAX_VALUE,
                      where + "limits.max_header_bytes"));
    }
    if (file.maxConcurrentInferences() != null) {
      limits =
          limits.withMaxConcurrentInferences(
              (int)
                  checkRange(
                      file.maxConcurrentInferences(),
                      1,
                      Integer.MAX_VALUE,
                      where + "limits.max_concurrent_inferences"));
    }
    return limits;
  }

  private static long checkRange(long value, long min, long max, String field) {
    if (value < min || value > max) {
      String range =
          max == Long.MAX_VALUE
              ? (min == 0 ? "must not be negative" : "must be at least " + min)
              : "must be " + min + "-" + max;
      throw CliException.usage(field + " " + range + ", was " + value);
    }
    return value;
  }

  private static String checkHost(String host, String field) {
    if (host.isBlank() || host.length() > 253) {
      throw CliException.usage(field + " must be a host name or address");
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '/' || c == '@') {
        throw CliException.usage(
            field + " must be a host name or address, was '" + Terminal.safe(host, 253) + "'");
      }
    }
    return host;
  }

  private static String fieldPath(JsonMappingException e) {
    List<String> parts = new ArrayList<>();
    for (JsonMappingException.Reference ref : e.getPath()) {
      parts.add(ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]");
    }
    return Terminal.safe(String.join(".", parts).replace(".[", "["), 200);
  }

  private static String expected(@Nullable Class<?> type) {
    if (type == null) {
      return "of another type";
    }
    if (type == Long.class || type == Integer.class || type == long.class || type == int.class) {
      return "a whole number";
    }
    if (type == String.class) {
      return "a string";
    }
    return "a JSON object";
  }

  private static String at(@Nullable JsonLocation location) {
    if (location == null || location.getLineNr() < 0) {
      return "";
    }
    return String.format(
        Locale.ROOT, " (line %d, column %d)", location.getLineNr(), location.getColumnNr());
  }
}
