package io.bulwark.it;

import io.bulwark.core.BulwarkConfig;
import io.bulwark.core.NamespaceTrust;
import io.bulwark.core.SignerTrust;
import io.bulwark.core.SigningPolicyConfig;
import io.bulwark.crypto.TlsMaterial;
import io.bulwark.server.BulwarkServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/** A real Bulwark server on an ephemeral loopback port, and an HTTPS client that trusts its CA. */
final class TestServer implements AutoCloseable {
  final Path dataDir;
  final BulwarkServer server;
  final HttpClient http;
  final String adminKey;

  /** A second admin: approvals need someone other than the publisher. */
  final String approverKey;

  private TestServer(Path dataDir, BulwarkServer server) throws Exception {
    this.dataDir = dataDir;
    this.server = server;
    this.http = client(server.caCertificate(), HttpClient.Version.HTTP_2);
    this.adminKey = Files.readString(dataDir.resolve(BulwarkServer.BOOTSTRAP_KEY_FILE)).strip();
    this.approverKey = createKey("admin");
  }

  static TestServer start(Path dataDir) throws Exception {
    return start(dataDir, b -> b);
  }

  /**
   * Starts a server that trusts {@link #SIGNER} for every namespace; {@code customize} may replace
   * that with its own {@code signing} policy.
   */
  static TestServer start(Path dataDir, UnaryOperator<BulwarkConfig.Builder> customize)
      throws Exception {
    BulwarkConfig config =
        customize
            .apply(
                BulwarkConfig.builder()
                    .dataDirectory(dataDir)
                    .port(0)
                    .gracefulShutdownMillis(5000)
                    .signing(trusting(SIGNER)))
            .build();
    // The demo signer is trusted in the demo's namespace, as under 'serve --demo'.
    BulwarkServer server = BulwarkServer.create(BulwarkServer.withDemoSigner(config));
    server.start();
    return new TestServer(dataDir, server);
  }

  static HttpClient client(Path caPem, HttpClient.Version version)
      throws IOException, GeneralSecurityException {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(TlsMaterial.trustStore(caPem));
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder()
        .sslContext(ssl)
        .version(version)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  URI uri(String path) {
    return URI.create("https://127.0.0.1:" + server.port() + path);
  }

  HttpRequest.Builder request(String path, String apiKey) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
    if (apiKey != null) {
      b.header("Authorization", "Bearer " + apiKey);
    }
    return b;
  }

  HttpResponse<String> get(String path, String apiKey) throws Exception {
    return http.send(request(path, apiKey).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> postJson(String path, String apiKey, String json) throws Exception {
    return http.send(
        request(path, apiKey)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> putJson(String path, String apiKey, String json) throws Exception {
    return http.send(
        request(path, apiKey)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> delete(String path, String apiKey) throws Exception {
    return http.send(request(path, apiKey).DELETE().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A signer whose public key the servers of these tests trust by default. */
  static final TestSigner SIGNER = TestSigner.generate();

  /** A signing policy that trusts {@code signer} for every namespace. */
  static SigningPolicyConfig trusting(TestSigner signer) {
    return new SigningPolicyConfig(
        Map.of(
            SigningPolicyConfig.ANY_NAMESPACE,
            new NamespaceTrust(false, List.of(new SignerTrust.PublicKey(signer.publicKeyFile())))));
  }

  static final String CARD =
      "{\"owner\":\"test-team\",\"description\":\"a test model\",\"intended_use\":\"tests\","
          + "\"licence\":\"Apache-2.0\",\"risk_tier\":\"low\"}";

  /** Pushes {@code bytes} with a card and a signature by {@link #SIGNER}. */
  HttpResponse<String> pushModel(String name, String version, byte[] bytes) throws Exception {
    return pushAs(adminKey, name, version, bytes);
  }

  HttpResponse<String> pushAs(String apiKey, String name, String version, byte[] bytes)
      throws Exception {
    return pushParts(apiKey, name, version, CARD, SIGNER.sign(bytes), bytes);
  }

  /** Pushes with exactly these parts; a null part is left out. */
  HttpResponse<String> pushParts(
      String apiKey,
      String name,
      String version,
      @Nullable String card,
      byte @Nullable [] signature,
      byte @Nullable [] model)
      throws Exception {
    Multipart body = new Multipart();
    if (card != null) {
      body.part("card", card.getBytes(StandardCharsets.UTF_8));
    }
    if (signature != null) {
      body.part("signature", signature);
    }
    if (model != null) {
      body.part("model", model);
    }
    return pushRaw(apiKey, name, version, body.contentType(), body.bytes());
  }

  HttpResponse<String> pushRaw(
      String apiKey, String name, String version, String contentType, byte[] body)
      throws Exception {
    return http.send(
        request("/api/v1/models/" + name + "/versions/" + version, apiKey)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A multipart/form-data body built in memory. */
  static final class Multipart {
    final String boundary = "test-boundary-" + Long.toHexString(System.nanoTime());
    private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

    Multipart part(String name, byte[] content) {
      out.writeBytes(
          ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(content);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      return this;
    }

    String contentType() {
      return "multipart/form-data; boundary=" + boundary;
    }

    byte[] bytes() {
      java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
      all.writeBytes(out.toByteArray());
      all.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
      return all.toByteArray();
    }
  }

  HttpResponse<String> deploy(String name, String version) throws Exception {
    return putJson(
        "/api/v1/models/" + name + "/deployment", adminKey, "{\"version\":\"" + version + "\"}");
  }

  HttpResponse<String> approve(String name, String version) throws Exception {
    return postJson(
        "/api/v1/models/" + name + "/versions/" + version + "/approve",
        approverKey,
        "{\"reason\":\"reviewed\"}");
  }

  /** Pushes, approves (as a second admin) and deploys, failing the test on any refusal. */
  void publish(String name, String version, byte[] bytes) throws Exception {
    HttpResponse<String> pushed = pushModel(name, version, bytes);
    if (pushed.statusCode() != 201) {
      throw new AssertionError("push " + name + ": " + pushed.statusCode() + " " + pushed.body());
    }
    HttpResponse<String> approved = approve(name, version);
    if (approved.statusCode() != 200) {
      throw new AssertionError(
          "approve " + name + ": " + approved.statusCode() + " " + approved.body());
    }
    HttpResponse<String> deployed = deploy(name, version);
    if (deployed.statusCode() != 200) {
      throw new AssertionError(
          "deploy " + name + ": " + deployed.statusCode() + " " + deployed.body());
    }
  }

  /** Creates a key through the API and returns its secret. */
  String createKey(String role, String... models) throws Exception {
    StringBuilder json =
        new StringBuilder("{\"name\":\"test\",\"role\":\"").append(role).append("\",\"models\":[");
    for (int i = 0; i < models.length; i++) {
      json.append(i == 0 ? "" : ",").append('"').append(models[i]).append('"');
    }
    json.append("]}");
    HttpResponse<String> r = postJson("/api/v1/keys", adminKey, json.toString());
    if (r.statusCode() != 201) {
      throw new AssertionError("create key: " + r.statusCode() + " " + r.body());
    }
    return Jsons.parse(r.body()).get("key").asText();
  }

  @Override
  public void close() {
    server.close();
  }
}
