package io.bulwark.security;

import io.bulwark.core.ForbiddenException;
import io.bulwark.security.policy.PolicyAction;
import io.bulwark.security.policy.PrincipalView;
import java.util.Map;
import java.util.Set;

/**
 * An authenticated caller: who it is, what the policy sees of it, and the scope its credential is
 * limited to. Immutable and thread-safe.
 *
 * <p>The policy decides what the roles allow. A credential can only narrow that: a key limited to
 * some actions is denied every other action, whatever its roles would permit.
 */
public final class Principal {
  private final String name;
  private final PrincipalView view;
  private final Set<PolicyAction> actions;

  /**
   * A principal.
   *
   * @param id the stable id of the credential (an API key id, an issuer-qualified subject), safe to
   *     log
   * @param name a human label
   * @param roles role names (see {@link Role} for the built-in ones)
   * @param tenant the tenant the principal belongs to
   * @param models models granted by name
   * @param namespaces model namespaces granted whole
   * @param actions the only actions this credential may perform; empty for no such limit
   */
  public Principal(
      String id,
      String name,
      Set<String> roles,
      String tenant,
      Set<String> models,
      Set<String> namespaces,
      Set<PolicyAction> actions) {
    this.name = name;
    this.view = new PrincipalView(id, roles, tenant, models, namespaces, Map.of());
    this.actions = Set.copyOf(actions);
  }

  /** A principal with roles in a tenant and no grants or limits. */
  public static Principal of(String id, Set<String> roles, String tenant) {
    return new Principal(id, id, roles, tenant, Set.of(), Set.of(), Set.of());
  }

  public String id() {
    return view.id();
  }

  public String name() {
    return name;
  }

  public Set<String> roles() {
    return view.roles();
  }

  public String tenant() {
    return view.tenant();
  }

  public Set<String> models() {
    return view.models();
  }

  public Set<String> namespaces() {
    return view.namespaces();
  }

  /** The actions this credential is limited to; empty when it is not limited. */
  public Set<PolicyAction> actions() {
    return actions;
  }

  /** Whether the credential's scope includes {@code action} (the policy still has to allow it). */
  public boolean inScope(PolicyAction action) {
    return actions.isEmpty() || actions.contains(action);
  }

  /** What policies see; built once, so that decision-cache lookups hash the same object. */
  public PrincipalView view() {
    return view;
  }

  /** Whether this principal holds the admin role with no limit on its actions. */
  public boolean isUnlimitedAdmin() {
    return roles().contains(Role.ADMIN.wireName()) && actions.isEmpty();
  }

  /**
   * Refuses to let this principal issue, or take over, a credential with {@code roles} and the
   * action limit {@code actions} (empty: none): only an unlimited admin gives the admin role or a
   * role it does not hold, and a credential limited to some actions can only issue credentials
   * limited to some of those same actions — a scope narrows, it never widens through a new
   * credential.
   *
   * @param what the credential, for the message ("a key", "an account")
   * @throws ForbiddenException if this principal may not
   */
  public void checkMayGrant(Set<String> roles, Set<PolicyAction> actions, String what) {
    if (!isUnlimitedAdmin()) {
      for (String r : roles) {
        if (r.equals(Role.ADMIN.wireName()) || !roles().contains(r)) {
          throw new ForbiddenException(
              what + " can only be given roles its creator holds; '" + r + "' is not");
        }
      }
    }
    if (!this.actions.isEmpty() && (actions.isEmpty() || !this.actions.containsAll(actions))) {
      throw new ForbiddenException(
          what
              + " can only be limited to actions its creator is limited to ("
              + this.actions.stream().map(PolicyAction::wireName).sorted().toList()
              + ")");
    }
  }

  @Override
  public String toString() {
    return "Principal[" + id() + " " + roles() + " in " + tenant() + "]";
  }
}
