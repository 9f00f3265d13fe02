package io.bulwark.security.policy;

/**
 * Evaluates requests against the installed policy version. Thread-safe.
 *
 * <p>Deny by default: a request is allowed only when a permit matches and no forbid does. Any error
 * (a policy that fails at run time, an action that does not apply to the resource kind, a failure
 * of the evaluator) denies. Decisions are cached per (principal view, action, resource view, policy
 * version); a new version therefore never sees an old decision. {@link #install} swaps the version
 * atomically: a decision in flight completes against the version it started with, and none fails.
 */
public interface PolicyEngine {
  /** Decides {@code request}; never throws for a well-formed request, denies on error instead. */
  Decision decide(PolicyRequest request);

  /** Returns the decision if it allows, else throws {@link PolicyDeniedException}. */
  default Decision authorize(PolicyRequest request) throws PolicyDeniedException {
    Decision d = decide(request);
    d.check();
    return d;
  }

  /** The installed version. */
  PolicyVersion policy();

  /**
   * Compiles {@code version} and installs it if it is newer than the installed one.
   *
   * @return whether it was installed (false if the installed version is the same or newer)
   * @throws io.bulwark.core.InvalidRequestException if the text is not valid (see {@link
   *     Policies#validate})
   */
  boolean install(PolicyVersion version);
}
