package io.bulwark.security.people.internal;

import io.bulwark.security.people.LoginThrottledException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exponential backoff of failed logins, per username and per client address, in a map of fixed
 * capacity that forgets the least recently used key first. Unknown usernames are counted exactly as
 * known ones. Checking happens before any password work.
 */
final class LoginThrottle {
  private final int freeFailures;
  private final Duration firstBackoff;
  private final Duration maxBackoff;
  private final int capacity;
  private final LinkedHashMap<String, State> states;

  private static final class State {
    int failures;
    Instant blockedUntil = Instant.MIN;
  }

  LoginThrottle(int capacity, int freeFailures, Duration firstBackoff, Duration maxBackoff) {
    this.capacity = capacity;
    this.freeFailures = freeFailures;
    this.firstBackoff = firstBackoff;
    this.maxBackoff = maxBackoff;
    this.states =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
            return size() > LoginThrottle.this.capacity;
          }
        };
  }

  private static String userKey(String username) {
    return "u:" + username;
  }

  private static String addressKey(String address) {
    return "a:" + address;
  }

  /**
   * Refuses an attempt while the username or the address is waiting.
   *
   * @throws LoginThrottledException if the username or the address is still waiting
   */
  synchronized void check(String username, String address, Instant now)
      throws LoginThrottledException {
    Instant until = later(blockedUntil(userKey(username)), blockedUntil(addressKey(address)));
    if (now.isBefore(until)) {
      long millis = Duration.between(now, until).toMillis();
      long seconds = Math.max(1, (millis + 999) / 1000);
      throw new LoginThrottledException("throttled after repeated failures", seconds);
    }
  }

  /**
   * Checks and, if allowed, counts the attempt as a failure in one step, so that a burst of
   * concurrent attempts cannot all pass the check before any of them has failed. {@link #success}
   * undoes it.
   *
   * @throws LoginThrottledException if the username or the address is still waiting
   */
  synchronized void attempt(String username, String address, Instant now)
      throws LoginThrottledException {
    check(username, address, now);
    failure(username, address, now);
  }

  synchronized void failure(String username, String address, Instant now) {
    fail(userKey(username), now);
    fail(addressKey(address), now);
  }

  /** Forgets the failures of both keys. */
  synchronized void success(String username, String address) {
    states.remove(userKey(username));
    states.remove(addressKey(address));
  }

  synchronized int size() {
    return states.size();
  }

  /** The delay imposed after the {@code failures}-th failure. */
  Duration backoff(int failures) {
    int over = failures - freeFailures;
    if (over <= 0) {
      return Duration.ZERO;
    }
    Duration d = firstBackoff;
    // Doubling stops at the cap, so it never overflows however many failures pile up.
    for (int i = 1; i < over && d.compareTo(maxBackoff) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
  }

  private Instant blockedUntil(String key) {
    State s = states.get(key);
    return s == null ? Instant.MIN : s.blockedUntil;
  }

  private void fail(String key, Instant now) {
    State s = states.computeIfAbsent(key, k -> new State());
    if (s.failures < Integer.MAX_VALUE) {
      s.failures++;
    }
    Duration d = backoff(s.failures);
    if (!d.isZero()) {
      s.blockedUntil = now.plus(d);
    }
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
