package io.bulwark.audit;

import io.bulwark.audit.internal.OcsfMapper;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A best-effort copy of audit events for a SIEM, as OCSF JSON (see {@code docs/audit.md} for the
 * mapping): {@link #offer} never blocks the audited operation; a bounded buffer absorbs bursts, and
 * what does not fit is dropped and counted ({@link #dropped}), and reported in the stream itself by
 * a "dropped N events" record at most once per report interval. The tamper-evident {@link AuditLog}
 * is the record of truth; this stream is never the only copy.
 */
public final class AuditStream implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditStream.class);

  private final SiemSink sink;
  private final ArrayBlockingQueue<AuditEvent> buffer;
  private final Duration reportInterval;
  private final Clock clock;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final Thread worker;
  private volatile boolean closed;
  private long reported;
  private long lastReportNanos;

  private AuditStream(SiemSink sink, int capacity, Duration reportInterval, Clock clock) {
    this.sink = sink;
    this.buffer = new ArrayBlockingQueue<>(capacity);
    this.reportInterval = reportInterval;
    this.clock = clock;
    this.lastReportNanos = System.nanoTime();
    this.worker = Thread.ofPlatform().name("audit-siem-stream").daemon(true).unstarted(this::run);
  }

  /**
   * Starts a stream to {@code sink} with room for {@code capacity} undelivered events, reporting
   * drops at most once per {@code reportInterval}.
   */
  public static AuditStream start(SiemSink sink, int capacity, Duration reportInterval) {
    if (capacity < 1 || capacity > 1_000_000) {
      throw new IllegalArgumentException("capacity must be in [1, 1000000]");
    }
    if (reportInterval.isNegative() || reportInterval.isZero()) {
      throw new IllegalArgumentException("reportInterval must be positive");
    }
    AuditStream s = new AuditStream(sink, capacity, reportInterval, Clock.systemUTC());
    s.worker.start();
    return s;
  }

  /** Queues {@code event} for delivery, or counts it as dropped if the buffer is full. */
  public void offer(AuditEvent event) {
    if (closed || !buffer.offer(event)) {
      dropped.incrementAndGet();
    }
  }

  /** Events dropped so far (buffer full, sink failed, or stream closed). */
  public long dropped() {
    return dropped.get();
  }

  /** Events delivered so far. */
  public long delivered() {
    return delivered.get();
  }

  private void run() {
    while (!closed || !buffer.isEmpty()) {
      AuditEvent e;
      try {
        e = buffer.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException ex) {
        continue;
      }
      if (e != null) {
        deliver(OcsfMapper.map(e));
      }
      reportDrops(false);
    }
    reportDrops(true);
  }

  private void deliver(byte[] json) {
    try {
      sink.send(json);
      delivered.incrementAndGet();
    } catch (Exception ex) {
      // One warning per report interval: with the receiver down every event fails, and the drop
      // report that follows carries the counts.
      if (dropped.incrementAndGet() == reported + 1) {
        log.warn("SIEM stream: delivery failed: {}", ex.toString());
      }
    }
  }

  private void reportDrops(boolean now) {
    long total = dropped.get();
    if (total == reported) {
      return;
    }
    if (!now && System.nanoTime() - lastReportNanos < reportInterval.toNanos()) {
      return;
    }
    long n = total - reported;
    reported = total;
    lastReportNanos = System.nanoTime();
    try {
      sink.send(OcsfMapper.dropped(n, total, clock.instant()));
    } catch (Exception ex) {
      log.warn("SIEM stream: {} events dropped; the report could not be delivered either", n);
    }
  }

  /** Delivers what is buffered (waiting at most 10 s) and closes the sink. */
  @Override
  public void close() {
    closed = true;
    try {
      worker.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      sink.close();
    } catch (Exception e) {
      log.warn("SIEM stream: closing the sink failed: {}", e.toString());
    }
  }
}
