package io.bulwark.it;

import io.bulwark.core.BulwarkConfig;
import io.bulwark.crypto.TlsMaterial;
import io.bulwark.server.BulwarkServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

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

  static TestServer start(Path dataDir, UnaryOperator<BulwarkConfig.Builder> customize)
      throws Exception {
    BulwarkConfig config =
        customize
            .apply(
                BulwarkConfig.builder().dataDirectory(dataDir).port(0).gracefulShutdownMillis(5000))
            .build();
    BulwarkServer server = BulwarkServer.create(config);
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

  HttpResponse<String> pushModel(String name, String version, byte[] bytes) throws Exception {
    return pushAs(adminKey, name, version, bytes);
  }

  HttpResponse<String> pushAs(String apiKey, String name, String version, byte[] bytes)
      throws Exception {
    return http.send(
        request("/api/v1/models/" + name + "/versions/" + version, apiKey)
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
            .build(),
        HttpResponse.BodyHandlers.ofString());
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
