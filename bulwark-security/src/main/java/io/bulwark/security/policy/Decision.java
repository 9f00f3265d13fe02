package io.bulwark.security.policy;

import java.util.List;

/**
 * The answer of the policy engine.
 *
 * @param allowed true only if a permit policy matched, no forbid policy matched, and evaluation
 *     raised no error (fail closed)
 * @param determiningPolicyIds the {@code @id}s of the policies that decided: the matching permits
 *     when allowed, the matching forbids when denied by one; empty for deny by default
 * @param policyVersion the policy version that was evaluated
 * @param errors why evaluation failed, if it did; safe to show to an administrator, not to callers
 */
public record Decision(
    boolean allowed, List<String> determiningPolicyIds, long policyVersion, List<String> errors) {
  public Decision {
    determiningPolicyIds = List.copyOf(determiningPolicyIds);
    errors = List.copyOf(errors);
    if (allowed && !errors.isEmpty()) {
      throw new IllegalArgumentException("a decision with errors cannot allow");
    }
  }

  /** Returns normally if allowed, else throws {@link PolicyDeniedException} carrying this. */
  public void check() throws PolicyDeniedException {
    if (!allowed) {
      throw new PolicyDeniedException(this);
    }
  }
}
