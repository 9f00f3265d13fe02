package io.bulwark.security.people.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.security.people.LoginThrottledException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static LoginThrottle throttle(int capacity) {
    return new LoginThrottle(capacity, 5, Duration.ofSeconds(1), Duration.ofMinutes(15));
  }

  @Test
  void check_fiveFailures_stillFree() {
    LoginThrottle t = throttle(100);
    for (int i = 0; i < 5; i++) {
      t.failure("alice", "10.0.0.1", T0);
    }
    assertThatCode(() -> t.check("alice", "10.0.0.1", T0)).doesNotThrowAnyException();
  }

  @Test
  void check_sixthFailure_waitOneSecondThenFree() throws Exception {
    LoginThrottle t = throttle(100);
    for (int i = 0; i < 6; i++) {
      t.failure("alice", "10.0.0.1", T0);
    }
    assertThatThrownBy(() -> t.check("alice", "10.0.0.2", T0))
        .isInstanceOfSatisfying(
            LoginThrottledException.class, e -> assertThat(e.retryAfterSeconds()).isEqualTo(1));
    t.check("alice", "10.0.0.2", T0.plusSeconds(1));
  }

  @Test
  void attempt_burstAtOneInstant_onlyFreeAttemptsAndOneMorePass() throws Exception {
    LoginThrottle t = throttle(100);
    for (int i = 0; i < 6; i++) {
      t.attempt("alice", "10.0.0." + i, T0);
    }
    assertThatThrownBy(() -> t.attempt("alice", "10.0.0.99", T0))
        .isInstanceOf(LoginThrottledException.class);
  }

  @Test
  void attempt_concurrentThreads_atMostSixPass() throws Exception {
    LoginThrottle t = throttle(100);
    java.util.concurrent.atomic.AtomicInteger passed =
        new java.util.concurrent.atomic.AtomicInteger();
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
      for (int i = 0; i < 64; i++) {
        pool.execute(
            () -> {
              try {
                t.attempt("alice", "10.0.0.1", T0);
                passed.incrementAndGet();
              } catch (LoginThrottledException e) {
                // expected for all but six
              }
            });
      }
    }
    assertThat(passed.get()).isEqualTo(6);
  }

  @Test
  void backoff_doublesToCap() {
    LoginThrottle t = throttle(100);
    assertThat(t.backoff(5)).isEqualTo(Duration.ZERO);
    assertThat(t.backoff(6)).isEqualTo(Duration.ofSeconds(1));
    assertThat(t.backoff(7)).isEqualTo(Duration.ofSeconds(2));
    assertThat(t.backoff(15)).isEqualTo(Duration.ofSeconds(512));
    assertThat(t.backoff(16)).isEqualTo(Duration.ofMinutes(15));
    assertThat(t.backoff(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void check_retryAfter_roundsUpPartialSeconds() {
    LoginThrottle t = throttle(100);
    for (int i = 0; i < 8; i++) {
      t.failure("alice", "10.0.0.1", T0);
    }
    // 8 failures: 4 s from T0; half a second later 3.5 s remain, announced as 4.
    assertThatThrownBy(() -> t.check("alice", "x", T0.plusMillis(500)))
        .isInstanceOfSatisfying(
            LoginThrottledException.class, e -> assertThat(e.retryAfterSeconds()).isEqualTo(4));
  }

  @Test
  void check_addressSprayingUsernames_addressThrottled() {
    LoginThrottle t = throttle(100);
    for (int i = 0; i < 6; i++) {
      t.failure("user" + i, "203.0.113.9", T0);
    }
    assertThatThrownBy(() -> t.check("someone-else", "203.0.113.9", T0))
        .isInstanceOf(LoginThrottledException.class);
    assertThatCode(() -> t.check("someone-else", "198.51.100.1", T0)).doesNotThrowAnyException();
  }

  @Test
  void success_resetsUsernameAndAddress() {
    LoginThrottle t = throttle(100);
    for (int i = 0; i < 6; i++) {
      t.failure("alice", "10.0.0.1", T0);
    }
    t.success("alice", "10.0.0.1");
    assertThatCode(() -> t.check("alice", "10.0.0.1", T0)).doesNotThrowAnyException();
    assertThat(t.size()).isZero();
  }

  @Test
  void failure_100kDistinctUsernames_memoryBoundedByCapacity() {
    LoginThrottle t = throttle(10_000);
    for (int i = 0; i < 100_000; i++) {
      t.failure("sprayed" + i, "198.51.100." + (i % 250), T0);
    }
    assertThat(t.size()).isEqualTo(10_000);
  }

  @Test
  void failure_sprayWhileTargetAttacked_targetStaysThrottled() {
    LoginThrottle t = throttle(1_000);
    for (int i = 0; i < 6; i++) {
      t.failure("victim", "203.0.113.1", T0);
    }
    // The victim's entry is touched by each attempt on it, so fewer than `capacity` other keys
    // between two attempts cannot push it out.
    for (int round = 0; round < 10; round++) {
      for (int i = 0; i < 400; i++) {
        t.failure("noise" + round + "-" + i, "198.51.100.7", T0);
      }
      assertThatThrownBy(() -> t.check("victim", "192.0.2.1", T0))
          .isInstanceOf(LoginThrottledException.class);
    }
    assertThat(t.size()).isLessThanOrEqualTo(1_000);
  }
}
