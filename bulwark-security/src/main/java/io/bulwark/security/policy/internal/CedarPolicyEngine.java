package io.bulwark.security.policy.internal;

import com.cedarpolicy.AuthorizationEngine;
import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.AuthorizationRequest;
import com.cedarpolicy.model.AuthorizationResponse;
import com.cedarpolicy.model.AuthorizationSuccessResponse;
import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.model.exception.AuthException;
import com.cedarpolicy.value.CedarList;
import com.cedarpolicy.value.EntityTypeName;
import com.cedarpolicy.value.EntityUID;
import com.cedarpolicy.value.PrimString;
import com.cedarpolicy.value.Value;
import io.bulwark.security.policy.Decision;
import io.bulwark.security.policy.PolicyEngine;
import io.bulwark.security.policy.PolicyRequest;
import io.bulwark.security.policy.PolicyVersion;
import io.bulwark.security.policy.PrincipalView;
import io.bulwark.security.policy.ResourceKind;
import io.bulwark.security.policy.ResourceView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Evaluates requests with Cedar against an immutable snapshot of the installed version, held in a
 * volatile field: a swap is one reference write, and a decision reads the reference once.
 */
final class CedarPolicyEngine implements PolicyEngine {
  private static final String NAMESPACE = "Bulwark::";

  /** The installed version with its compiled policy set. */
  record Snapshot(PolicyVersion version, CedarPolicyCompiler.Compiled compiled) {}

  private final CedarPolicyCompiler compiler;
  private final AuthorizationEngine cedar = new BasicAuthorizationEngine();

  /** Read once per decision; replaced whole under this object's lock (installs are rare). */
  private volatile Snapshot current;

  private final DecisionCache cache;

  CedarPolicyEngine(CedarPolicyCompiler compiler, PolicyVersion initial, int cacheCapacity) {
    this.compiler = compiler;
    this.current = new Snapshot(initial, compiler.compile(initial.text()));
    this.cache = new DecisionCache(cacheCapacity);
  }

  @Override
  public Decision decide(PolicyRequest request) {
    Snapshot snapshot = current;
    long version = snapshot.version().version();
    DecisionCache.Key key = new DecisionCache.Key(request, version);
    Decision cached = cache.get(key);
    if (cached != null) {
      return cached;
    }
    Decision decision = evaluate(snapshot, request);
    // Errors may be transient (the evaluator failing); a denial for that reason is not remembered.
    if (decision.errors().isEmpty()) {
      cache.put(key, decision);
    }
    return decision;
  }

  /** Evaluates without the cache. */
  Decision evaluate(Snapshot snapshot, PolicyRequest request) {
    long version = snapshot.version().version();
    ResourceView resource = request.resource();
    if (!request.action().appliesTo().contains(resource.kind())) {
      return deny(
          version,
          "action "
              + request.action().wireName()
              + " does not apply to a "
              + resource.kind().entityType());
    }
    try {
      Set<Entity> entities = new HashSet<>();
      EntityUID principal = principalEntity(request.principal(), entities);
      EntityUID target = resourceEntities(resource, entities);
      EntityUID action = uid("Action", request.action().wireName());
      AuthorizationResponse response =
          cedar.isAuthorized(
              new AuthorizationRequest(principal, action, target, Map.of()),
              snapshot.compiled().policySet(),
              entities);
      if (response.type != AuthorizationResponse.SuccessOrFailure.Success
          || response.success.isEmpty()) {
        List<String> errors = new ArrayList<>();
        response.errors.ifPresent(list -> list.forEach(e -> errors.add(e.message)));
        if (errors.isEmpty()) {
          errors.add("the evaluator failed without a reason");
        }
        return new Decision(false, List.of(), version, errors);
      }
      AuthorizationSuccessResponse success = response.success.get();
      List<String> errors = new ArrayList<>();
      for (AuthorizationSuccessResponse.AuthorizationError e : success.getErrors()) {
        errors.add("policy " + e.getPolicyId() + ": " + e.getError().message);
      }
      List<String> reasons = List.copyOf(new TreeSet<>(success.getReason()));
      // Cedar skips a policy that errs, which can turn a forbid into an allow: fail closed.
      boolean allowed = success.isAllowed() && errors.isEmpty();
      return new Decision(allowed, reasons, version, errors);
    } catch (AuthException | RuntimeException | LinkageError e) {
      return deny(version, "evaluation failed: " + e.getClass().getSimpleName());
    }
  }

  private static Decision deny(long version, String error) {
    return new Decision(false, List.of(), version, List.of(error));
  }

  private static EntityUID uid(String type, String id) {
    EntityTypeName name =
        EntityTypeName.parse(NAMESPACE + type)
            .orElseThrow(() -> new IllegalStateException("bad entity type " + type));
    return new EntityUID(name, id);
  }

  private static CedarList strings(Set<String> values) {
    List<Value> list = new ArrayList<>(values.size());
    for (String v : values) {
      list.add(new PrimString(v));
    }
    return new CedarList(list);
  }

  private static EntityUID principalEntity(PrincipalView p, Set<Entity> entities) {
    EntityUID id = uid("Principal", p.id());
    Map<String, Value> attrs = new HashMap<>();
    attrs.put("roles", strings(p.roles()));
    attrs.put("tenant", new PrimString(p.tenant()));
    attrs.put("models", strings(p.models()));
    attrs.put("namespaces", strings(p.namespaces()));
    Map<String, Value> tags = new HashMap<>();
    p.attributes().forEach((k, v) -> tags.put(k, new PrimString(v)));
    entities.add(new Entity(id, attrs, Set.of(), tags));
    return id;
  }

  /** The resource and its ancestors (version in model in namespace); returns the resource's id. */
  private static EntityUID resourceEntities(ResourceView r, Set<Entity> entities) {
    EntityUID namespace = uid("Namespace", r.namespace());
    if (r.kind() == ResourceKind.SYSTEM) {
      EntityUID id = uid("System", r.id());
      entities.add(new Entity(id, Map.of("tenant", new PrimString(r.tenant())), Set.of()));
      return id;
    }
    entities.add(
        new Entity(
            namespace,
            Map.of(
                "namespace", new PrimString(r.namespace()), "tenant", new PrimString(r.tenant())),
            Set.of()));
    if (r.kind() == ResourceKind.NAMESPACE) {
      return namespace;
    }
    Map<String, Value> attrs =
        Map.of(
            "model", new PrimString(r.modelName()),
            "namespace", new PrimString(r.namespace()),
            "tenant", new PrimString(r.tenant()),
            "risk_tier", new PrimString(r.riskTier()),
            "data_classification", new PrimString(r.dataClassification()));
    EntityUID model = uid("Model", r.modelName());
    entities.add(new Entity(model, attrs, Set.of(namespace)));
    if (r.kind() == ResourceKind.MODEL) {
      return model;
    }
    EntityUID version = uid("Version", r.id());
    entities.add(new Entity(version, attrs, Set.of(model)));
    return version;
  }

  @Override
  public PolicyVersion policy() {
    return current.version();
  }

  @Override
  public boolean install(PolicyVersion version) {
    return install(version, compiler.compile(version.text()));
  }

  /** Installs an already compiled version if it is newer than the installed one. */
  synchronized boolean install(PolicyVersion version, CedarPolicyCompiler.Compiled compiled) {
    if (current.version().version() >= version.version()) {
      return false;
    }
    current = new Snapshot(version, compiled);
    return true;
  }

  CedarPolicyCompiler compiler() {
    return compiler;
  }

  int cacheSize() {
    return cache.size();
  }

  int cacheMaxSize() {
    return cache.maxSize();
  }
}
