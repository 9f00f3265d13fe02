package io.bulwark.audit;

/** How an audited operation ended. */
public enum AuditOutcome {
  /** The operation was carried out. */
  SUCCESS,
  /** The operation was attempted and failed (bad input, error, negative verdict). */
  FAILURE,
  /** The operation was refused by authentication, authorisation, policy or a limit. */
  DENIED
}
