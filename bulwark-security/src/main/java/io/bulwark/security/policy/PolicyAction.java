package io.bulwark.security.policy;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The actions of the policy schema, each with the resource kinds it applies to. A request for an
 * action on a kind it does not apply to is denied.
 */
public enum PolicyAction {
  INFER("infer", ResourceKind.MODEL, ResourceKind.VERSION),
  READ_METADATA("read-metadata", ResourceKind.MODEL, ResourceKind.VERSION),
  READ_MODEL("read-model", ResourceKind.NAMESPACE, ResourceKind.MODEL, ResourceKind.VERSION),
  PUSH("push", ResourceKind.NAMESPACE, ResourceKind.MODEL),
  APPROVE("approve", ResourceKind.MODEL, ResourceKind.VERSION),
  DEPLOY("deploy", ResourceKind.MODEL, ResourceKind.VERSION),
  ROLLBACK("rollback", ResourceKind.MODEL, ResourceKind.VERSION),
  UNDEPLOY("undeploy", ResourceKind.MODEL, ResourceKind.VERSION),
  RETIRE("retire", ResourceKind.MODEL, ResourceKind.VERSION),
  ROTATE_KEYS("rotate-keys", ResourceKind.SYSTEM),
  READ_AUDIT("read-audit", ResourceKind.SYSTEM),
  READ_METRICS("read-metrics", ResourceKind.SYSTEM),
  MANAGE_PRINCIPALS("manage-principals", ResourceKind.SYSTEM),
  MANAGE_POLICY("manage-policy", ResourceKind.SYSTEM),
  READ_POLICY("read-policy", ResourceKind.SYSTEM);

  private final String wireName;

  @SuppressWarnings("ImmutableEnumChecker") // Set.copyOf: unmodifiable
  private final Set<ResourceKind> appliesTo;

  PolicyAction(String wireName, ResourceKind first, ResourceKind... rest) {
    this.wireName = wireName;
    this.appliesTo = Set.copyOf(EnumSet.of(first, rest));
  }

  /** The Cedar action id, for example {@code "read-metadata"}. */
  public String wireName() {
    return wireName;
  }

  /** The resource kinds this action is defined for. */
  public Set<ResourceKind> appliesTo() {
    return appliesTo;
  }

  public static Optional<PolicyAction> fromWireName(String name) {
    for (PolicyAction a : values()) {
      if (a.wireName.equals(name)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
