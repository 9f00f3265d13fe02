package io.bulwark.security;

/**
 * A credential was missing, malformed, unknown, expired or revoked. The message is the same for
 * every reason a client could learn from ("invalid credentials"); the reason is kept for the
 * server's log and audit only.
 */
public final class AuthenticationException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String reason;

  public AuthenticationException(String reason) {
    super("invalid or missing credentials");
    this.reason = reason;
  }

  /** Why authentication failed, for operators; never sent to the client. */
  public String reason() {
    return reason;
  }
}
