package io.bulwark.security;

import java.util.Locale;
import java.util.Optional;

/**
 * The built-in roles. What each may do is decided by the policy (see the default policies); these
 * are the names a credential can carry.
 */
public enum Role {
  /** Everything, in every tenant. Accounts with it need a second factor. */
  ADMIN,
  /** Keys, audit, metrics and policy; reads the registry but changes no model. */
  SECURITY_OFFICER,
  /** Pushes new model versions. */
  PUBLISHER,
  /** Approves versions pushed by someone else. */
  APPROVER,
  /** Deploys, rolls back, undeploys and retires versions. */
  DEPLOYER,
  /** Reads evidence: audit, metrics, policy, registry. */
  AUDITOR,
  /** Inference and metadata on the models or namespaces it is granted, nothing else. */
  CONSUMER;

  /** The name used in the API and in policies, for example {@code "security-officer"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Whether a person holding this role must use a second factor. */
  public boolean adminClass() {
    return this == ADMIN || this == SECURITY_OFFICER;
  }

  public static Optional<Role> fromWireName(String name) {
    for (Role r : values()) {
      if (r.wireName().equals(name)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
