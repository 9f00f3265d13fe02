package io.bulwark.audit;

/**
 * A negative verdict: a proof, a signed checkpoint or an exported log does not verify. If this is
 * not thrown, verification passed. The message says what failed and never echoes untrusted bytes.
 */
public class AuditVerificationException extends Exception {
  private static final long serialVersionUID = 1L;

  public AuditVerificationException(String message) {
    super(message);
  }
}
