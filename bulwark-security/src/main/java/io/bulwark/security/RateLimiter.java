package io.bulwark.security;

import io.bulwark.core.RateLimitedException;
import io.bulwark.core.RateLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets per caller and per model, and a daily quota per caller. Thread-safe; a check is a
 * map lookup and a few arithmetic operations under the bucket's own lock.
 *
 * <p>Memory is bounded by {@link RateLimits#maxTracked()} entries per table: beyond it, entries are
 * dropped (those not touched for the longest time first, approximately), which resets their
 * buckets. Only authenticated callers get buckets, so an attacker cannot grow the tables without
 * credentials.
 */
public final class RateLimiter {
  private final RateLimits limits;
  private final LongSupplier nanos;
  private final Clock clock;
  private final ConcurrentHashMap<String, Bucket> principals = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Bucket> models = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, DailyCount> daily = new ConcurrentHashMap<>();

  public RateLimiter(RateLimits limits, Clock clock, LongSupplier nanos) {
    this.limits = limits;
    this.clock = clock;
    this.nanos = nanos;
  }

  public static RateLimiter systemClock(RateLimits limits) {
    return new RateLimiter(limits, Clock.systemUTC(), System::nanoTime);
  }

  /**
   * Admits one request of {@code principalId} to {@code model}, or refuses it.
   *
   * @throws RateLimitedException naming the limit, with when to retry; nothing is consumed from the
   *     other limits when one refuses
   */
  public void acquire(String principalId, String model) {
    long now = nanos.getAsLong();
    Bucket p = null;
    if (limits.principalPerSecond() > 0) {
      p = bucket(principals, principalId, now);
      long wait = p.take(now, limits.principalPerSecond(), limits.principalBurst());
      if (wait > 0) {
        throw new RateLimitedException(
            "rate limit: more than "
                + format(limits.principalPerSecond())
                + " requests per second from this caller",
            Duration.ofNanos(wait));
      }
    }
    if (limits.modelPerSecond() > 0) {
      Bucket m = bucket(models, model, now);
      long wait = m.take(now, limits.modelPerSecond(), limits.modelBurst());
      if (wait > 0) {
        if (p != null) {
          p.giveBack(limits.principalBurst());
        }
        throw new RateLimitedException(
            "rate limit: more than "
                + format(limits.modelPerSecond())
                + " requests per second to this model",
            Duration.ofNanos(wait));
      }
    }
    if (limits.principalPerDay() > 0) {
      Instant instant = clock.instant();
      LocalDate today = LocalDate.ofInstant(instant, ZoneOffset.UTC);
      DailyCount d = daily.computeIfAbsent(principalId, k -> new DailyCount());
      trim(daily);
      if (!d.increment(today, limits.principalPerDay())) {
        Instant midnight = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        throw new RateLimitedException(
            "quota: " + limits.principalPerDay() + " requests per day used up for this caller",
            Duration.between(instant, midnight));
      }
    }
  }

  private static String format(double rate) {
    return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
  }

  private Bucket bucket(ConcurrentHashMap<String, Bucket> table, String key, long now) {
    Bucket b = table.get(key);
    if (b == null) {
      b = table.computeIfAbsent(key, k -> new Bucket(now));
      trim(table);
    }
    return b;
  }

  /** Keeps a table within its bound by dropping the entries touched longest ago, roughly. */
  private <V extends Touched> void trim(ConcurrentHashMap<String, V> table) {
    int excess = table.size() - limits.maxTracked();
    if (excess <= 0) {
      return;
    }
    // Drop a tenth at a time, so that trimming is rare: first entries idle for longer than the
    // median of a small sample, then anything, until within bounds.
    int target = Math.max(excess, limits.maxTracked() / 10);
    long cutoff = sampleMedianTouched(table);
    int removed = 0;
    for (Iterator<V> it = table.values().iterator(); it.hasNext() && removed < target; ) {
      if (it.next().touched() <= cutoff) {
        it.remove();
        removed++;
      }
    }
    for (Iterator<V> it = table.values().iterator();
        it.hasNext() && table.size() > limits.maxTracked(); ) {
      it.next();
      it.remove();
    }
  }

  private static <V extends Touched> long sampleMedianTouched(ConcurrentHashMap<String, V> table) {
    long[] sample = new long[31];
    int n = 0;
    for (V v : table.values()) {
      sample[n++] = v.touched();
      if (n == sample.length) {
        break;
      }
    }
    java.util.Arrays.sort(sample, 0, n);
    return n == 0 ? Long.MAX_VALUE : sample[n / 2];
  }

  /** Number of callers and models currently tracked, for tests and metrics. */
  public int tracked() {
    return principals.size() + models.size() + daily.size();
  }

  private interface Touched {
    long touched();
  }

  /** A token bucket: capacity {@code burst}, refilled at {@code rate} per second. */
  private static final class Bucket implements Touched {
    private double tokens = -1;
    private long last;

    Bucket(long now) {
      this.last = now;
    }

    /** Takes a token; returns 0, or how many nanoseconds until one is available. */
    synchronized long take(long now, double rate, int burst) {
      double capacity = Math.max(1, burst);
      if (tokens < 0) {
        tokens = capacity;
      }
      tokens = Math.min(capacity, tokens + (now - last) * rate / 1e9);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - tokens) * 1e9 / rate);
    }

    synchronized void giveBack(int burst) {
      tokens = Math.min(Math.max(1, burst), tokens + 1);
    }

    @Override
    public synchronized long touched() {
      return last;
    }
  }

  private static final class DailyCount implements Touched {
    private LocalDate day = LocalDate.MIN;
    private long count;
    private long touched;

    synchronized boolean increment(LocalDate today, long max) {
      if (!today.equals(day)) {
        day = today;
        count = 0;
      }
      touched = System.nanoTime();
      if (count >= max) {
        return false;
      }
      count++;
      return true;
    }

    @Override
    public synchronized long touched() {
      return touched;
    }
  }
}
