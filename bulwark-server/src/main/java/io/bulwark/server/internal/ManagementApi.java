package io.bulwark.server.internal;

import static io.bulwark.audit.AuditEventType.APPROVE;
import static io.bulwark.audit.AuditEventType.DEPLOY;
import static io.bulwark.audit.AuditEventType.KEY_CHANGE;
import static io.bulwark.audit.AuditEventType.KEY_REVOCATION;
import static io.bulwark.audit.AuditEventType.PRINCIPAL_CHANGE;
import static io.bulwark.audit.AuditEventType.RETIRE;
import static io.bulwark.audit.AuditEventType.ROLLBACK;
import static io.bulwark.audit.AuditEventType.UNDEPLOY;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.bulwark.audit.AuditEventType;
import io.bulwark.audit.AuditOutcome;
import io.bulwark.core.InsecureSecretAccess;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.Limits;
import io.bulwark.core.ModelNames;
import io.bulwark.core.NotFoundException;
import io.bulwark.core.Strings;
import io.bulwark.core.UnavailableException;
import io.bulwark.registry.Deployment;
import io.bulwark.registry.ModelCard;
import io.bulwark.registry.ModelCards;
import io.bulwark.registry.ModelEvent;
import io.bulwark.registry.ModelRegistry;
import io.bulwark.registry.ModelSummary;
import io.bulwark.registry.ModelVersion;
import io.bulwark.registry.PushRequest;
import io.bulwark.security.ApiKeyInfo;
import io.bulwark.security.ApiKeys;
import io.bulwark.security.Authorizer;
import io.bulwark.security.IssuedApiKey;
import io.bulwark.security.NewApiKey;
import io.bulwark.security.Principal;
import io.bulwark.security.Role;
import io.bulwark.security.policy.PolicyAction;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The management API under {@code /api/v1}: models, versions, deployments and API keys. */
public final class ManagementApi {
  private static final String PREFIX = "/api/v1";

  private final ModelRegistry registry;
  private final ModelServing serving;
  private final ApiKeys apiKeys;
  private final PushAdmission admission;
  private final Json json;
  private final Limits limits;
  private final Blocking blocking;
  private final Authorizer authorizer;
  private final ModelDirectory directory;
  private final Auditor auditor;

  public ManagementApi(
      ModelRegistry registry,
      ModelServing serving,
      ApiKeys apiKeys,
      PushAdmission admission,
      Json json,
      Limits limits,
      Blocking blocking,
      Authorizer authorizer,
      ModelDirectory directory,
      Auditor auditor) {
    this.auditor = auditor;
    this.authorizer = authorizer;
    this.directory = directory;
    this.registry = registry;
    this.serving = serving;
    this.apiKeys = apiKeys;
    this.admission = admission;
    this.json = json;
    this.limits = limits;
    this.blocking = blocking;
  }

  /** Downloads decrypting at once; each holds its artifact in memory. */
  static final int MAX_CONCURRENT_DOWNLOADS = 2;

  private final java.util.concurrent.Semaphore downloads =
      new java.util.concurrent.Semaphore(MAX_CONCURRENT_DOWNLOADS);

  /** Events that change what serves a version. */
  private static final java.util.Set<String> SERVING_ACTIONS =
      java.util.Set.of("deploy", "promote", "rollback", "canary", "undeploy");

  public void register(ServerBuilder sb) {
    sb.route()
        .post(PREFIX + "/models/{name}/versions/{version}")
        // The model part itself is held to max_model_bytes by the registry; the request may be
        // larger by the card, the signature and the multipart framing.
        .maxRequestLength(saturatedAdd(limits.maxModelBytes(), PUSH_OVERHEAD_BYTES))
        .requestTimeoutMillis(0)
        .build(blocking.streaming(auditor.auditedStream(AuditEventType.MODEL_PUSH, this::push)));
    small(sb, HttpMethod.GET, "/models", this::listModels);
    small(sb, HttpMethod.GET, "/models/{name}", this::showModel);
    small(sb, HttpMethod.GET, "/models/{name}/versions/{version}", this::showVersion);
    small(
        sb,
        HttpMethod.GET,
        "/models/{name}/versions/{version}/artifact",
        audited(AuditEventType.MODEL_DOWNLOAD, this::download));
    small(sb, HttpMethod.PUT, "/models/{name}/deployment", audited(DEPLOY, this::deploy));
    small(sb, HttpMethod.DELETE, "/models/{name}/deployment", audited(UNDEPLOY, this::undeploy));
    small(
        sb,
        HttpMethod.POST,
        "/models/{name}/versions/{version}/approve",
        audited(APPROVE, versionTransition(PolicyAction.APPROVE, registry::approve)));
    small(
        sb,
        HttpMethod.POST,
        "/models/{name}/versions/{version}/retire",
        audited(RETIRE, versionTransition(PolicyAction.RETIRE, registry::retire)));
    small(sb, HttpMethod.POST, "/models/{name}/rollback", audited(ROLLBACK, this::rollback));
    small(sb, HttpMethod.POST, "/models/{name}/promote", audited(DEPLOY, this::promote));
    small(sb, HttpMethod.GET, "/models/{name}/events", this::events);
    small(sb, HttpMethod.POST, "/keys", audited(PRINCIPAL_CHANGE, this::createKey));
    small(sb, HttpMethod.GET, "/keys", this::listKeys);
    small(sb, HttpMethod.DELETE, "/keys/{id}", audited(KEY_REVOCATION, this::revokeKey));
    small(sb, HttpMethod.POST, "/keys/{id}/rotate", audited(KEY_CHANGE, this::rotateKey));
  }

  private Blocking.Handler audited(AuditEventType type, Blocking.Handler handler) {
    return auditor.audited(type, handler);
  }

  /** A route whose request body is a small JSON document (or empty), read whole. */
  private void small(ServerBuilder sb, HttpMethod method, String path, Blocking.Handler handler) {
    sb.route()
        .methods(method)
        .path(PREFIX + path)
        .maxRequestLength(Json.MAX_MANAGEMENT_BODY)
        .build(blocking.aggregated(handler));
  }

  /**
   * {@code POST /api/v1/models/{name}/versions/{version}}, {@code multipart/form-data} with the
   * parts {@code card} (the model card, JSON, required), {@code signature} (an OMS bundle, optional
   * where the namespace allows unsigned models), {@code format} (optional, also accepted as the
   * query parameter {@code format}; default {@code onnx}) and {@code model} (the artifact, last).
   * The artifact streams into the sealed store; nothing is stored unless every check passes.
   */
  private HttpResponse push(ServiceRequestContext ctx, com.linecorp.armeria.common.HttpRequest req)
      throws Exception {
    Principal p = Principals.of(ctx);
    String name = ModelNames.checkName(Principals.pathParam(ctx, "name"));
    String version = ModelNames.checkVersion(Principals.pathParam(ctx, "version"));
    authorizer.checkNamespace(p, PolicyAction.PUSH, ModelNames.namespace(name));
    String boundary = MultipartReader.boundary(req.headers().get(HttpHeaderNames.CONTENT_TYPE));
    ModelVersion v = null;
    try (InputStream body =
        req.toInputStream(o -> o instanceof HttpData d ? d : HttpData.empty())) {
      MultipartReader parts = new MultipartReader(body, boundary);
      ModelCard card = null;
      byte[] signature = null;
      String queryFormat = ctx.queryParam("format");
      String partFormat = null;
      MultipartReader.Part part;
      while (v == null && (part = parts.next()) != null) {
        switch (part.name()) {
          case "card" -> {
            if (card != null) {
              throw new InvalidRequestException("push has two 'card' parts");
            }
            card = ModelCards.parse(part.readAll(ModelCards.MAX_BYTES, "limits.max_card_bytes"));
          }
          case "signature" -> {
            if (signature != null) {
              throw new InvalidRequestException("push has two 'signature' parts");
            }
            signature =
                part.readAll(SignaturePolicy.MAX_BUNDLE_BYTES, "limits.max_signature_bytes");
          }
          case "format" -> {
            if (partFormat != null) {
              throw new InvalidRequestException("push has two 'format' parts");
            }
            partFormat =
                new String(
                        part.readAll(MAX_FORMAT_BYTES, "limits.max_format_bytes"),
                        java.nio.charset.StandardCharsets.UTF_8)
                    .strip();
          }
          case "model" -> {
            if (card == null) {
              throw new InvalidRequestException(
                  "push needs a 'card' part (the model card) before the 'model' part");
            }
            if (partFormat != null && queryFormat != null && !partFormat.equals(queryFormat)) {
              throw new InvalidRequestException(
                  "the 'format' part and the format query parameter disagree");
            }
            ArtifactFormat format =
                ArtifactFormat.parse(partFormat != null ? partFormat : queryFormat);
            Auditor.note(ctx, "format", format.wireName());
            v =
                registry.push(
                    new PushRequest(
                        name,
                        version,
                        format.wireName(),
                        actor(p),
                        limits.maxModelBytes(),
                        card,
                        signature == null ? new byte[0] : signature),
                    new LastPart(part.body(), parts),
                    admission.forVersion(name, version, format, signature));
            directory.pushed(name);
            Auditor.note(ctx, "sha256", v.sha256());
            Auditor.note(ctx, "size_bytes", Long.toString(v.sizeBytes()));
            Auditor.note(ctx, "scan_verdict", v.scanVerdict());
            Auditor.note(ctx, "signed", Boolean.toString(v.signed()));
            Auditor.note(ctx, "signer", v.signer());
            String resource = "model:" + name + "/" + version;
            auditor.record(
                ctx,
                AuditEventType.SCAN_VERDICT,
                AuditOutcome.SUCCESS,
                p.id(),
                resource,
                Map.of("verdict", v.scanVerdict(), "sha256", v.sha256()));
            auditor.record(
                ctx,
                AuditEventType.SIGNATURE_VERDICT,
                AuditOutcome.SUCCESS,
                p.id(),
                resource,
                Map.of(
                    "signed",
                    Boolean.toString(v.signed()),
                    "signer",
                    v.signer() == null ? "unsigned, admitted by allow_unsigned" : v.signer()));
          }
          default ->
              throw new InvalidRequestException(
                  "unknown part '"
                      + part.name()
                      + "': a push has the parts card, signature, format and model");
        }
      }
    }
    if (v == null) {
      throw new InvalidRequestException("push needs a 'model' part (the artifact)");
    }
    return json.response(HttpStatus.CREATED, versionJson(v, true));
  }

  /**
   * The model part's body, which must end the request: its end of stream is reported only after the
   * closing delimiter is seen, so trailing parts fail the push before anything is stored.
   */
  private static final class LastPart extends java.io.FilterInputStream {
    private final MultipartReader parts;
    private boolean checked;

    LastPart(InputStream body, MultipartReader parts) {
      super(body);
      this.parts = parts;
    }

    @Override
    public int read(byte[] b, int off, int len) throws java.io.IOException {
      int n = super.read(b, off, len);
      if (n < 0 && !checked) {
        checked = true;
        if (parts.next() != null) {
          throw new InvalidRequestException("the 'model' part must be the last part of a push");
        }
      }
      return n;
    }

    @Override
    public int read() throws java.io.IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }
  }

  /** The longest format name part read; the names are far shorter. */
  static final int MAX_FORMAT_BYTES = 64;

  /** Card, signature and multipart framing that may come with a model of the largest size. */
  static final long PUSH_OVERHEAD_BYTES =
      ModelCards.MAX_BYTES + SignaturePolicy.MAX_BUNDLE_BYTES + 64 * 1024;

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < a ? Long.MAX_VALUE : sum;
  }

  private HttpResponse listModels(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    ArrayNode models = json.object().arrayNode();
    for (ModelSummary m : registry.list()) {
      if (!authorizer.maySee(p, m.name())) {
        continue;
      }
      models
          .addObject()
          .put("name", m.name())
          .put("deployed_version", m.deployedVersion())
          .put("version_count", m.versionCount());
    }
    ObjectNode out = json.object();
    out.set("models", models);
    return json.response(HttpStatus.OK, out);
  }

  private HttpResponse showModel(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    String name = Principals.pathParam(ctx, "name");
    Principal p = Principals.of(ctx);
    boolean governs = checkRead(p, name);
    List<ModelVersion> versions = registry.versions(name);
    ObjectNode out = json.object().put("name", name);
    Optional<Deployment> deployment = registry.deployment(name);
    out.put("deployed_version", deployment.map(Deployment::version).orElse(null));
    if (governs) {
      out.set("canary", deployment.map(d -> canaryJson(d.canary())).orElse(null));
    }
    ArrayNode vs = out.putArray("versions");
    versions.forEach(v -> vs.add(versionJson(v, governs)));
    return json.response(HttpStatus.OK, out);
  }

  /**
   * One version; for those who may read the registry (read-model) with its chain of custody: who
   * signed it, the scan verdict, who approved it, and every lifecycle event and deployment of this
   * version.
   */
  private HttpResponse showVersion(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    String name = Principals.pathParam(ctx, "name");
    Principal p = Principals.of(ctx);
    String version = Principals.pathParam(ctx, "version");
    boolean governs = checkRead(p, name);
    ModelVersion v = registry.version(name, version);
    ObjectNode out = versionJson(v, governs);
    if (governs) {
      out.set("custody", custodyJson(v));
    }
    return json.response(HttpStatus.OK, out);
  }

  /**
   * {@code GET /api/v1/models/{name}/versions/{version}/artifact}: the artifact as it was pushed,
   * decrypted in memory and checked against the digest recorded at push, for those who may read the
   * registry (read-model). The digest goes along as {@code Repr-Digest} (RFC 9530) and {@code
   * X-Bulwark-Sha256}, so the client can check what it received. Retired versions are refused:
   * their data key is destroyed.
   */
  private HttpResponse download(ServiceRequestContext ctx, AggregatedHttpRequest req)
      throws java.io.IOException {
    Principal p = Principals.of(ctx);
    String name = ModelNames.checkName(Principals.pathParam(ctx, "name"));
    String version = ModelNames.checkVersion(Principals.pathParam(ctx, "version"));
    // The version's own labels decide: an older version may be classified more strictly.
    authorizer.checkVersion(p, PolicyAction.READ_MODEL, name, version);
    ModelVersion v = registry.version(name, version);
    // Each download holds its whole artifact in memory: a few at a time, the rest told to retry.
    if (!downloads.tryAcquire()) {
      throw new UnavailableException(
          "too many downloads at once (" + MAX_CONCURRENT_DOWNLOADS + "); retry later");
    }
    byte[] bytes;
    try {
      bytes = ModelServing.openArtifact(registry, name, version);
    } finally {
      downloads.release();
    }
    Auditor.note(ctx, "version", version);
    Auditor.note(ctx, "format", v.format());
    Auditor.note(ctx, "sha256", v.sha256());
    Auditor.note(ctx, "size_bytes", Long.toString(bytes.length));
    byte[] digest = java.util.HexFormat.of().parseHex(v.sha256());
    ResponseHeaders headers =
        ResponseHeaders.builder(HttpStatus.OK)
            .contentType(MediaType.OCTET_STREAM)
            .set(
                HttpHeaderNames.CONTENT_DISPOSITION,
                "attachment; filename=\"" + downloadName(v) + "\"")
            .set(
                "repr-digest",
                "sha-256=:" + java.util.Base64.getEncoder().encodeToString(digest) + ":")
            .set("x-bulwark-sha256", v.sha256())
            .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
            .set("x-content-type-options", "nosniff")
            .build();
    return HttpResponse.of(headers, HttpData.wrap(bytes));
  }

  /** A file name built only from the checked name, version and format, so it needs no quoting. */
  private static String downloadName(ModelVersion v) {
    return (v.name() + "-" + v.version() + ArtifactFormat.parse(v.format()).extension())
        .replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /**
   * Allows reading a model's registry entry: with read-model (the people who govern models: the
   * full entry, signer and custody included) or read-metadata (its users: the entry without who
   * signed it). Returns whether the principal governs.
   */
  private boolean checkRead(Principal p, String name) {
    if (authorizer.allows(p, PolicyAction.READ_MODEL, authorizer.model(name))) {
      return true;
    }
    authorizer.checkModel(p, PolicyAction.READ_METADATA, name);
    return false;
  }

  private ObjectNode custodyJson(ModelVersion v) {
    ObjectNode c = json.object();
    c.put("sha256", v.sha256());
    c.put("signed", v.signed());
    c.put("signer", v.signer());
    c.put("scan_verdict", v.scanVerdict());
    c.put("published_by", v.createdBy());
    c.put("published_at", v.createdAt().toString());
    ArrayNode approvals = c.putArray("approvals");
    if (v.approvedBy() != null) {
      approvals
          .addObject()
          .put("by", v.approvedBy())
          .put("at", v.approvedAt() == null ? null : v.approvedAt().toString());
    }
    // Every change to what serves this version: deploys, promotions and rollbacks to it, canaries
    // of it (started, rolled back), and its undeployment; from the event table, with the reasons.
    ArrayNode deployments = c.putArray("deployments");
    List<ModelEvent> history = registry.events(v.name());
    for (ModelEvent e : history) {
      if (v.version().equals(e.version()) && SERVING_ACTIONS.contains(e.action())) {
        deployments
            .addObject()
            .put("action", e.action())
            .put("at", e.time().toString())
            .put("by", e.actor())
            .put("reason", e.reason());
      }
    }
    Optional<Deployment> now = registry.deployment(v.name());
    c.put(
        "serving",
        now.map(
                d ->
                    d.version().equals(v.version())
                        ? "deployed"
                        : d.servesVersion(v.version()) ? "canary" : "no")
            .orElse("no"));
    ArrayNode events = c.putArray("events");
    for (ModelEvent e : history) {
      if (v.version().equals(e.version())) {
        events
            .addObject()
            .put("seq", e.seq())
            .put("time", e.time().toString())
            .put("action", e.action())
            .put("actor", e.actor())
            .put("reason", e.reason());
      }
    }
    return c;
  }

  private @Nullable ObjectNode canaryJson(Deployment.@Nullable Canary canary) {
    if (canary == null) {
      return null;
    }
    return json.object()
        .put("version", canary.version())
        .put("percent", canary.percent())
        .put("since", canary.since().toString())
        .put("started_by", canary.startedBy());
  }

  private ObjectNode deploymentJson(Deployment d) {
    ObjectNode o =
        json.object()
            .put("name", d.name())
            .put("version", d.version())
            .put("deployed_at", d.deployedAt().toString());
    o.set("canary", canaryJson(d.canary()));
    return o;
  }

  record DeployBody(
      @JsonProperty("version") @Nullable String version,
      @JsonProperty("canary_percent") @Nullable Integer canaryPercent,
      @JsonProperty("reason") @Nullable String reason) {}

  private HttpResponse deploy(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    String name = ModelNames.checkName(Principals.pathParam(ctx, "name"));
    authorizer.checkModel(p, PolicyAction.DEPLOY, name);
    DeployBody body = json.read(req.content().array(), DeployBody.class);
    String version = ModelNames.checkVersion(Json.required(body.version(), "version"));
    Auditor.note(ctx, "version", version);
    Auditor.note(ctx, "canary_percent", String.valueOf(body.canaryPercent()));
    authorizer.checkVersion(p, PolicyAction.DEPLOY, name, version);
    Integer percent = body.canaryPercent();
    Deployment d;
    if (percent == null) {
      d = serving.deploy(name, version, actor(p));
    } else {
      if (percent < 1 || percent > 99) {
        throw new InvalidRequestException("canary_percent must be 1-99");
      }
      d = serving.startCanary(name, version, percent, actor(p), checkReason(body.reason()));
    }
    return json.response(HttpStatus.OK, deploymentJson(d));
  }

  private HttpResponse promote(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    String name = ModelNames.checkName(Principals.pathParam(ctx, "name"));
    authorizer.checkModel(p, PolicyAction.DEPLOY, name);
    Deployment d = serving.promote(name, actor(p), reason(req));
    return json.response(HttpStatus.OK, deploymentJson(d));
  }

  /** An optional {@code {"reason": "..."}} body for lifecycle changes. */
  record ReasonBody(@JsonProperty("reason") @Nullable String reason) {}

  private @Nullable String reason(AggregatedHttpRequest req) {
    if (req.content().isEmpty()) {
      return null;
    }
    return checkReason(json.read(req.content().array(), ReasonBody.class).reason());
  }

  private static @Nullable String checkReason(@Nullable String reason) {
    if (reason != null && (reason.length() > 1024 || !Strings.printable(reason).equals(reason))) {
      throw new InvalidRequestException("reason must be at most 1024 printable characters");
    }
    return reason;
  }

  /** A lifecycle change of one version, with an optional reason. */
  @FunctionalInterface
  private interface VersionTransition {
    ModelVersion apply(String name, String version, String actor, @Nullable String reason)
        throws java.io.IOException;
  }

  private Blocking.Handler versionTransition(PolicyAction action, VersionTransition transition) {
    return (ctx, req) -> {
      Principal p = Principals.of(ctx);
      String name = ModelNames.checkName(Principals.pathParam(ctx, "name"));
      String version = ModelNames.checkVersion(Principals.pathParam(ctx, "version"));
      authorizer.checkVersion(p, action, name, version);
      ModelVersion v = transition.apply(name, version, actor(p), reason(req));
      return json.response(
          HttpStatus.OK,
          versionJson(v, authorizer.allows(p, PolicyAction.READ_MODEL, authorizer.model(name))));
    };
  }

  private HttpResponse rollback(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    String name = ModelNames.checkName(Principals.pathParam(ctx, "name"));
    authorizer.checkModel(p, PolicyAction.ROLLBACK, name);
    Deployment d = serving.rollback(name, actor(p), reason(req));
    return json.response(HttpStatus.OK, deploymentJson(d));
  }

  private HttpResponse events(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    String name = ModelNames.checkName(Principals.pathParam(ctx, "name"));
    authorizer.checkModel(Principals.of(ctx), PolicyAction.READ_MODEL, name);
    List<ModelEvent> events = registry.events(name);
    if (events.isEmpty()) {
      throw new NotFoundException("model", name);
    }
    ObjectNode out = json.object().put("name", name);
    ArrayNode arr = out.putArray("events");
    for (ModelEvent e : events) {
      arr.addObject()
          .put("seq", e.seq())
          .put("time", e.time().toString())
          .put("version", e.version())
          .put("action", e.action())
          .put("actor", e.actor())
          .put("reason", e.reason());
    }
    return json.response(HttpStatus.OK, out);
  }

  private HttpResponse undeploy(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    String name = ModelNames.checkName(Principals.pathParam(ctx, "name"));
    authorizer.checkModel(p, PolicyAction.UNDEPLOY, name);
    Deployment d = serving.undeploy(name, actor(p), reason(req));
    return json.response(
        HttpStatus.OK, json.object().put("name", d.name()).put("undeployed_version", d.version()));
  }

  record CreateKeyBody(
      @JsonProperty("name") @Nullable String name,
      @JsonProperty("role") @Nullable String role,
      @JsonProperty("roles") @Nullable List<String> roles,
      @JsonProperty("tenant") @Nullable String tenant,
      @JsonProperty("models") @Nullable List<String> models,
      @JsonProperty("namespaces") @Nullable List<String> namespaces,
      @JsonProperty("actions") @Nullable List<String> actions,
      @JsonProperty("expires_at") @Nullable String expiresAt) {}

  /**
   * {@code POST /api/v1/keys}: a key with {@code roles} (or one {@code role}), a {@code tenant}
   * (default: the creator's), {@code models} and {@code namespaces} granted, an optional limit to
   * some {@code actions}, and an optional expiry. Needs manage-principals in that tenant; and a
   * creator who is not an unlimited admin can only hand out roles it holds itself, never admin.
   */
  private HttpResponse createKey(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    authorizer.checkSystem(p, PolicyAction.MANAGE_PRINCIPALS);
    CreateKeyBody body = json.read(req.content().array(), CreateKeyBody.class);
    String keyName = Json.required(body.name(), "name");
    if (body.role() != null && body.roles() != null) {
      throw new InvalidRequestException("give either role or roles, not both");
    }
    List<String> roleNames =
        body.role() != null ? List.of(body.role()) : Json.required(body.roles(), "roles");
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : strings("roles", roleNames)) {
      roles.add(
          Role.fromWireName(name)
              .orElseThrow(
                  () ->
                      new InvalidRequestException(
                          "unknown role '"
                              + Strings.printable(name)
                              + "': use one of "
                              + Arrays.stream(Role.values()).map(Role::wireName).toList())));
    }
    Set<PolicyAction> actions = EnumSet.noneOf(PolicyAction.class);
    for (String name : strings("actions", body.actions())) {
      actions.add(
          PolicyAction.fromWireName(name)
              .orElseThrow(
                  () ->
                      new InvalidRequestException(
                          "unknown action '" + Strings.printable(name) + "'")));
    }
    String tenant = body.tenant() == null ? p.tenant() : body.tenant();
    p.checkMayGrant(wireNames(roles), actions, "a key");
    Instant expires = null;
    if (body.expiresAt() != null) {
      try {
        expires = Instant.parse(body.expiresAt());
      } catch (DateTimeParseException e) {
        throw new InvalidRequestException(
            "expires_at must be an ISO-8601 instant such as 2027-01-31T00:00:00Z");
      }
    }
    NewApiKey request =
        new NewApiKey(
            keyName,
            roles,
            tenant,
            Set.copyOf(strings("models", body.models())),
            Set.copyOf(strings("namespaces", body.namespaces())),
            actions,
            expires);
    if (!tenant.equals(p.tenant())) {
      authorizer.checkSystem(p, PolicyAction.MANAGE_PRINCIPALS, tenant);
    }
    IssuedApiKey issued = apiKeys.create(request, actor(p));
    ObjectNode out = keyJson(issued.info());
    out.put("key", ApiKeys.reveal(issued, InsecureSecretAccess.get()));
    return json.response(HttpStatus.CREATED, out);
  }

  /** A bounded list of strings from a request body, without nulls; empty when absent. */
  private static List<String> strings(String field, @Nullable List<String> values) {
    if (values == null) {
      return List.of();
    }
    if (values.size() > NewApiKey.MAX_GRANTS) {
      throw new InvalidRequestException(
          field + " may list at most " + NewApiKey.MAX_GRANTS + " entries");
    }
    if (values.stream().anyMatch(java.util.Objects::isNull)) {
      throw new InvalidRequestException(field + " must be a list of strings, without null");
    }
    return values;
  }

  private HttpResponse listKeys(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    authorizer.checkSystem(p, PolicyAction.MANAGE_PRINCIPALS);
    ObjectNode out = json.object();
    ArrayNode keys = out.putArray("keys");
    for (ApiKeyInfo k : apiKeys.list()) {
      if (p.isUnlimitedAdmin() || k.scope().tenant().equals(p.tenant())) {
        keys.add(keyJson(k));
      }
    }
    return json.response(HttpStatus.OK, out);
  }

  record RotateKeyBody(@JsonProperty("overlap_seconds") @Nullable Long overlapSeconds) {}

  /** A new key with the same grants; the old one keeps working for the overlap (default 1 day). */
  private HttpResponse rotateKey(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    String id = Principals.pathParam(ctx, "id");
    checkManages(p, id);
    // The replacement carries the old key's roles and limits, and its secret goes to the caller.
    ApiKeyInfo replaced = apiKeys.find(id).orElseThrow(() -> new NotFoundException("key", id));
    p.checkMayGrant(wireNames(replaced.roles()), replaced.scope().actions(), "a replacement key");
    Long seconds =
        req.content().isEmpty()
            ? null
            : json.read(req.content().array(), RotateKeyBody.class).overlapSeconds();
    java.time.Duration overlap =
        seconds == null ? java.time.Duration.ofDays(1) : java.time.Duration.ofSeconds(seconds);
    IssuedApiKey issued = apiKeys.rotate(id, overlap, actor(p));
    ObjectNode out = keyJson(issued.info());
    out.put("key", ApiKeys.reveal(issued, InsecureSecretAccess.get()));
    out.put("replaces", id);
    ApiKeyInfo old = apiKeys.find(id).orElseThrow();
    out.put(
        "replaced_key_expires_at",
        old.revokedAt() != null
            ? old.revokedAt().toString()
            : old.expiresAt() == null ? null : old.expiresAt().toString());
    return json.response(HttpStatus.CREATED, out);
  }

  private HttpResponse revokeKey(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    String id = Principals.pathParam(ctx, "id");
    checkManages(p, id);
    ApiKeyInfo k = apiKeys.revoke(id, actor(p));
    return json.response(
        HttpStatus.OK,
        json.object().put("id", k.id()).put("revoked_at", String.valueOf(k.revokedAt())));
  }

  /**
   * Allows managing the key {@code id}: manage-principals in the key's tenant (a key of another
   * tenant is "not found" to those who may not manage that tenant).
   */
  private static Set<String> wireNames(Set<Role> roles) {
    Set<String> names = new java.util.HashSet<>();
    roles.forEach(r -> names.add(r.wireName()));
    return names;
  }

  private void checkManages(Principal p, String id) {
    authorizer.checkInTenant(
        p,
        PolicyAction.MANAGE_PRINCIPALS,
        "key",
        id,
        () -> apiKeys.find(id).map(k -> k.scope().tenant()));
  }

  private ObjectNode keyJson(ApiKeyInfo k) {
    ObjectNode o = json.object().put("id", k.id()).put("name", k.name());
    // "role" stays for clients that read one role: the first in the fixed order of Role.
    o.put("role", k.roles().stream().sorted().findFirst().orElseThrow().wireName());
    ArrayNode roles = o.putArray("roles");
    k.roles().stream().sorted().forEach(r -> roles.add(r.wireName()));
    o.put("tenant", k.scope().tenant());
    ArrayNode models = o.putArray("models");
    k.scope().models().stream().sorted().forEach(models::add);
    ArrayNode namespaces = o.putArray("namespaces");
    k.scope().namespaces().stream().sorted().forEach(namespaces::add);
    ArrayNode actions = o.putArray("actions");
    k.actionNames().forEach(actions::add);
    o.put("created_at", k.createdAt().toString());
    o.put("created_by", k.createdBy());
    o.put("expires_at", k.expiresAt() == null ? null : k.expiresAt().toString());
    o.put("revoked_at", k.revokedAt() == null ? null : k.revokedAt().toString());
    o.put("last_used_at", k.lastUsedAt() == null ? null : k.lastUsedAt().toString());
    return o;
  }

  ObjectNode versionJson(ModelVersion v, boolean governs) {
    ObjectNode o =
        json.object()
            .put("name", v.name())
            .put("version", v.version())
            .put("format", v.format())
            .put("sha256", v.sha256())
            .put("size_bytes", v.sizeBytes())
            .put("created_at", v.createdAt().toString())
            .put("created_by", v.createdBy());
    JsonNode meta = json.tree(v.metadata());
    o.set("inputs", meta.path("inputs"));
    o.set("outputs", meta.path("outputs"));
    o.put("namespace", ModelNames.namespace(v.name()));
    o.put("scan_verdict", v.scanVerdict());
    o.put("signed", v.signed());
    if (governs) {
      // Who signed (for keyless signing, a person's or a pipeline's identity) is for the people
      // who govern models, not for every caller of the model.
      o.put("signer", v.signer());
    }
    ModelCard card = v.card();
    o.set("card", card == null ? null : ModelCards.toNode(card));
    o.put("state", v.state().wireName());
    o.put("approved_by", v.approvedBy());
    o.put("approved_at", v.approvedAt() == null ? null : v.approvedAt().toString());
    return o;
  }

  static String actor(Principal p) {
    return "key:" + p.id();
  }
}
