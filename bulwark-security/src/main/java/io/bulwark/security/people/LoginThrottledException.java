package io.bulwark.security.people;

/**
 * A login was refused without looking at the password, because the username or the client address
 * failed too often recently. Throttling applies to unknown usernames exactly as to known ones, so
 * it reveals nothing about which accounts exist. Maps to HTTP 429 with {@code Retry-After}.
 */
public final class LoginThrottledException extends LoginFailedException {
  private static final long serialVersionUID = 1L;

  private final long retryAfterSeconds;

  public LoginThrottledException(String reason, long retryAfterSeconds) {
    super("too many failed logins; retry later", reason);
    if (retryAfterSeconds < 1) {
      throw new IllegalArgumentException("retryAfterSeconds must be at least 1");
    }
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Whole seconds (rounded up, at least 1) before another attempt can be considered. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
