package io.bulwark.bench;

import io.bulwark.audit.AuditEvent;
import io.bulwark.audit.AuditEventType;
import io.bulwark.audit.AuditLog;
import io.bulwark.audit.AuditLogConfig;
import io.bulwark.audit.AuditOutcome;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Durable audited events per second: {@code AuditLog.append} (the call the server makes before it
 * answers) from many virtual threads at once on a log in a fresh directory, so that group commit
 * batches them behind one {@code fsync}. Each append returns only once its record is on disk.
 */
final class AuditThroughput {
  /** One measurement: concurrent appenders, durable appends per second, append latency. */
  record Result(int threads, double eventsPerSecond, long p50Micros, long p99Micros) {}

  private AuditThroughput() {}

  /** Appends an inference event of the size the server writes from {@code threads} threads. */
  static Result measure(Path dir, int threads, Duration warmup, Duration measure) throws Exception {
    AuditEvent event = inferenceEvent();
    // 0: warming up, 1: measuring, 2: stop.
    AtomicInteger phase = new AtomicInteger();
    List<long[]> latencies = new ArrayList<>();
    long[] counts = new long[threads];
    long measured;
    try (AuditLog log = AuditLog.open(AuditLogConfig.of(dir))) {
      List<Thread> appenders = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long[] mine = new long[1 << 12];
        latencies.add(mine);
        int id = t;
        appenders.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      long[] own = mine;
                      int n = 0;
                      while (true) {
                        int p = phase.get();
                        if (p == 2) {
                          break;
                        }
                        long t0 = System.nanoTime();
                        log.append(event);
                        long took = System.nanoTime() - t0;
                        if (p == 1 && phase.get() == 1) {
                          if (n == own.length) {
                            own = Arrays.copyOf(own, n * 2);
                          }
                          own[n++] = took;
                        }
                      }
                      synchronized (latencies) {
                        latencies.set(id, Arrays.copyOf(own, n));
                        counts[id] = n;
                      }
                    }));
      }
      Thread.sleep(warmup.toMillis());
      phase.set(1);
      long start = System.nanoTime();
      Thread.sleep(measure.toMillis());
      phase.set(2);
      measured = System.nanoTime() - start;
      for (Thread t : appenders) {
        t.join();
      }
    }
    long[] all;
    long total;
    synchronized (latencies) {
      total = Arrays.stream(counts).sum();
      all = new long[(int) total];
      int at = 0;
      for (long[] l : latencies) {
        System.arraycopy(l, 0, all, at, l.length);
        at += l.length;
      }
    }
    Arrays.sort(all);
    return new Result(
        threads,
        total / (measured / 1e9),
        all.length == 0 ? 0 : all[(int) (all.length * 0.50)] / 1000,
        all.length == 0 ? 0 : all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1000);
  }

  /** An INFERENCE record shaped like the server's: ids, digests, sizes and a latency. */
  static AuditEvent inferenceEvent() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("input_sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    p.put("input_bytes", "187");
    p.put("output_sha256", "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752");
    p.put("output_bytes", "236");
    p.put("latency_us", "412");
    return new AuditEvent(
        AuditEventType.INFERENCE,
        AuditOutcome.SUCCESS,
        "key:bwk_0123456789abcdef",
        "model:credit-risk/1",
        "0f6c5e1a-3b7d-4c2e-9a41-8d2f6b7c9e10",
        Instant.parse("2026-11-22T12:00:00.123456Z"),
        p);
  }
}
