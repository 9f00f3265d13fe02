package io.bulwark.security.policy;

/**
 * The policy denied a request. The message is generic; the decision (which policies, which errors)
 * is for the server log and the audit record, never for the caller.
 */
public final class PolicyDeniedException extends Exception {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // a record of lists, never serialised in practice
  private final Decision decision;

  public PolicyDeniedException(Decision decision) {
    super("denied by policy");
    this.decision = decision;
  }

  public Decision decision() {
    return decision;
  }
}
