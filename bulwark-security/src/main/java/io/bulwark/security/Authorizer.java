package io.bulwark.security;

import io.bulwark.core.ForbiddenException;
import io.bulwark.core.ModelNames;
import io.bulwark.core.NotFoundException;
import io.bulwark.security.ResourceDirectory.ModelLabels;
import io.bulwark.security.policy.Decision;
import io.bulwark.security.policy.PolicyAction;
import io.bulwark.security.policy.PolicyEngine;
import io.bulwark.security.policy.PolicyRequest;
import io.bulwark.security.policy.ResourceView;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the policy whether a principal may act on a resource, and turns a denial into the answer the
 * caller gets. Deny by default; a credential's scope can only narrow what the policy allows.
 *
 * <p>A denial on a model the principal may not even see (no infer, read-metadata or read-model
 * permission) is reported as {@link NotFoundException}, exactly as for a model that does not exist,
 * so that nobody can probe which models exist. Other denials are {@link ForbiddenException}s. The
 * deciding policies go to the server log, never to the caller.
 */
public final class Authorizer {
  private static final Logger log = LoggerFactory.getLogger(Authorizer.class);

  /** Actions any of which makes a model visible to a principal. */
  private static final List<PolicyAction> SEEING =
      List.of(PolicyAction.READ_METADATA, PolicyAction.INFER, PolicyAction.READ_MODEL);

  /** Told of every denial before it is reported to the caller (the audit log, for one). */
  @FunctionalInterface
  public interface DenialListener {
    /**
     * Called on the requesting thread; an exception thrown here replaces the denial (so that an
     * audit log that cannot record the denial can refuse the request with its own error).
     */
    void denied(Principal principal, PolicyAction action, ResourceView resource, Decision decision);
  }

  private final PolicyEngine engine;
  private final ResourceDirectory directory;
  private final DenialListener listener;

  public Authorizer(PolicyEngine engine, ResourceDirectory directory) {
    this(engine, directory, (p, a, r, d) -> {});
  }

  public Authorizer(PolicyEngine engine, ResourceDirectory directory, DenialListener listener) {
    this.engine = engine;
    this.directory = directory;
    this.listener = listener;
  }

  /** The policy decision alone, ignoring the credential's scope. */
  public Decision decide(Principal p, PolicyAction action, ResourceView resource) {
    return engine.decide(new PolicyRequest(p.view(), action, resource));
  }

  /** Whether {@code p} may do {@code action} on {@code resource}: in scope and allowed. */
  public boolean allows(Principal p, PolicyAction action, ResourceView resource) {
    return p.inScope(action) && decide(p, action, resource).allowed();
  }

  /**
   * Allows {@code action} on {@code model}, or throws: not found if the principal may not see the
   * model, forbidden otherwise.
   */
  public void checkModel(Principal p, PolicyAction action, String model) {
    check(p, action, model(model));
  }

  /** Like {@link #checkModel}, for one version (labelled by its own card). */
  public void checkVersion(Principal p, PolicyAction action, String model, String version) {
    check(p, action, version(model, version));
  }

  /** Allows {@code action} on a namespace (push), or throws forbidden. */
  public void checkNamespace(Principal p, PolicyAction action, String namespace) {
    check(p, action, ResourceView.namespace(namespace, directory.tenantOf(namespace)));
  }

  /** Allows a server-wide {@code action} in the principal's own tenant, or throws forbidden. */
  public void checkSystem(Principal p, PolicyAction action) {
    check(p, action, ResourceView.system(p.tenant()));
  }

  /** Allows a server-wide {@code action} in {@code tenant}, or throws forbidden. */
  public void checkSystem(Principal p, PolicyAction action, String tenant) {
    check(p, action, ResourceView.system(tenant));
  }

  /**
   * Allows a server-wide {@code action} on one thing (a key, an account) that belongs to a tenant:
   * forbidden if the principal may not do it at all; not found if {@code tenantOf} finds no such
   * thing, or finds it in another tenant the principal may not act in.
   */
  public void checkInTenant(
      Principal p,
      PolicyAction action,
      String kind,
      String id,
      Supplier<Optional<String>> tenantOf) {
    checkSystem(p, action);
    String tenant = tenantOf.get().orElseThrow(() -> new NotFoundException(kind, id));
    if (!tenant.equals(p.tenant()) && !allows(p, action, ResourceView.system(tenant))) {
      throw new NotFoundException(kind, id);
    }
  }

  /**
   * Whether the model exists for {@code p}: some policy lets it infer, read or list it, and the
   * credential's scope includes that action — a key limited to deploying lists no models.
   */
  public boolean maySee(Principal p, String model) {
    ResourceView resource = model(model);
    for (PolicyAction a : SEEING) {
      if (allows(p, a, resource)) {
        return true;
      }
    }
    return false;
  }

  /** The resource a model is to the policy. */
  public ResourceView model(String name) {
    ModelLabels l = directory.labels(name, "").orElse(ModelLabels.UNLABELLED);
    return ResourceView.model(
        name, directory.tenantOf(ModelNames.namespace(name)), l.riskTier(), l.dataClassification());
  }

  private ResourceView version(String name, String version) {
    ModelLabels l = directory.labels(name, version).orElse(ModelLabels.UNLABELLED);
    return ResourceView.version(
        name,
        version,
        directory.tenantOf(ModelNames.namespace(name)),
        l.riskTier(),
        l.dataClassification());
  }

  private boolean maySee(Principal p, ResourceView resource) {
    ResourceView model =
        resource.kind() == io.bulwark.security.policy.ResourceKind.VERSION
            ? model(resource.modelName())
            : resource;
    for (PolicyAction a : SEEING) {
      if (decide(p, a, model).allowed()) {
        return true;
      }
    }
    return false;
  }

  private void check(Principal p, PolicyAction action, ResourceView resource) {
    Decision d = decide(p, action, resource);
    if (d.allowed() && p.inScope(action)) {
      return;
    }
    if (log.isInfoEnabled()) {
      log.info(
          "denied: {} {} {} {} (policy version {}, decided by {}{})",
          p.id(),
          action.wireName(),
          resource.kind().entityType(),
          resource.id(),
          d.policyVersion(),
          d.allowed() ? "the credential's scope" : d.determiningPolicyIds(),
          d.errors().isEmpty() ? "" : ", errors " + d.errors());
    }
    listener.denied(p, action, resource, d);
    String model = resource.modelName();
    if (!model.isEmpty() && !maySee(p, resource)) {
      throw new NotFoundException("model", model);
    }
    if (!d.allowed()) {
      throw new ForbiddenException(
          "permission '" + action.wireName() + "' on " + describe(resource) + " is not granted");
    }
    throw new ForbiddenException(
        "this credential is limited to other actions than '" + action.wireName() + "'");
  }

  private static String describe(ResourceView r) {
    return switch (r.kind()) {
      case MODEL -> "model '" + r.id() + "'";
      case VERSION -> "model version '" + r.id() + "'";
      case NAMESPACE -> "namespace '" + r.id() + "'";
      case SYSTEM -> "this server";
    };
  }
}
