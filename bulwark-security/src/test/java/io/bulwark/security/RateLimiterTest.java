package io.bulwark.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.RateLimitedException;
import io.bulwark.core.RateLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  private RateLimiter limiter(RateLimits limits, Clock clock) {
    return new RateLimiter(limits, clock, nanos::get);
  }

  @Test
  void principalBurst_thenRefused_thenRefilledAtTheRate() {
    RateLimiter r = limiter(new RateLimits(10, 5, 0, 0, 0, 1000), Clock.systemUTC());
    for (int i = 0; i < 5; i++) {
      r.acquire("alice", "m");
    }
    assertThatThrownBy(() -> r.acquire("alice", "m"))
        .isInstanceOf(RateLimitedException.class)
        .hasMessageContaining("10 requests per second from this caller")
        .satisfies(
            e ->
                assertThat(((RateLimitedException) e).retryAfter())
                    .isEqualTo(Duration.ofSeconds(1)));
    // Another caller is not affected.
    r.acquire("bob", "m");
    nanos.addAndGet(100_000_000L); // 0.1 s at 10/s: one token
    r.acquire("alice", "m");
    assertThatThrownBy(() -> r.acquire("alice", "m")).isInstanceOf(RateLimitedException.class);
  }

  @Test
  void modelLimit_sharedByCallers_andRefusalDoesNotCostTheCaller() {
    RateLimiter r = limiter(new RateLimits(1000, 2, 0, 1, 1, 1000), Clock.systemUTC());
    r.acquire("alice", "m");
    assertThatThrownBy(() -> r.acquire("bob", "m"))
        .hasMessageContaining("requests per second to this model");
    assertThatThrownBy(() -> r.acquire("alice", "m")).isInstanceOf(RateLimitedException.class);
    // The model refused alice's second request after her own bucket (burst 2) had paid for it;
    // the token was given back, so one more request elsewhere still passes, and only one.
    r.acquire("alice", "other");
    assertThatThrownBy(() -> r.acquire("alice", "other2")).hasMessageContaining("from this caller");
  }

  @Test
  void dailyQuota_resetsAtUtcMidnight_withRetryAfterUntilThen() {
    Instant t = Instant.parse("2026-11-22T23:59:00Z");
    Clock clock = Clock.fixed(t, ZoneOffset.UTC);
    RateLimiter r = limiter(new RateLimits(0, 0, 3, 0, 0, 1000), clock);
    for (int i = 0; i < 3; i++) {
      r.acquire("alice", "m");
    }
    assertThatThrownBy(() -> r.acquire("alice", "m"))
        .hasMessageContaining("3 requests per day")
        .satisfies(
            e ->
                assertThat(((RateLimitedException) e).retryAfter())
                    .isEqualTo(Duration.ofSeconds(60)));
    RateLimiter tomorrow =
        limiter(
            new RateLimits(0, 0, 3, 0, 0, 1000),
            Clock.fixed(Instant.parse("2026-11-23T00:00:01Z"), ZoneOffset.UTC));
    tomorrow.acquire("alice", "m");
  }

  @Test
  void unlimited_neverRefusesAndTracksNothing() {
    RateLimiter r = limiter(RateLimits.unlimited(), Clock.systemUTC());
    for (int i = 0; i < 10_000; i++) {
      r.acquire("p" + i, "m");
    }
    assertThat(r.tracked()).isZero();
  }

  @Test
  void memoryBounded_howeverManyCallers() {
    RateLimiter r = limiter(new RateLimits(10, 10, 5, 10, 10, 1000), Clock.systemUTC());
    for (int i = 0; i < 100_000; i++) {
      nanos.incrementAndGet();
      r.acquire("p" + i, "m" + (i % 50_000));
    }
    assertThat(r.tracked()).isLessThanOrEqualTo(3 * 1000);
  }

  @Test
  void limits_negativeRefused() {
    assertThatThrownBy(() -> new RateLimits(-1, 0, 0, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RateLimits(0, 0, 0, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
