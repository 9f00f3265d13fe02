package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.audit.AuditExport;
import io.bulwark.audit.AuditReport;
import io.bulwark.audit.AuditVerifier;
import io.bulwark.audit.Checkpoint;
import io.bulwark.audit.Merkle;
import io.bulwark.audit.NoteVerifierKey;
import io.bulwark.demo.DemoModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole server killed with SIGKILL while clients run audited inferences: after a restart on the
 * same data directory, every inference a client saw answered 200 has its INFERENCE event, the log's
 * indices are contiguous, and every checkpoint the server published is consistent with the one it
 * publishes after the restart.
 *
 * <p>The server runs in its own JVM as {@code bulwark serve --demo} (the demo model is signed by
 * the demo signer, which the server trusts for the demo namespace). {@code
 * -Dbulwark.it.crashRounds=N} (through {@code bulwark.test.argLine}) runs a longer campaign; the
 * default is 2 kills.
 */
class AuditCrashEndToEndTest {
  private static final Pattern LISTENING =
      Pattern.compile("^Bulwark listening on https://[^:]+:(\\d+)$");
  private static final Pattern BEARER = Pattern.compile("Authorization: Bearer ([!-~&&[^\"]]+)\"");
  private static final int CLIENTS = 4;

  @TempDir Path tmp;

  /** A server process and what it printed. */
  private static final class Child implements AutoCloseable {
    final Process process;
    final int port;
    final String consumerKey;

    private Child(Process process, int port, String consumerKey) {
      this.process = process;
      this.port = port;
      this.consumerKey = consumerKey;
    }

    static Child start(Path tmp, Path data, int round) throws Exception {
      // ONNX Runtime crashes in a process with a command line above ~4 KB: the class path goes in
      // an argument file.
      Path args = tmp.resolve("java.args");
      Files.writeString(args, "-cp\n" + System.getProperty("java.class.path") + "\n");
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "--enable-native-access=ALL-UNNAMED",
                  "-Xss1m",
                  "@" + args,
                  "io.bulwark.cli.Bulwark",
                  "serve",
                  "--data",
                  data.toString(),
                  "--port",
                  "0",
                  "--demo")
              .redirectError(tmp.resolve("server-" + round + ".err").toFile())
              .start();
      CountDownLatch ready = new CountDownLatch(1);
      AtomicLong port = new AtomicLong();
      StringBuilder key = new StringBuilder();
      Thread.ofPlatform()
          .daemon()
          .start(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line = r.readLine(); line != null; line = r.readLine()) {
                    Matcher m = LISTENING.matcher(line.strip());
                    if (m.matches()) {
                      port.set(Long.parseLong(m.group(1)));
                    }
                    Matcher b = BEARER.matcher(line);
                    if (b.find()) {
                      synchronized (key) {
                        key.append(b.group(1));
                      }
                      ready.countDown();
                    }
                  }
                } catch (IOException e) {
                  // the process was killed: nothing more to read
                }
              });
      if (!ready.await(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(
            "server did not start: "
                + Files.readString(tmp.resolve("server-" + round + ".err"))
                    .lines()
                    .limit(40)
                    .toList());
      }
      synchronized (key) {
        return new Child(p, (int) port.get(), key.toString());
      }
    }

    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("server killed").isTrue();
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroy();
        try {
          if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
          }
        } catch (InterruptedException e) {
          process.destroyForcibly();
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  @Test
  void serverKilledWhileServing_losesNoAcknowledgedInference_andStaysConsistent() throws Exception {
    int rounds = Integer.getInteger("bulwark.it.crashRounds", 2);
    Path data = tmp.resolve("data");
    Random random = new Random();
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    List<String> notes = new CopyOnWriteArrayList<>();
    AtomicLong sequence = new AtomicLong();
    for (int round = 0; round < rounds; round++) {
      Child child = Child.start(tmp, data, round);
      HttpClient http2 = client(data, HttpClient.Version.HTTP_2);
      HttpClient http1 = client(data, HttpClient.Version.HTTP_1_1);
      String admin = adminKey(data);
      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch firstAck = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        HttpClient http = c % 2 == 0 ? http2 : http1;
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      while (!stop.get()) {
                        byte[] body = request("crash-" + sequence.incrementAndGet());
                        try {
                          HttpResponse<byte[]> r =
                              http.send(
                                  HttpRequest.newBuilder(
                                          uri(child, "/v2/models/" + DemoModel.name() + "/infer"))
                                      .timeout(Duration.ofSeconds(30))
                                      .header("Authorization", "Bearer " + child.consumerKey)
                                      .header("Content-Type", "application/json")
                                      .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                      .build(),
                                  HttpResponse.BodyHandlers.ofByteArray());
                          if (r.statusCode() == 200) {
                            acknowledged.add(sha256(body));
                            firstAck.countDown();
                          }
                        } catch (IOException e) {
                          // the server died under the call: an unanswered call need not be
                          // recorded
                        } catch (InterruptedException e) {
                          return;
                        }
                      }
                    }));
      }
      // Checkpoints published during the run, kept as an auditor would keep them.
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (!stop.get()) {
                      try {
                        HttpResponse<String> r =
                            http2.send(
                                HttpRequest.newBuilder(uri(child, "/api/v1/audit/checkpoint"))
                                    .header("Authorization", "Bearer " + admin)
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                          notes.add(r.body());
                        }
                        Thread.sleep(150);
                      } catch (IOException e) {
                        // killed
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  }));
      assertThat(firstAck.await(60, TimeUnit.SECONDS)).as("inferences are answered").isTrue();
      Thread.sleep(300 + random.nextInt(1500));
      child.kill();
      stop.set(true);
      for (Thread t : threads) {
        t.join(60_000);
      }
      http1.close();
      http2.close();
    }

    try (Child child = Child.start(tmp, data, rounds)) {
      HttpClient http = client(data, HttpClient.Version.HTTP_2);
      String admin = adminKey(data);
      NoteVerifierKey key =
          NoteVerifierKey.parse(get(http, child, admin, "/api/v1/audit/key").strip());
      Checkpoint latest =
          Checkpoint.verify(get(http, child, admin, "/api/v1/audit/checkpoint"), key);

      List<byte[]> leaves = new ArrayList<>();
      Set<String> recorded = new HashSet<>();
      while (leaves.size() < latest.size()) {
        JsonNode page =
            Jsons.parse(
                get(
                    http,
                    child,
                    admin,
                    "/api/v1/audit/entries?start=" + leaves.size() + "&count=1000"));
        assertThat(page.get("entries")).isNotEmpty();
        for (JsonNode e : page.get("entries")) {
          assertThat(e.get("index").asLong()).as("indices are contiguous").isEqualTo(leaves.size());
          leaves.add(Base64.getDecoder().decode(e.get("leaf").asText()));
          JsonNode event = e.get("event");
          if (event.get("type").asText().equals("INFERENCE")
              && event.get("outcome").asText().equals("SUCCESS")) {
            recorded.add(event.get("parameters").get("input_sha256").asText());
          }
        }
      }
      assertThat(acknowledged).as("clients were answered").isNotEmpty();
      Set<String> lost = new HashSet<>(acknowledged);
      lost.removeAll(recorded);
      assertThat(lost).as("acknowledged inferences without an audit event").isEmpty();
      assertThat(root(leaves.subList(0, (int) latest.size())))
          .as("the entries produce the signed root")
          .isEqualTo(latest.rootHash());

      assertThat(notes).as("checkpoints were fetched during the run").isNotEmpty();
      for (String note : new HashSet<>(notes)) {
        Checkpoint earlier = Checkpoint.verify(note, key);
        assertThat(earlier.size()).isLessThanOrEqualTo(latest.size());
        if (earlier.size() == 0) {
          continue;
        }
        JsonNode proof =
            Jsons.parse(
                get(
                    http,
                    child,
                    admin,
                    "/api/v1/audit/proof/consistency?from="
                        + earlier.size()
                        + "&to="
                        + latest.size()));
        List<byte[]> hashes = new ArrayList<>();
        proof.get("hashes").forEach(h -> hashes.add(Base64.getDecoder().decode(h.asText())));
        Merkle.verifyConsistency(
            earlier.size(), latest.size(), earlier.rootHash(), latest.rootHash(), hashes);
      }
      http.close();

      Path out = tmp.resolve("export");
      AuditExport.export(data.resolve("audit"), out);
      AuditReport report = AuditVerifier.verify(out, key);
      assertThat(report.verdict()).isEqualTo(AuditReport.Verdict.VERIFIED);
      assertThat(report.entries()).isGreaterThanOrEqualTo(latest.size());
    }
  }

  private static java.net.URI uri(Child child, String path) {
    return java.net.URI.create("https://127.0.0.1:" + child.port + path);
  }

  private static HttpClient client(Path data, HttpClient.Version version) throws Exception {
    return TestServer.client(data.resolve("tls").resolve("ca.pem"), version);
  }

  private static String adminKey(Path data) throws IOException {
    return Files.readString(data.resolve("bootstrap-admin.key")).strip();
  }

  private static String get(HttpClient http, Child child, String key, String path)
      throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri(child, path))
                .header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    return r.body();
  }

  /** The demo model's sample row under a unique request id, so that its digest is unique. */
  private static byte[] request(String id) {
    StringBuilder json = new StringBuilder("{\"id\":\"").append(id).append("\",\"inputs\":[{");
    json.append("\"name\":\"").append(DemoModel.inputName()).append("\",");
    json.append("\"datatype\":\"").append(DemoModel.inputDatatype()).append("\",\"shape\":[");
    long[] shape = DemoModel.sampleShape();
    for (int i = 0; i < shape.length; i++) {
      json.append(i == 0 ? "" : ",").append(shape[i]);
    }
    json.append("],\"data\":[");
    float[] row = DemoModel.sampleInput();
    for (int i = 0; i < row.length; i++) {
      json.append(i == 0 ? "" : ",").append(row[i]);
    }
    return json.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** RFC 6962 MTH over the leaves. */
  private static byte[] root(List<byte[]> leaves) {
    if (leaves.isEmpty()) {
      return Merkle.emptyRoot();
    }
    List<byte[]> level = new ArrayList<>();
    for (byte[] leaf : leaves) {
      level.add(Merkle.leafHash(leaf));
    }
    // Pairing left to right and carrying an odd last node up gives the RFC 6962 tree.
    while (level.size() > 1) {
      List<byte[]> next = new ArrayList<>();
      for (int i = 0; i + 1 < level.size(); i += 2) {
        next.add(Merkle.nodeHash(level.get(i), level.get(i + 1)));
      }
      if (level.size() % 2 == 1) {
        next.add(level.get(level.size() - 1));
      }
      level = next;
    }
    return level.get(0);
  }
}
