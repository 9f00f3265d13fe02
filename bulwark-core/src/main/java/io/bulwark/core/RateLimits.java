package io.bulwark.core;

/**
 * Rate limits and quotas on inference calls. A value of 0 switches that limit off.
 *
 * @param principalPerSecond sustained requests per second for one caller
 * @param principalBurst requests one caller may make at once above the sustained rate
 * @param principalPerDay requests per caller per UTC day (a quota)
 * @param modelPerSecond sustained requests per second to one model, all callers together
 * @param modelBurst burst for one model
 * @param maxTracked most callers and models tracked at once; memory stays bounded however many
 *     exist (the least recently seen are forgotten first, which can only be generous to them)
 */
public record RateLimits(
    double principalPerSecond,
    int principalBurst,
    long principalPerDay,
    double modelPerSecond,
    int modelBurst,
    int maxTracked) {

  public RateLimits {
    if (principalPerSecond < 0
        || principalBurst < 0
        || principalPerDay < 0
        || modelPerSecond < 0
        || modelBurst < 0
        || Double.isNaN(principalPerSecond)
        || Double.isNaN(modelPerSecond)) {
      throw new IllegalArgumentException("rate limits must not be negative");
    }
    if (maxTracked < 1) {
      throw new IllegalArgumentException("rate_limits.max_tracked must be positive");
    }
  }

  /** 1,000 requests per second per caller with bursts of 2,000; no daily quota or model limit. */
  public static RateLimits defaults() {
    return new RateLimits(1000, 2000, 0, 0, 0, 100_000);
  }

  /** No limits at all. */
  public static RateLimits unlimited() {
    return new RateLimits(0, 0, 0, 0, 0, 100_000);
  }
}
