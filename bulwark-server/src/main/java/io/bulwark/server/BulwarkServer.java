package io.bulwark.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.TlsKeyPair;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.bulwark.audit.AuditEventType;
import io.bulwark.audit.AuditLog;
import io.bulwark.audit.AuditLogConfig;
import io.bulwark.audit.AuditOutcome;
import io.bulwark.audit.AuditStream;
import io.bulwark.audit.SiemSinks;
import io.bulwark.core.BulwarkConfig;
import io.bulwark.core.ClientCertificateConfig;
import io.bulwark.core.Digests;
import io.bulwark.core.InferenceConfig;
import io.bulwark.core.InsecureSecretAccess;
import io.bulwark.core.KekConfig;
import io.bulwark.core.NamespaceTrust;
import io.bulwark.core.SecretBytes;
import io.bulwark.core.SecureFiles;
import io.bulwark.core.SiemConfig;
import io.bulwark.core.SignerTrust;
import io.bulwark.core.SigningPolicyConfig;
import io.bulwark.crypto.ArtifactSealers;
import io.bulwark.crypto.AwsKmsSettings;
import io.bulwark.crypto.KeyEncryptionKeys;
import io.bulwark.crypto.Pkcs11Settings;
import io.bulwark.crypto.TlsMaterial;
import io.bulwark.crypto.spi.KeyEncryptionKey;
import io.bulwark.demo.DemoModel;
import io.bulwark.inference.Batching;
import io.bulwark.inference.InferenceEngine;
import io.bulwark.inference.InferenceEngines;
import io.bulwark.inference.InferenceSettings;
import io.bulwark.inference.ModelSettings;
import io.bulwark.inference.OnnxOptions;
import io.bulwark.registry.ModelCard;
import io.bulwark.registry.ModelRegistry;
import io.bulwark.registry.ModelVersion;
import io.bulwark.registry.PushRequest;
import io.bulwark.registry.VersionState;
import io.bulwark.scanning.ArtifactScanner;
import io.bulwark.scanning.ScanLimits;
import io.bulwark.security.ApiKeyInfo;
import io.bulwark.security.ApiKeys;
import io.bulwark.security.AuthenticationException;
import io.bulwark.security.Authorizer;
import io.bulwark.security.IssuedApiKey;
import io.bulwark.security.NewApiKey;
import io.bulwark.security.RateLimiter;
import io.bulwark.security.Role;
import io.bulwark.security.mtls.ClientCertificates;
import io.bulwark.security.people.Accounts;
import io.bulwark.security.people.PeopleConfig;
import io.bulwark.security.policy.Policies;
import io.bulwark.security.policy.PolicyEngine;
import io.bulwark.security.policy.PolicyStore;
import io.bulwark.security.tokens.TokenIssuer;
import io.bulwark.server.internal.AuditApi;
import io.bulwark.server.internal.Auditor;
import io.bulwark.server.internal.AuthenticationDecorator;
import io.bulwark.server.internal.Blocking;
import io.bulwark.server.internal.DemoSigner;
import io.bulwark.server.internal.ErrorMapping;
import io.bulwark.server.internal.ExternalTokens;
import io.bulwark.server.internal.InferenceApi;
import io.bulwark.server.internal.Json;
import io.bulwark.server.internal.KekSecretSealer;
import io.bulwark.server.internal.KeyManagementApi;
import io.bulwark.server.internal.ManagementApi;
import io.bulwark.server.internal.ModelDirectory;
import io.bulwark.server.internal.ModelServing;
import io.bulwark.server.internal.MutualTls;
import io.bulwark.server.internal.PeopleApi;
import io.bulwark.server.internal.PolicyApi;
import io.bulwark.server.internal.PushAdmission;
import io.bulwark.server.internal.ReadBeforeRefusing;
import io.bulwark.server.internal.SignaturePolicy;
import io.bulwark.server.internal.TokenApi;
import io.bulwark.storage.Database;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Bulwark server: the one place where the object graph is built from a {@link BulwarkConfig}.
 *
 * <p>{@link #create} prepares the data directory on first use — a local CA and server certificate,
 * the key-encryption keyset, the database, and a bootstrap admin API key — and reuses all of it
 * afterwards. {@link #start} listens on HTTPS only (TLS 1.2 and 1.3). {@link #close} stops
 * accepting connections and lets in-flight requests finish.
 */
public final class BulwarkServer implements AutoCloseable {

  /** The engine's settings from the configuration's plain values (core knows no ONNX types). */
  static InferenceSettings inferenceSettings(InferenceConfig config) {
    Map<String, ModelSettings> perModel = new HashMap<>();
    config
        .models()
        .forEach(
            (name, model) ->
                perModel.put(
                    name,
                    new ModelSettings(
                        onnxOptions(model.session()),
                        model.batching()
                            ? new Batching(model.maxBatchSize(), model.maxQueueDelayMicros())
                            : null)));
    return new InferenceSettings(onnxOptions(config.onnx()), perModel);
  }

  private static OnnxOptions onnxOptions(InferenceConfig.Session session) {
    return new OnnxOptions(
        session.intraOpThreads(),
        session.interOpThreads(),
        OnnxOptions.GraphOptimization.valueOf(session.graphOptimization().name()),
        session.memoryArena());
  }

  private static final Logger log = LoggerFactory.getLogger(BulwarkServer.class);

  /** Where the first start stores the bootstrap admin key (mode 0600). */
  public static final String BOOTSTRAP_KEY_FILE = "bootstrap-admin.key";

  private static final String DEMO_KEY_NAME = "demo-consumer";

  private final BulwarkConfig config;
  private final TlsMaterial tls;
  private final Database database;
  private final ApiKeys apiKeys;
  private final InferenceApi inference;
  private final ModelRegistry registry;
  private final InferenceEngine engine;
  private final ModelServing serving;
  private final PushAdmission admission;
  private final ExecutorService executor;
  private final Server server;
  private final KeyEncryptionKey kek;
  private final TokenIssuer tokens;
  private final ExternalTokens externalTokens;
  private final @Nullable MutualTls mutualTls;
  private final @Nullable String bootstrapAdminKey;
  private final PolicyStore policies;
  private final ModelDirectory directory;
  private final Authorizer authorizer;
  private final ScheduledExecutorService maintenance;
  private final AuditLog auditLog;
  private final Auditor auditor;
  private final List<AuditStream> siemStreams;
  private final Accounts accounts;

  private BulwarkServer(BulwarkConfig config) throws IOException, GeneralSecurityException {
    this.config = config;
    Path data = SecureFiles.createPrivateDirectory(config.dataDirectory());
    Clock clock = Clock.systemUTC();
    this.tls =
        TlsMaterial.loadOrCreate(data.resolve("tls"), dnsNames(config), ipNames(config), clock);
    Path keys = SecureFiles.createPrivateDirectory(data.resolve("keys"));
    this.kek = keyEncryptionKey(config.kek(), keys);
    this.database = Database.open(data);
    // A log that fails its integrity check stops the start: serving unaudited is not an option.
    Path auditDir =
        config.auditDirectory() == null ? data.resolve("audit") : config.auditDirectory();
    this.auditLog = AuditLog.open(AuditLogConfig.of(auditDir));
    this.siemStreams = siemStreams(config.siem());
    this.auditor = new Auditor(auditLog, clock, siemStreams);
    log.info(
        "audit log at {} ({} entries); checkpoints verify with {}",
        auditDir,
        auditLog.size(),
        auditLog.verifierKey().encode());
    this.executor =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("bulwark-", 0).factory());
    this.apiKeys = ApiKeys.open(database, keys.resolve("api-key-hmac.key"), clock, executor);
    this.bootstrapAdminKey = bootstrapAdmin(data);
    this.tokens =
        TokenIssuer.open(
            keys.resolve("token-signing-keys.json"),
            "https://" + config.host() + ":" + config.port(),
            clock);
    this.externalTokens = ExternalTokens.load(config.oidcIssuers(), clock);
    this.mutualTls =
        config.clientCertificates().mode() == ClientCertificateConfig.Mode.OFF
            ? null
            : new MutualTls(ClientCertificates.load(config.clientCertificates(), clock));
    this.registry =
        ModelRegistry.open(
            database, data.resolve("blobs"), ArtifactSealers.tinkStreaming(kek), clock);
    this.engine = InferenceEngines.onnxRuntime(inferenceSettings(config.inference()));
    SignaturePolicy signatures = SignaturePolicy.load(config.signing());
    for (String ns : signatures.namespacesAllowingUnsigned()) {
      log.warn(
          "SECURITY WARNING: model namespace '{}' accepts UNSIGNED models (model_signing"
              + " allow_unsigned); every such version is recorded as unsigned",
          ns);
    }
    this.serving =
        new ModelServing(
            registry,
            engine,
            (name, version, sha256, pushedAt) ->
                signatures.verifyOnLoad(
                    name,
                    version,
                    registry.signature(name, version).orElse(null),
                    sha256,
                    pushedAt));
    serving.loadDeployed();
    PolicyEngine policyEngine = Policies.engine(Policies.defaults());
    this.policies = Policies.store(database, policyEngine);
    log.info("authorisation policy version {} in force", policies.current().version());
    this.directory = new ModelDirectory(registry, config.namespaceTenants());
    this.accounts =
        Accounts.open(
            database,
            PeopleConfig.defaults(),
            new KekSecretSealer(KeyEncryptionKeys.localKeyset(keys.resolve("people-kek.json"))),
            // Keys session-token hashes and CSRF tokens.
            SecretBytes.copyOf(
                SecureFiles.loadOrCreateSecret(keys.resolve("people-session.key"), 32)),
            clock);
    this.authorizer =
        new Authorizer(
            policyEngine,
            directory,
            (p, action, resource, decision) ->
                auditor.record(
                    ServiceRequestContext.currentOrNull(),
                    AuditEventType.AUTHORIZATION_DENIED,
                    AuditOutcome.DENIED,
                    p.id(),
                    resource.kind().entityType().toLowerCase(java.util.Locale.ROOT)
                        + ":"
                        + resource.id(),
                    Map.of(
                        "action",
                        action.wireName(),
                        "policy_version",
                        Long.toString(decision.policyVersion()),
                        "decided_by",
                        decision.allowed()
                            ? "credential scope"
                            : String.join(",", decision.determiningPolicyIds()))));
    this.maintenance =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("bulwark-maintenance").factory());
    // Another replica may change the policy in the shared database; pick that up within seconds.
    var unused = maintenance.scheduleWithFixedDelay(this::reloadPolicy, 5, 5, TimeUnit.SECONDS);
    this.admission =
        new PushAdmission(
            engine,
            ArtifactScanner.withDefaults(
                ScanLimits.defaults().withMaxFileBytes(config.limits().maxModelBytes())),
            new Json(config.limits()),
            signatures);
    this.inference =
        new InferenceApi(
            serving,
            new Json(config.limits()),
            config.limits(),
            new Blocking(executor),
            RateLimiter.systemClock(config.rateLimits()),
            authorizer,
            auditor);

    this.server = buildServer();
  }

  /** Builds a server from {@code config}, preparing its data directory; does not listen yet. */
  public static BulwarkServer create(BulwarkConfig config) {
    try {
      return new BulwarkServer(config);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot prepare " + config.dataDirectory() + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot prepare keys or certificates: " + e.getMessage(), e);
    }
  }

  private Server buildServer() {
    var limits = config.limits();
    Json json = new Json(limits);
    Blocking blocking = new Blocking(executor);
    ServerBuilder sb = Server.builder();
    sb.https(new InetSocketAddress(config.host(), config.port()))
        .tls(TlsKeyPair.of(tls.serverPrivateKey().toFile(), tls.serverCertificateChain().toFile()))
        .tlsCustomizer(
            ssl -> {
              ssl.protocols("TLSv1.3", "TLSv1.2");
              if (mutualTls != null) {
                mutualTls.configure(ssl);
              }
            })
        .maxRequestLength(limits.maxRequestBytes())
        .http1MaxHeaderSize(limits.maxHeaderBytes())
        .http2MaxHeaderListSize(limits.maxHeaderBytes())
        .requestTimeoutMillis(60_000)
        // Armeria disables graceful shutdown for a quiet period of 0; a short one still waits for
        // every request in flight (up to the timeout) but lets an idle server stop quickly.
        .gracefulShutdownTimeoutMillis(
            Math.min(200, config.gracefulShutdownMillis()), config.gracefulShutdownMillis())
        .errorHandler(new ErrorMapping(json))
        // ErrorMapping logs what operators need; Armeria's periodic report of "unlogged"
        // exceptions would put client-chosen text (and stack traces) in the log for 4xx answers.
        .unloggedExceptionsReportInterval(Duration.ZERO)
        .decorator(
            new AuthenticationDecorator(
                apiKeys, tokens, externalTokens, auditor, accounts, mutualTls))
        // Outermost, so that it also sees the authentication failures.
        .decorator(new ReadBeforeRefusing());
    inference.register(sb);
    new ManagementApi(
            registry,
            serving,
            apiKeys,
            admission,
            json,
            limits,
            blocking,
            authorizer,
            directory,
            auditor)
        .register(sb);
    new KeyManagementApi(kek, registry, json, blocking, authorizer, auditor).register(sb);
    new PolicyApi(policies, authorizer, json, blocking, auditor).register(sb);
    new AuditApi(auditLog, authorizer, json, blocking).register(sb);
    new PeopleApi(accounts, authorizer, auditor, json, blocking, Clock.systemUTC()).register(sb);
    new TokenApi(tokens, json, blocking, auditor).register(sb);
    return sb.build();
  }

  /** Starts listening; returns once the port is bound. */
  public void start() {
    auditor.record(
        null,
        AuditEventType.SERVER_START,
        AuditOutcome.SUCCESS,
        "system",
        "-",
        Map.of("policy_version", Long.toString(policies.current().version())));
    server.start().join();
    log.info("Bulwark listening on https://{}:{}", config.host(), port());
  }

  /** The bound HTTPS port (after {@link #start}). */
  public int port() {
    return server.activeLocalPort();
  }

  /** The CA certificate clients should trust ({@code DATA/tls/ca.pem}). */
  public Path caCertificate() {
    return tls.caCertificate();
  }

  /**
   * The bootstrap admin key, present only when this start created it (the very first start, or a
   * start that found no usable admin key).
   */
  public Optional<String> bootstrapAdminKey() {
    return Optional.ofNullable(bootstrapAdminKey);
  }

  /**
   * Runs one inference in this process as {@code POST /v2/models/{model}/infer} does once the
   * request has arrived: the API key is authenticated, then the call is authorised, rate-limited,
   * decoded and validated, run, encoded and recorded durably in the audit log before the body is
   * returned. No transport, TLS or HTTP: this is how the security pipeline is measured on its own.
   *
   * @throws AuthenticationException if the key is not a valid, current API key
   * @throws io.bulwark.core.BulwarkException as the route would answer with an error status
   */
  public byte[] inferInProcess(
      String apiKey, String model, byte[] body, @Nullable String inferenceHeaderLength)
      throws AuthenticationException {
    return inference
        .infer(null, apiKeys.authenticate(apiKey), model, null, body, inferenceHeaderLength)
        .body();
  }

  /** Whether every deployed model is loaded. */
  public boolean ready() {
    return serving.ready();
  }

  /**
   * Returns {@code config} with the demo signer (created in the data directory on first use)
   * trusted for the demo model only, in addition to whatever the configuration trusts for it. Used
   * by {@code serve --demo}: the demo signer's private key sits beside the data, so it must not
   * vouch for any other model.
   */
  public static BulwarkConfig withDemoSigner(BulwarkConfig config) {
    try {
      Path data = SecureFiles.createPrivateDirectory(config.dataDirectory());
      Path keys = SecureFiles.createPrivateDirectory(data.resolve("keys"));
      DemoSigner.loadOrCreate(keys);
      NamespaceTrust existing = config.signing().forModel(DemoModel.name());
      List<SignerTrust> signers = new ArrayList<>(existing.signers());
      signers.add(new SignerTrust.PublicKey(keys.resolve(DemoSigner.PUBLIC_FILE)));
      Map<String, NamespaceTrust> models = new HashMap<>(config.signing().models());
      models.put(DemoModel.name(), new NamespaceTrust(existing.allowUnsigned(), signers));
      return config.toBuilder()
          .signing(new SigningPolicyConfig(config.signing().namespaces(), models))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the demo signer: " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot prepare the demo signer: " + e.getMessage(), e);
    }
  }

  /**
   * Publishes and deploys the demo model (once), and issues a fresh consumer key granted only that
   * model, revoking earlier demo keys.
   */
  public DemoDeployment deployDemo() {
    String name = DemoModel.name();
    String version = DemoModel.version();
    if (registry.findVersion(name, version).isEmpty()) {
      byte[] model = DemoModel.onnxBytes();
      try {
        byte[] signature = null;
        Path keys = config.dataDirectory().resolve("keys");
        if (Files.exists(keys.resolve(DemoSigner.PUBLIC_FILE))) {
          String sha256 = Digests.sha256Hex(model);
          signature = DemoSigner.loadOrCreate(keys).sign(name + ".onnx", sha256);
        }
        ModelVersion pushed =
            registry.push(
                new PushRequest(
                    name,
                    version,
                    "onnx",
                    "system:demo",
                    config.limits().maxModelBytes(),
                    DEMO_CARD,
                    signature == null ? new byte[0] : signature),
                new ByteArrayInputStream(model),
                admission.forVersion(name, version, signature));
        demoEvent(
            AuditEventType.MODEL_PUSH,
            "system:demo",
            "model:" + name + "/" + version,
            Map.of(
                "sha256",
                pushed.sha256(),
                "scan_verdict",
                pushed.scanVerdict(),
                "signer",
                String.valueOf(pushed.signer())));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot sign the demo model: " + e.getMessage(), e);
      }
    }
    if (registry.version(name, version).state() == VersionState.DRAFT) {
      // The demo stands in for two people: a publisher and a different approver.
      registry.approve(name, version, "system:demo-approver", "demo model built by Bulwark");
      demoEvent(
          AuditEventType.APPROVE,
          "system:demo-approver",
          "model:" + name + "/" + version,
          Map.of());
    }
    if (registry.deployment(name).filter(d -> d.version().equals(version)).isEmpty()) {
      serving.deploy(name, version, "system:demo");
      demoEvent(AuditEventType.DEPLOY, "system:demo", "model:" + name + "/" + version, Map.of());
    }
    for (ApiKeyInfo k : apiKeys.list()) {
      if (k.name().equals(DEMO_KEY_NAME) && k.revokedAt() == null) {
        apiKeys.revoke(k.id(), "system:demo");
      }
    }
    IssuedApiKey key =
        apiKeys.create(
            NewApiKey.of(DEMO_KEY_NAME, Role.CONSUMER, Set.of(name), null), "system:demo");
    demoEvent(
        AuditEventType.PRINCIPAL_CHANGE,
        "system:demo",
        "key:" + key.info().id(),
        Map.of("roles", "consumer", "models", name));
    return new DemoDeployment(
        name, version, demoRequestJson(), ApiKeys.reveal(key, InsecureSecretAccess.get()));
  }

  /** The demo's lifecycle steps go through the registry directly; they are audited all the same. */
  private void demoEvent(
      AuditEventType type, String actor, String resource, Map<String, String> parameters) {
    auditor.record(null, type, AuditOutcome.SUCCESS, actor, resource, parameters);
  }

  private static final ModelCard DEMO_CARD =
      new ModelCard(
          "Bulwark demo",
          "Logistic regression over four synthetic applicant features, classifying credit risk"
              + " as low, medium or high.",
          "Trying Bulwark out: calling a signed, scanned and encrypted model over HTTPS.",
          "Trained on synthetic data generated at build time; says nothing about real people.",
          List.of("synthetic data generated by the Bulwark build"),
          "Apache-2.0",
          "low",
          "public",
          null);

  /** A request body for the demo model: the sample row the model file ships with. */
  private String demoRequestJson() {
    Json json = new Json(config.limits());
    ObjectNode input =
        json.object().put("name", DemoModel.inputName()).put("datatype", DemoModel.inputDatatype());
    ArrayNode shape = input.putArray("shape");
    for (long d : DemoModel.sampleShape()) {
      shape.add(d);
    }
    ArrayNode data = input.putArray("data");
    for (float f : DemoModel.sampleInput()) {
      data.add(f);
    }
    ObjectNode request = json.object();
    request.putArray("inputs").add(input);
    return json.write(request);
  }

  /** One bounded stream per configured SIEM sink; drops are counted and reported in the stream. */
  private static List<AuditStream> siemStreams(SiemConfig siem)
      throws IOException, GeneralSecurityException {
    List<AuditStream> streams = new ArrayList<>();
    if (siem.file() != null) {
      streams.add(
          AuditStream.start(
              SiemSinks.jsonLines(siem.file()), siem.bufferEvents(), Duration.ofSeconds(10)));
    }
    if (siem.syslogHost() != null) {
      streams.add(
          AuditStream.start(
              SiemSinks.syslogTls(siem.syslogHost(), siem.syslogPort(), syslogTls(siem.syslogCa())),
              siem.bufferEvents(),
              Duration.ofSeconds(10)));
    }
    return streams;
  }

  private static javax.net.ssl.SSLContext syslogTls(@Nullable Path caFile)
      throws IOException, GeneralSecurityException {
    javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
    if (caFile == null) {
      tls.init(null, null, null);
      return tls;
    }
    java.security.KeyStore anchors = java.security.KeyStore.getInstance("PKCS12");
    anchors.load(null, null);
    java.security.cert.CertificateFactory cf =
        java.security.cert.CertificateFactory.getInstance("X.509");
    int i = 0;
    try (var in = new java.io.ByteArrayInputStream(SecureFiles.readLimited(caFile, 1 << 20))) {
      for (var c : cf.generateCertificates(in)) {
        anchors.setCertificateEntry("ca-" + i++, c);
      }
    }
    if (i == 0) {
      throw new IOException(caFile + " holds no certificate");
    }
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(anchors);
    tls.init(null, tmf.getTrustManagers(), null);
    return tls;
  }

  private void reloadPolicy() {
    try {
      long before = policies.current().version();
      long now = policies.reload().version();
      if (now != before) {
        log.info("authorisation policy version {} loaded from the database", now);
      }
    } catch (RuntimeException e) {
      // The version in force stays; the next attempt follows in seconds.
      log.warn("could not check for a new policy version: {}", e.toString());
    }
  }

  @Override
  public void close() {
    maintenance.shutdownNow();
    try {
      server.stop().join();
    } finally {
      executor.close();
      serving.close();
      engine.close();
      try {
        auditor.record(
            null, AuditEventType.SERVER_STOP, AuditOutcome.SUCCESS, "system", "-", Map.of());
      } catch (RuntimeException e) {
        log.warn("could not record the stop in the audit log: {}", e.getMessage());
      }
      auditLog.close();
      siemStreams.forEach(AuditStream::close);
      database.close();
    }
  }

  private static KeyEncryptionKey keyEncryptionKey(KekConfig kek, Path keys)
      throws IOException, GeneralSecurityException {
    return switch (kek) {
      case KekConfig.LocalKeyset local -> KeyEncryptionKeys.localKeyset(keys.resolve("kek.json"));
      case KekConfig.Pkcs11 hsm -> {
        if (SecureFiles.isExposed(hsm.pinFile())) {
          throw new IOException(
              hsm.pinFile() + " is readable or writable by other users; chmod 600 it and restart");
        }
        byte[] raw = Files.readAllBytes(hsm.pinFile());
        String pin = new String(raw, StandardCharsets.US_ASCII).strip();
        java.util.Arrays.fill(raw, (byte) 0);
        SecretBytes secret = SecretBytes.copyOf(pin.getBytes(StandardCharsets.US_ASCII));
        try {
          yield KeyEncryptionKeys.pkcs11(
              new Pkcs11Settings(hsm.library(), hsm.slot(), secret, hsm.keyLabel()));
        } finally {
          secret.destroy();
        }
      }
      case KekConfig.AwsKms kms ->
          KeyEncryptionKeys.awsKms(
              new AwsKmsSettings(kms.keyArn(), kms.credentialsFile(), kms.endpoint()));
    };
  }

  private @Nullable String bootstrapAdmin(Path data) throws IOException {
    if (apiKeys.hasUsableAdmin()) {
      return null;
    }
    IssuedApiKey admin =
        apiKeys.create(
            NewApiKey.of("bootstrap-admin", Role.ADMIN, Set.of(), null), "system:bootstrap");
    String key = ApiKeys.reveal(admin, InsecureSecretAccess.get());
    SecureFiles.writePrivate(
        data.resolve(BOOTSTRAP_KEY_FILE), (key + "\n").getBytes(StandardCharsets.US_ASCII), true);
    return key;
  }

  private static List<String> dnsNames(BulwarkConfig config) {
    List<String> names = new ArrayList<>(List.of("localhost"));
    if (!isIpLiteral(config.host()) && !names.contains(config.host())) {
      names.add(config.host());
    }
    return names;
  }

  private static List<String> ipNames(BulwarkConfig config) {
    List<String> ips = new ArrayList<>(List.of("127.0.0.1", "::1"));
    String h = config.host();
    if (isIpLiteral(h) && !ips.contains(h) && !h.equals("0.0.0.0") && !h.equals("::")) {
      ips.add(h);
    }
    return ips;
  }

  private static boolean isIpLiteral(String host) {
    return host.matches("[0-9.]+") || host.contains(":");
  }
}
