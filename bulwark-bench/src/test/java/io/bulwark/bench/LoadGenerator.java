package io.bulwark.bench;

import io.bulwark.crypto.TlsMaterial;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * The load generator, run in its own JVM so that it does not share a heap, a JIT or a garbage
 * collector with the server. It posts one request body over and over from {@code concurrency}
 * workers, each waiting for its answer (body read to the end) before sending the next.
 *
 * <p>Three phases: warm-up (discarded); closed loop, whose request rate is the throughput; then,
 * unless {@code paced=0}, a paced phase at that fraction of the throughput, in which every worker
 * has a schedule (request k is due at start + k × interval) and each latency is measured from when
 * the request was due, not from when it was sent. A server stall therefore counts for every request
 * that should have been sent during it, which a closed loop hides (coordinated omission); the
 * percentiles reported come from that phase. Percentiles are exact: every sample is kept and
 * sorted.
 *
 * <p>Arguments are {@code key=value}: url, ca, body, content-type, and optionally key-file,
 * header-length, http (1.1 or 2), concurrency, warmup-ms, measure-ms, paced. Prints one line,
 * {@code RESULT key=value ...}, with latencies in microseconds; never prints the API key or a body.
 */
final class LoadGenerator {
  private final HttpClient client;
  private final HttpRequest request;
  private final int concurrency;

  private LoadGenerator(HttpClient client, HttpRequest request, int concurrency) {
    this.client = client;
    this.request = request;
    this.concurrency = concurrency;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      a.put(kv[0], kv[1]);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(TlsMaterial.trustStore(Path.of(a.get("ca"))));
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(ssl)
            .version(
                "1.1".equals(a.get("http"))
                    ? HttpClient.Version.HTTP_1_1
                    : HttpClient.Version.HTTP_2)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(a.get("url")))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", a.get("content-type"))
            .POST(
                HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(Path.of(a.get("body")))));
    if (a.containsKey("key-file")) {
      String key = Files.readString(Path.of(a.get("key-file")), StandardCharsets.US_ASCII).strip();
      request.header("Authorization", "Bearer " + key);
    }
    if (Integer.parseInt(a.getOrDefault("header-length", "-1")) >= 0) {
      request.header("Inference-Header-Content-Length", a.get("header-length"));
    }
    int concurrency = Integer.parseInt(a.getOrDefault("concurrency", "1"));
    long warmup = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(a.getOrDefault("warmup-ms", "0")));
    long measure =
        TimeUnit.MILLISECONDS.toNanos(Long.parseLong(a.getOrDefault("measure-ms", "1000")));
    double paced = Double.parseDouble(a.getOrDefault("paced", "0.7"));

    LoadGenerator load = new LoadGenerator(client, request.build(), concurrency);
    load.phase(warmup, 0);
    Phase closed = load.phase(measure, 0);
    double rate = closed.requests() / (measure / 1e9);
    Phase latencies = paced > 0 && rate > 0 ? load.phase(measure, paced * rate) : closed;
    System.out.printf(
        "RESULT rps=%.1f requests=%d errors=%d paced_rps=%.1f p50=%d p99=%d p999=%d max=%d"
            + " first_error=%s%n",
        rate,
        closed.requests(),
        closed.errors + (latencies == closed ? 0 : latencies.errors),
        latencies == closed ? 0 : latencies.requests() / (measure / 1e9),
        latencies.percentile(50),
        latencies.percentile(99),
        latencies.percentile(99.9),
        latencies.percentile(100),
        closed.firstError != null ? closed.firstError : latencies.firstError);
    System.exit(0);
  }

  /** What one phase measured: every latency sample, sorted, and the failures. */
  private static final class Phase {
    final long[] sortedMicros;
    final long errors;
    final @Nullable String firstError;

    Phase(long[] sortedMicros, long errors, @Nullable String firstError) {
      this.sortedMicros = sortedMicros;
      this.errors = errors;
      this.firstError = firstError;
    }

    long requests() {
      return sortedMicros.length + errors;
    }

    long percentile(double p) {
      if (sortedMicros.length == 0) {
        return 0;
      }
      int rank = (int) Math.ceil(p / 100 * sortedMicros.length) - 1;
      return sortedMicros[Math.max(0, Math.min(sortedMicros.length - 1, rank))];
    }
  }

  /**
   * Runs all workers for {@code nanos}; closed loop when {@code rate} is 0, else each worker paced
   * at {@code rate / concurrency} requests per second.
   */
  private Phase phase(long nanos, double rate) throws InterruptedException {
    long start = System.nanoTime();
    long end = start + nanos;
    long interval = rate > 0 ? (long) (1e9 * concurrency / rate) : 0;
    AtomicLong errors = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    List<long[]> perWorker = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      long offset = interval * w / concurrency;
      long[][] samples = {new long[1024]};
      int[] count = {0};
      Thread t =
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (long k = 0; ; k++) {
                      long due = interval > 0 ? start + offset + k * interval : System.nanoTime();
                      if (due >= end) {
                        break;
                      }
                      long wait = due - System.nanoTime();
                      if (wait > 0) {
                        LockSupport.parkNanos(wait);
                      }
                      String failure = send();
                      long done = System.nanoTime();
                      if (failure != null) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, failure);
                      } else {
                        if (count[0] == samples[0].length) {
                          samples[0] = Arrays.copyOf(samples[0], count[0] * 2);
                        }
                        samples[0][count[0]++] = (done - due) / 1000;
                      }
                      if (done >= end) {
                        break;
                      }
                    }
                    synchronized (perWorker) {
                      perWorker.add(Arrays.copyOf(samples[0], count[0]));
                    }
                  });
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    long[] all = perWorker.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    return new Phase(all, errors.get(), firstError.get());
  }

  /** Sends the request once; null on a 200, else what went wrong. */
  private @Nullable String send() {
    try {
      HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200 ? null : "status " + response.statusCode();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return e.getClass().getSimpleName();
    }
  }
}
