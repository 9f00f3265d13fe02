package io.bulwark.core;

/**
 * An input exceeded a configured limit. The message names the limit and its value so that a client
 * can correct itself; the offending input is never echoed.
 */
public final class LimitExceededException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  private final String limit;
  private final long max;

  public LimitExceededException(String limit, long max, String what) {
    super(what + " exceeds the limit " + limit + " = " + max);
    this.limit = limit;
    this.max = max;
  }

  /** The configuration name of the limit, for example {@code limits.max_request_bytes}. */
  public String limit() {
    return limit;
  }

  public long max() {
    return max;
  }
}
