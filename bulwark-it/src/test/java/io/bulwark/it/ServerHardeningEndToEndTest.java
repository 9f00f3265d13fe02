package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.Limits;
import io.bulwark.demo.DemoModel;
import io.bulwark.server.DemoDeployment;
import io.bulwark.testing.Bytes;
import io.bulwark.testing.OnnxElementType;
import io.bulwark.testing.OnnxModels;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restart, encryption at rest, tampering, limits, TLS-only and graceful shutdown. */
class ServerHardeningEndToEndTest {
  @TempDir Path tmp;

  @Test
  void restart_reusesCaKeysDatabaseAndDeployments() throws Exception {
    Path dir = tmp.resolve("data");
    byte[] ca;
    String admin;
    DemoDeployment demo;
    try (TestServer first = TestServer.start(dir)) {
      assertThat(first.server.bootstrapAdminKey()).isPresent();
      demo = first.server.deployDemo();
      ca = Files.readAllBytes(dir.resolve("tls/ca.pem"));
      admin = first.adminKey;
    }
    try (TestServer second = TestServer.start(dir)) {
      assertThat(second.server.bootstrapAdminKey()).isEmpty();
      assertThat(Files.readAllBytes(dir.resolve("tls/ca.pem"))).isEqualTo(ca);
      assertThat(second.get("/api/v1/models", admin).statusCode()).isEqualTo(200);
      HttpResponse<String> r =
          second.postJson(
              "/v2/models/credit-risk/infer", demo.consumerApiKey(), demo.inferenceRequestJson());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
  }

  @Test
  void pushAndLoad_neverWritePlaintextToDataOrTempDirectory() throws Exception {
    Instant started = Instant.now().minusSeconds(1);
    byte[] model = DemoModel.onnxBytes();
    List<byte[]> probes = new ArrayList<>();
    for (int at : new int[] {model.length / 4, model.length / 2, (model.length * 3) / 4}) {
      probes.add(Arrays.copyOfRange(model, at, Math.min(model.length, at + 48)));
    }
    Path dir = tmp.resolve("data");
    try (TestServer s = TestServer.start(dir)) {
      s.publish("secret-model", "1", model);
      s.publish("secret-model", "2", model);
      HttpResponse<String> r =
          s.postJson(
              "/v2/models/secret-model/infer",
              s.adminKey,
              s.server.deployDemo().inferenceRequestJson());
      assertThat(r.statusCode()).isEqualTo(200);
      List<Path> scanned = new ArrayList<>(regularFiles(dir));
      Path systemTmp = Path.of(System.getProperty("java.io.tmpdir"));
      for (Path f : regularFiles(systemTmp)) {
        try {
          FileTime t = Files.getLastModifiedTime(f);
          if (t.toInstant().isAfter(started) && Files.size(f) < 512L * 1024 * 1024) {
            scanned.add(f);
          }
        } catch (IOException goneMeanwhile) {
          // another process's temporary file, deleted between listing and reading
        }
      }
      assertThat(scanned).anyMatch(p -> p.toString().endsWith(".sealed"));
      for (Path f : scanned) {
        byte[] content;
        try {
          content = Files.readAllBytes(f);
        } catch (IOException unreadable) {
          continue;
        }
        for (byte[] probe : probes) {
          assertThat(Bytes.indexOf(content, probe))
              .as("plaintext model bytes in " + f)
              .isEqualTo(-1);
        }
      }
    }
  }

  @Test
  void tamperedOrMisplacedBlob_failsToDeployWithClearError() throws Exception {
    Path dir = tmp.resolve("data");
    try (TestServer s = TestServer.start(dir)) {
      s.pushModel("m", "1", OnnxModels.identity(OnnxElementType.FLOAT, -1));
      Set<Path> before = new HashSet<>(regularFiles(dir.resolve("blobs")));
      s.pushModel("m", "2", OnnxModels.identity(OnnxElementType.DOUBLE, -1));
      Path v2 =
          regularFiles(dir.resolve("blobs")).stream()
              .filter(p -> !before.contains(p))
              .findFirst()
              .orElseThrow();
      Path v1 = before.iterator().next();
      assertThat(s.approve("m", "1").statusCode()).isEqualTo(200);
      assertThat(s.approve("m", "2").statusCode()).isEqualTo(200);
      byte[] original = Files.readAllBytes(v2);

      byte[] flipped = original.clone();
      flipped[flipped.length / 2] ^= 0x20;
      Files.write(v2, flipped);
      HttpResponse<String> r = s.deploy("m", "2");
      assertThat(r.statusCode()).isEqualTo(500);
      assertThat(Jsons.parse(r.body()).get("error").asText())
          .contains("model 'm' version '2'")
          .contains("integrity");

      Files.copy(v1, v2, StandardCopyOption.REPLACE_EXISTING);
      r = s.deploy("m", "2");
      assertThat(r.statusCode()).isEqualTo(500);
      assertThat(r.body()).contains("integrity");

      Files.write(v2, original);
      assertThat(s.deploy("m", "2").statusCode()).isEqualTo(200);
      assertThat(s.deploy("m", "1").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void limits_justBelowPass_justAboveAreRefusedClearly() throws Exception {
    Limits limits =
        Limits.defaults()
            .withMaxRequestBytes(64 * 1024)
            .withMaxTensorElements(1000)
            .withMaxJsonDepth(8)
            .withMaxHeaderBytes(8 * 1024);
    try (TestServer s = TestServer.start(tmp.resolve("data"), b -> b.limits(limits))) {
      s.publish("vec", "1", OnnxModels.identity(OnnxElementType.FLOAT, -1));

      // tensor elements
      assertThat(s.postJson("/v2/models/vec/infer", s.adminKey, vector(1000)).statusCode())
          .isEqualTo(200);
      HttpResponse<String> tooMany = s.postJson("/v2/models/vec/infer", s.adminKey, vector(1001));
      assertThat(tooMany.statusCode()).isEqualTo(400);
      assertThat(tooMany.body()).contains("limits.max_tensor_elements");

      // request body size
      String ok = vector(10);
      String padded = ok + " ".repeat(64 * 1024 - ok.length());
      assertThat(s.postJson("/v2/models/vec/infer", s.adminKey, padded).statusCode())
          .isEqualTo(200);
      // Over HTTP/2 the server answers 413 and then resets the upload stream, which some clients
      // report as a reset rather than the response; HTTP/1.1 shows the response every time.
      HttpResponse<String> tooLarge =
          TestServer.client(s.server.caCertificate(), java.net.http.HttpClient.Version.HTTP_1_1)
              .send(
                  s.request("/v2/models/vec/infer", s.adminKey)
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(padded + " "))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(tooLarge.statusCode()).isEqualTo(413);
      assertThat(Jsons.parse(tooLarge.body()).get("error").asText()).contains("65536");

      // JSON nesting depth: object, inputs, input, then the data arrays.
      s.publish("rank5", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 1, 1, 1, 1));
      s.publish("rank6", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 1, 1, 1, 1, 1));
      assertThat(s.postJson("/v2/models/rank5/infer", s.adminKey, nested(5)).statusCode())
          .isEqualTo(200);
      HttpResponse<String> tooDeep = s.postJson("/v2/models/rank6/infer", s.adminKey, nested(6));
      assertThat(tooDeep.statusCode()).isEqualTo(400);
      assertThat(tooDeep.body()).containsIgnoringCase("depth");

      // header size
      HttpResponse<String> smallHeaders =
          s.http.send(
              s.request("/v2/models/vec", s.adminKey)
                  .header("X-Padding", "p".repeat(4 * 1024))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(smallHeaders.statusCode()).isEqualTo(200);
      // Over HTTP/1.1 the answer is a status; over HTTP/2 a header list above the advertised
      // limit may also be refused by resetting the stream (RFC 9113), which the JDK reports as an
      // IOException — either way the request is refused before any service sees it.
      HttpResponse<String> bigHeaders =
          TestServer.client(s.server.caCertificate(), java.net.http.HttpClient.Version.HTTP_1_1)
              .send(
                  s.request("/v2/models/vec", s.adminKey)
                      .header("X-Padding", "p".repeat(9 * 1024))
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(bigHeaders.statusCode()).isIn(431, 400);
    }
  }

  @Test
  void modelSize_atLimitAccepted_aboveRefusedWith413() throws Exception {
    byte[] model = OnnxModels.identity(OnnxElementType.FLOAT, -1);
    byte[] bigger = OnnxModels.identity(OnnxElementType.FLOAT, -1, -1);
    assertThat(bigger.length).isGreaterThan(model.length);
    Limits limits = Limits.defaults().withMaxModelBytes(model.length);
    try (TestServer s = TestServer.start(tmp.resolve("data"), b -> b.limits(limits))) {
      assertThat(s.pushModel("fits", "1", model).statusCode()).isEqualTo(201);
      HttpResponse<String> r = s.pushModel("too-big", "1", bigger);
      assertThat(r.statusCode()).isEqualTo(413);
      assertThat(s.get("/api/v1/models/too-big", s.adminKey).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void rateLimit_perCaller_429WithRetryAfter_otherCallersUnaffected() throws Exception {
    io.bulwark.core.RateLimits rates = new io.bulwark.core.RateLimits(0.5, 2, 0, 0, 0, 1000);
    try (TestServer s = TestServer.start(tmp.resolve("data"), b -> b.rateLimits(rates))) {
      s.publish("m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      String alice = s.createKey("consumer", "m");
      String bob = s.createKey("consumer", "m");
      String body =
          "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}";
      assertThat(s.postJson("/v2/models/m/infer", alice, body).statusCode()).isEqualTo(200);
      assertThat(s.postJson("/v2/models/m/infer", alice, body).statusCode()).isEqualTo(200);
      HttpResponse<String> limited = s.postJson("/v2/models/m/infer", alice, body);
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.body()).contains("requests per second from this caller");
      assertThat(Long.parseLong(limited.headers().firstValue("retry-after").orElseThrow()))
          .isBetween(1L, 2L);
      assertThat(s.postJson("/v2/models/m/infer", bob, body).statusCode()).isEqualTo(200);
      // An ungranted model is still "not found", not rate limited.
      assertThat(s.postJson("/v2/models/other/infer", alice, body).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void concurrentInferences_aboveLimit_get503() throws Exception {
    Limits limits = Limits.defaults().withMaxConcurrentInferences(1);
    try (TestServer s = TestServer.start(tmp.resolve("data"), b -> b.limits(limits))) {
      s.publish("slow", "1", OnnxModels.slowMatMul(256, 16));
      String body = rows(256, 64);
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(
            s.http.sendAsync(
                s.request("/v2/models/slow/infer", s.adminKey)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      int ok = 0;
      int refused = 0;
      for (var c : calls) {
        HttpResponse<String> r = c.join();
        if (r.statusCode() == 200) {
          ok++;
        } else {
          assertThat(r.statusCode()).isEqualTo(503);
          assertThat(r.body()).contains("limits.max_concurrent_inferences");
          assertThat(r.headers().firstValue("retry-after")).isPresent();
          refused++;
        }
      }
      assertThat(ok).isGreaterThanOrEqualTo(1);
      assertThat(refused).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void deploySwitch_underLoad_failsNoRequest() throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      String body = s.server.deployDemo().inferenceRequestJson();
      s.pushModel("swap", "1", DemoModel.onnxBytes());
      s.pushModel("swap", "2", DemoModel.onnxBytes());
      s.approve("swap", "1");
      s.approve("swap", "2");
      s.deploy("swap", "1");
      java.util.concurrent.atomic.AtomicBoolean done =
          new java.util.concurrent.atomic.AtomicBoolean();
      List<CompletableFuture<List<String>>> clients = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        clients.add(
            CompletableFuture.supplyAsync(
                () -> {
                  List<String> failures = new ArrayList<>();
                  int calls = 0;
                  while (!done.get() || calls < 20) {
                    calls++;
                    try {
                      HttpResponse<String> r =
                          s.postJson("/v2/models/swap/infer", s.adminKey, body);
                      String version = Jsons.parse(r.body()).path("model_version").asText();
                      if (r.statusCode() != 200 || !Set.of("1", "2").contains(version)) {
                        failures.add(r.statusCode() + " " + r.body());
                      }
                    } catch (Exception e) {
                      failures.add(e.toString());
                    }
                  }
                  return failures;
                }));
      }
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> d = s.deploy("swap", i % 2 == 0 ? "2" : "1");
        assertThat(d.statusCode()).as(d.body()).isEqualTo(200);
      }
      done.set(true);
      for (var c : clients) {
        assertThat(c.join()).isEmpty();
      }
    }
  }

  @Test
  void plaintextHttp_onTheTlsPort_getsNoHttpResponse() throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"));
        Socket socket = new Socket(java.net.InetAddress.getLoopbackAddress(), s.server.port())) {
      socket.setSoTimeout(3000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /v2/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] got = new byte[64];
      int n;
      InputStream in = socket.getInputStream();
      try {
        n = in.readNBytes(got, 0, got.length);
      } catch (SocketTimeoutException | java.net.SocketException e) {
        n = 0;
      }
      String text = new String(got, 0, Math.max(n, 0), StandardCharsets.ISO_8859_1);
      assertThat(text).doesNotContain("HTTP/").doesNotContain("live");
    }
  }

  @Test
  void close_letsInFlightRequestFinish() throws Exception {
    TestServer s = TestServer.start(tmp.resolve("data"));
    try {
      // About 137 GFLOP: seconds even on fast cores, so that close() surely begins mid-request.
      s.publish("slow", "1", OnnxModels.slowMatMul(512, 256));
      java.util.concurrent.atomic.AtomicLong finishedAt =
          new java.util.concurrent.atomic.AtomicLong();
      CompletableFuture<HttpResponse<String>> inFlight =
          s.http
              .sendAsync(
                  s.request("/v2/models/slow/infer", s.adminKey)
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(rows(512, 2048)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .whenComplete((r, e) -> finishedAt.set(System.nanoTime()));
      Thread.sleep(500);
      long closing = System.nanoTime();
      s.close();
      HttpResponse<String> r = inFlight.join();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(finishedAt.get())
          .as("the request must still have been running when close() began")
          .isGreaterThan(closing);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    } finally {
      s.close();
    }
  }

  private static String vector(int n) {
    StringBuilder sb =
        new StringBuilder("{\"inputs\":[{\"name\":\"x\",\"shape\":[")
            .append(n)
            .append("],\"datatype\":\"FP32\",\"data\":[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append(i % 10);
    }
    return sb.append("]}]}").toString();
  }

  private static String nested(int rank) {
    String shape = "1,".repeat(rank);
    return "{\"inputs\":[{\"name\":\"x\",\"shape\":["
        + shape.substring(0, shape.length() - 1)
        + "],\"datatype\":\"FP32\",\"data\":"
        + "[".repeat(rank)
        + "1"
        + "]".repeat(rank)
        + "}]}";
  }

  private static String rows(int n, int rows) {
    StringBuilder sb =
        new StringBuilder("{\"inputs\":[{\"name\":\"x\",\"shape\":[")
            .append(rows)
            .append(',')
            .append(n)
            .append("],\"datatype\":\"FP32\",\"data\":[");
    for (int i = 0; i < n * rows; i++) {
      sb.append(i == 0 ? "" : ",").append("0.5");
    }
    return sb.append("]}]}").toString();
  }

  /** Every readable regular file under {@code dir}; unreadable directories are skipped. */
  private static List<Path> regularFiles(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    Files.walkFileTree(
        dir,
        new java.nio.file.SimpleFileVisitor<>() {
          @Override
          public java.nio.file.FileVisitResult visitFile(
              Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
            if (attrs.isRegularFile() && Files.isReadable(file)) {
              out.add(file);
            }
            return java.nio.file.FileVisitResult.CONTINUE;
          }

          @Override
          public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
            return java.nio.file.FileVisitResult.CONTINUE;
          }
        });
    return out;
  }
}
