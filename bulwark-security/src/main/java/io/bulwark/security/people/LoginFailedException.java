package io.bulwark.security.people;

/**
 * A login was refused. The message is the same whatever the reason (unknown user, wrong password,
 * wrong or replayed code, disabled account, second factor not enrolled), so that a client cannot
 * tell whether an account exists; the reason is kept for the server's log and audit only.
 */
public class LoginFailedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The only message a client ever sees. */
  public static final String MESSAGE = "login failed";

  private final String reason;

  public LoginFailedException(String reason) {
    this(MESSAGE, reason);
  }

  protected LoginFailedException(String message, String reason) {
    super(message);
    this.reason = reason;
  }

  /** Why the login failed, for operators; never sent to the client. */
  public String reason() {
    return reason;
  }
}
