package io.bulwark.security.jwt;

/**
 * A token failed validation. {@link #getMessage()} names the first check that failed (for example
 * {@code "token expired"} or {@code "header jku is not accepted"}); it never contains the token or
 * its signature, and any value quoted from the token is cut short and stripped of control
 * characters. Callers that answer a client should still send a uniform error and log the reason.
 */
public final class TokenRejectedException extends Exception {
  private static final long serialVersionUID = 1L;

  public TokenRejectedException(String reason) {
    super(reason);
  }

  /** Why the token was rejected, for logs, audit and offline tools. */
  public String reason() {
    return String.valueOf(getMessage());
  }
}
