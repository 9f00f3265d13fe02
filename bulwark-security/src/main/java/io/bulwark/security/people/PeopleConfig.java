package io.bulwark.security.people;

import java.time.Duration;
import java.util.Set;

/**
 * Settings of {@link Accounts}. Build with {@link #builder()}; the defaults are the secure ones.
 *
 * @param secondFactorRoles roles that cannot log in without a confirmed TOTP second factor
 * @param passwordCost the Argon2id cost of new password hashes
 * @param maxConcurrentHashes how many Argon2id evaluations may run at once (each holds {@code
 *     passwordCost.memoryKiB()} of memory); further logins queue
 * @param sessionLifetime absolute lifetime of a session
 * @param sessionIdleTimeout a session unused for this long ends
 * @param freeFailures failed logins per username and per client address before backoff starts
 * @param firstBackoff the delay after the first failure beyond the free ones; doubles each time
 * @param maxBackoff the longest delay
 * @param throttleEntries how many usernames and addresses the throttle remembers (least recently
 *     used forgotten first); bounds its memory whatever an attacker sprays
 */
public record PeopleConfig(
    Set<String> secondFactorRoles,
    Argon2Cost passwordCost,
    int maxConcurrentHashes,
    Duration sessionLifetime,
    Duration sessionIdleTimeout,
    int freeFailures,
    Duration firstBackoff,
    Duration maxBackoff,
    int throttleEntries) {
  public PeopleConfig {
    secondFactorRoles = Set.copyOf(secondFactorRoles);
    if (maxConcurrentHashes < 1 || maxConcurrentHashes > 1024) {
      throw new IllegalArgumentException("maxConcurrentHashes must be 1..1024");
    }
    positive(sessionLifetime, "sessionLifetime");
    positive(sessionIdleTimeout, "sessionIdleTimeout");
    if (sessionIdleTimeout.compareTo(sessionLifetime) > 0) {
      throw new IllegalArgumentException("sessionIdleTimeout must not exceed sessionLifetime");
    }
    if (freeFailures < 0 || freeFailures > 100) {
      throw new IllegalArgumentException("freeFailures must be 0..100");
    }
    positive(firstBackoff, "firstBackoff");
    if (maxBackoff.compareTo(firstBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff must be at least firstBackoff");
    }
    if (throttleEntries < 2 || throttleEntries > 10_000_000) {
      throw new IllegalArgumentException("throttleEntries must be 2..10000000");
    }
  }

  private static void positive(Duration d, String name) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }

  /** The defaults: see {@link Builder}. */
  public static PeopleConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a {@link PeopleConfig}. Defaults: second factor for {@code admin} and {@code
   * security-officer}; {@link Argon2Cost#OWASP}; 4 concurrent hashes; sessions of 8 hours with a
   * 30-minute idle timeout; 5 free failures, then 1 s doubling to 15 min; 50,000 throttle entries
   * (a few MiB).
   */
  public static final class Builder {
    private Set<String> secondFactorRoles = Set.of("admin", "security-officer");
    private Argon2Cost passwordCost = Argon2Cost.OWASP;
    private int maxConcurrentHashes = 4;
    private Duration sessionLifetime = Duration.ofHours(8);
    private Duration sessionIdleTimeout = Duration.ofMinutes(30);
    private int freeFailures = 5;
    private Duration firstBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofMinutes(15);
    private int throttleEntries = 50_000;

    private Builder() {}

    public Builder secondFactorRoles(Set<String> roles) {
      this.secondFactorRoles = roles;
      return this;
    }

    public Builder passwordCost(Argon2Cost cost) {
      this.passwordCost = cost;
      return this;
    }

    public Builder maxConcurrentHashes(int n) {
      this.maxConcurrentHashes = n;
      return this;
    }

    public Builder sessionLifetime(Duration d) {
      this.sessionLifetime = d;
      return this;
    }

    public Builder sessionIdleTimeout(Duration d) {
      this.sessionIdleTimeout = d;
      return this;
    }

    public Builder freeFailures(int n) {
      this.freeFailures = n;
      return this;
    }

    public Builder firstBackoff(Duration d) {
      this.firstBackoff = d;
      return this;
    }

    public Builder maxBackoff(Duration d) {
      this.maxBackoff = d;
      return this;
    }

    public Builder throttleEntries(int n) {
      this.throttleEntries = n;
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @throws IllegalArgumentException if a setting is out of range
     */
    public PeopleConfig build() {
      return new PeopleConfig(
          secondFactorRoles,
          passwordCost,
          maxConcurrentHashes,
          sessionLifetime,
          sessionIdleTimeout,
          freeFailures,
          firstBackoff,
          maxBackoff,
          throttleEntries);
    }
  }
}
