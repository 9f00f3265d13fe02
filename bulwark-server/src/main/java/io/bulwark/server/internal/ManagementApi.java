package io.bulwark.server.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.bulwark.core.InsecureSecretAccess;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.Limits;
import io.bulwark.core.ModelNames;
import io.bulwark.core.NotFoundException;
import io.bulwark.core.Strings;
import io.bulwark.registry.Deployment;
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
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The management API under {@code /api/v1}: models, versions, deployments and API keys. */
public final class ManagementApi {
  private static final String PREFIX = "/api/v1";

  private final ModelRegistry registry;
  private final ModelServing serving;
  private final ApiKeys apiKeys;
  private final OnnxAdmission admission;
  private final Json json;
  private final Limits limits;
  private final Blocking blocking;

  public ManagementApi(
      ModelRegistry registry,
      ModelServing serving,
      ApiKeys apiKeys,
      OnnxAdmission admission,
      Json json,
      Limits limits,
      Blocking blocking) {
    this.registry = registry;
    this.serving = serving;
    this.apiKeys = apiKeys;
    this.admission = admission;
    this.json = json;
    this.limits = limits;
    this.blocking = blocking;
  }

  public void register(ServerBuilder sb) {
    sb.route()
        .post(PREFIX + "/models/{name}/versions/{version}")
        .maxRequestLength(limits.maxModelBytes())
        .requestTimeoutMillis(0)
        .build(blocking.streaming(this::push));
    small(sb, HttpMethod.GET, "/models", this::listModels);
    small(sb, HttpMethod.GET, "/models/{name}", this::showModel);
    small(sb, HttpMethod.GET, "/models/{name}/versions/{version}", this::showVersion);
    small(sb, HttpMethod.PUT, "/models/{name}/deployment", this::deploy);
    small(sb, HttpMethod.DELETE, "/models/{name}/deployment", this::undeploy);
    small(
        sb,
        HttpMethod.POST,
        "/models/{name}/versions/{version}/approve",
        versionTransition(registry::approve));
    small(
        sb,
        HttpMethod.POST,
        "/models/{name}/versions/{version}/retire",
        versionTransition(registry::retire));
    small(sb, HttpMethod.POST, "/models/{name}/rollback", this::rollback);
    small(sb, HttpMethod.GET, "/models/{name}/events", this::events);
    small(sb, HttpMethod.POST, "/keys", this::createKey);
    small(sb, HttpMethod.GET, "/keys", this::listKeys);
    small(sb, HttpMethod.DELETE, "/keys/{id}", this::revokeKey);
  }

  /** A route whose request body is a small JSON document (or empty), read whole. */
  private void small(ServerBuilder sb, HttpMethod method, String path, Blocking.Handler handler) {
    sb.route()
        .methods(method)
        .path(PREFIX + path)
        .maxRequestLength(Json.MAX_MANAGEMENT_BODY)
        .build(blocking.aggregated(handler));
  }

  private HttpResponse push(ServiceRequestContext ctx, com.linecorp.armeria.common.HttpRequest req)
      throws Exception {
    Principal p = Principals.of(ctx);
    Authorizer.checkAdmin(p);
    String name = ModelNames.checkName(Principals.pathParam(ctx, "name"));
    String version = ModelNames.checkVersion(Principals.pathParam(ctx, "version"));
    ModelVersion v;
    try (InputStream body =
        req.toInputStream(o -> o instanceof HttpData d ? d : HttpData.empty())) {
      v =
          registry.push(
              new PushRequest(name, version, "onnx", actor(p), limits.maxModelBytes()),
              body,
              admission.forVersion(name, version));
    }
    return json.response(HttpStatus.CREATED, versionJson(v));
  }

  private HttpResponse listModels(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    ArrayNode models = json.object().arrayNode();
    for (ModelSummary m : registry.list()) {
      if (!p.mayUse(m.name())) {
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
    Authorizer.checkUse(Principals.of(ctx), name);
    List<ModelVersion> versions = registry.versions(name);
    ObjectNode out = json.object().put("name", name);
    out.put("deployed_version", registry.deployment(name).map(Deployment::version).orElse(null));
    ArrayNode vs = out.putArray("versions");
    versions.forEach(v -> vs.add(versionJson(v)));
    return json.response(HttpStatus.OK, out);
  }

  private HttpResponse showVersion(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    String name = Principals.pathParam(ctx, "name");
    Authorizer.checkUse(Principals.of(ctx), name);
    return json.response(
        HttpStatus.OK, versionJson(registry.version(name, Principals.pathParam(ctx, "version"))));
  }

  record DeployBody(@JsonProperty("version") @Nullable String version) {}

  private HttpResponse deploy(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    Authorizer.checkAdmin(p);
    String name = ModelNames.checkName(Principals.pathParam(ctx, "name"));
    DeployBody body = json.read(req.content().array(), DeployBody.class);
    String version = ModelNames.checkVersion(Json.required(body.version(), "version"));
    Deployment d = serving.deploy(name, version, actor(p));
    return json.response(
        HttpStatus.OK,
        json.object()
            .put("name", d.name())
            .put("version", d.version())
            .put("deployed_at", d.deployedAt().toString()));
  }

  /** An optional {@code {"reason": "..."}} body for lifecycle changes. */
  record ReasonBody(@JsonProperty("reason") @Nullable String reason) {}

  private @Nullable String reason(AggregatedHttpRequest req) {
    if (req.content().isEmpty()) {
      return null;
    }
    String reason = json.read(req.content().array(), ReasonBody.class).reason();
    if (reason != null && (reason.length() > 1024 || !Strings.printable(reason).equals(reason))) {
      throw new InvalidRequestException("reason must be at most 1024 printable characters");
    }
    return reason;
  }

  /** A lifecycle change of one version, made by an admin, with an optional reason. */
  @FunctionalInterface
  private interface VersionTransition {
    ModelVersion apply(String name, String version, String actor, @Nullable String reason)
        throws java.io.IOException;
  }

  private Blocking.Handler versionTransition(VersionTransition transition) {
    return (ctx, req) -> {
      Principal p = Principals.of(ctx);
      Authorizer.checkAdmin(p);
      ModelVersion v =
          transition.apply(
              ModelNames.checkName(Principals.pathParam(ctx, "name")),
              ModelNames.checkVersion(Principals.pathParam(ctx, "version")),
              actor(p),
              reason(req));
      return json.response(HttpStatus.OK, versionJson(v));
    };
  }

  private HttpResponse rollback(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    Authorizer.checkAdmin(p);
    Deployment d =
        serving.rollback(
            ModelNames.checkName(Principals.pathParam(ctx, "name")), actor(p), reason(req));
    return json.response(
        HttpStatus.OK,
        json.object()
            .put("name", d.name())
            .put("version", d.version())
            .put("deployed_at", d.deployedAt().toString()));
  }

  private HttpResponse events(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Authorizer.checkAdmin(Principals.of(ctx));
    String name = ModelNames.checkName(Principals.pathParam(ctx, "name"));
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
    Authorizer.checkAdmin(p);
    Deployment d =
        serving.undeploy(
            ModelNames.checkName(Principals.pathParam(ctx, "name")), actor(p), reason(req));
    return json.response(
        HttpStatus.OK, json.object().put("name", d.name()).put("undeployed_version", d.version()));
  }

  record CreateKeyBody(
      @JsonProperty("name") @Nullable String name,
      @JsonProperty("role") @Nullable String role,
      @JsonProperty("models") @Nullable List<String> models,
      @JsonProperty("expires_at") @Nullable String expiresAt) {}

  private HttpResponse createKey(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    Authorizer.checkAdmin(p);
    CreateKeyBody body = json.read(req.content().array(), CreateKeyBody.class);
    String keyName = Json.required(body.name(), "name");
    String roleName = Json.required(body.role(), "role");
    Role role =
        Role.fromWireName(roleName)
            .orElseThrow(
                () ->
                    new InvalidRequestException(
                        "unknown role '"
                            + Strings.printable(roleName)
                            + "': use admin or consumer"));
    Instant expires = null;
    if (body.expiresAt() != null) {
      try {
        expires = Instant.parse(body.expiresAt());
      } catch (DateTimeParseException e) {
        throw new InvalidRequestException(
            "expires_at must be an ISO-8601 instant such as 2027-01-31T00:00:00Z");
      }
    }
    List<String> models = body.models() == null ? List.of() : body.models();
    if (models.stream().anyMatch(java.util.Objects::isNull)) {
      throw new InvalidRequestException("models must be a list of model names, without null");
    }
    if (models.size() > NewApiKey.MAX_GRANTS) {
      throw new InvalidRequestException(
          "a key may be granted at most " + NewApiKey.MAX_GRANTS + " models");
    }
    IssuedApiKey issued =
        apiKeys.create(new NewApiKey(keyName, role, Set.copyOf(models), expires), actor(p));
    ObjectNode out = keyJson(issued.info());
    out.put("key", ApiKeys.reveal(issued, InsecureSecretAccess.get()));
    return json.response(HttpStatus.CREATED, out);
  }

  private HttpResponse listKeys(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Authorizer.checkAdmin(Principals.of(ctx));
    ObjectNode out = json.object();
    ArrayNode keys = out.putArray("keys");
    apiKeys.list().forEach(k -> keys.add(keyJson(k)));
    return json.response(HttpStatus.OK, out);
  }

  private HttpResponse revokeKey(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    Authorizer.checkAdmin(p);
    ApiKeyInfo k = apiKeys.revoke(Principals.pathParam(ctx, "id"), actor(p));
    return json.response(
        HttpStatus.OK,
        json.object().put("id", k.id()).put("revoked_at", String.valueOf(k.revokedAt())));
  }

  private ObjectNode keyJson(ApiKeyInfo k) {
    ObjectNode o =
        json.object().put("id", k.id()).put("name", k.name()).put("role", k.role().wireName());
    ArrayNode models = o.putArray("models");
    k.models().stream().sorted().forEach(models::add);
    o.put("created_at", k.createdAt().toString());
    o.put("created_by", k.createdBy());
    o.put("expires_at", k.expiresAt() == null ? null : k.expiresAt().toString());
    o.put("revoked_at", k.revokedAt() == null ? null : k.revokedAt().toString());
    o.put("last_used_at", k.lastUsedAt() == null ? null : k.lastUsedAt().toString());
    return o;
  }

  ObjectNode versionJson(ModelVersion v) {
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
    o.put("scan_verdict", meta.path("scan_verdict").asText("not scanned"));
    o.put("state", v.state().wireName());
    o.put("approved_by", v.approvedBy());
    o.put("approved_at", v.approvedAt() == null ? null : v.approvedAt().toString());
    return o;
  }

  static String actor(Principal p) {
    return "key:" + p.id();
  }
}
