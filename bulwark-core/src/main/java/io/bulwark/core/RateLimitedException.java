package io.bulwark.core;

import java.time.Duration;

/**
 * A caller has used up a rate limit or a quota; the request was not processed. Answered with 429
 * and {@code Retry-After}.
 */
public final class RateLimitedException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  private final transient Duration retryAfter;

  public RateLimitedException(String message, Duration retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }

  /** When trying again may succeed; at least one second. */
  public Duration retryAfter() {
    return retryAfter.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : retryAfter;
  }
}
