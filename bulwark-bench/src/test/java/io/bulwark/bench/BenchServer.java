package io.bulwark.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.core.BulwarkConfig;
import io.bulwark.core.NamespaceTrust;
import io.bulwark.core.RateLimits;
import io.bulwark.core.SecureFiles;
import io.bulwark.core.SignerTrust;
import io.bulwark.core.SigningPolicyConfig;
import io.bulwark.crypto.TlsMaterial;
import io.bulwark.server.BulwarkServer;
import io.bulwark.signing.ModelSigner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Bulwark as an operator would run it, with every control that exists on: HTTPS, API keys, pushes
 * signed by a trusted publisher and admitted by the scanner, approval by a second admin, and rate
 * limits per caller and per model, set high enough that they are counted but never refuse.
 */
final class BenchServer implements AutoCloseable {
  /** Per caller and per model: counted on every request, far above what one machine can serve. */
  static final RateLimits GENEROUS =
      new RateLimits(1_000_000, 2_000_000, 0, 1_000_000, 2_000_000, 100_000);

  private static final String CARD =
      "{\"owner\":\"bench\",\"description\":\"a benchmark model\",\"intended_use\":\"benchmarks\","
          + "\"licence\":\"see docs/performance.md\",\"risk_tier\":\"low\"}";

  private final BulwarkServer server;
  private final KeyPair signer;
  private final HttpClient http;
  private final String adminKey;
  private final String approverKey;
  private final ObjectMapper json = new ObjectMapper();

  private BenchServer(BulwarkServer server, KeyPair signer, Path data) throws Exception {
    this.server = server;
    this.signer = signer;
    this.http = client(server.caCertificate());
    this.adminKey = Files.readString(data.resolve(BulwarkServer.BOOTSTRAP_KEY_FILE)).strip();
    this.approverKey = createKey("admin", List.of());
  }

  static BenchServer start(Path data) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair signer = g.generateKeyPair();
    Files.createDirectories(data.getParent());
    Path publicKey = data.resolveSibling("publisher.pub.pem");
    Files.writeString(
        publicKey,
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(signer.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n",
        StandardCharsets.US_ASCII);
    BulwarkConfig config =
        BulwarkConfig.builder()
            .dataDirectory(data)
            .port(0)
            .gracefulShutdownMillis(1000)
            .rateLimits(GENEROUS)
            .signing(
                new SigningPolicyConfig(
                    Map.of(
                        SigningPolicyConfig.ANY_NAMESPACE,
                        new NamespaceTrust(false, List.of(new SignerTrust.PublicKey(publicKey))))))
            .build();
    BulwarkServer server = BulwarkServer.create(config);
    server.start();
    return new BenchServer(server, signer, data);
  }

  static HttpClient client(Path caPem) throws IOException, GeneralSecurityException {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(TlsMaterial.trustStore(caPem));
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build();
  }

  Path caCertificate() {
    return server.caCertificate();
  }

  String url(String path) {
    return "https://127.0.0.1:" + server.port() + path;
  }

  /** Pushes {@code model} signed by the trusted publisher, and has the second admin approve it. */
  void pushAndApprove(String name, String version, byte[] model) throws Exception {
    String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
    byte[] signature =
        ModelSigner.withKey(signer.getPrivate(), signer.getPublic())
            .signArtifact("model.onnx", digest);
    String boundary = "bench-" + Long.toHexString(System.nanoTime());
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    part(body, boundary, "card", CARD.getBytes(StandardCharsets.UTF_8));
    part(body, boundary, "signature", signature);
    part(body, boundary, "model", model);
    body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    expect(
        201,
        send(
            "POST",
            "/api/v1/models/" + name + "/versions/" + version,
            adminKey,
            "multipart/form-data; boundary=" + boundary,
            body.toByteArray()));
    expect(
        200,
        send(
            "POST",
            "/api/v1/models/" + name + "/versions/" + version + "/approve",
            approverKey,
            "application/json",
            "{\"reason\":\"benchmark\"}".getBytes(StandardCharsets.UTF_8)));
  }

  /** Deploys an approved version: decrypt, verify the signature again, open a session, switch. */
  void deploy(String name, String version) throws Exception {
    expect(
        200,
        send(
            "PUT",
            "/api/v1/models/" + name + "/deployment",
            adminKey,
            "application/json",
            ("{\"version\":\"" + version + "\"}").getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Creates a consumer key granted {@code models} and writes it to {@code file} (0600), for the
   * load generator to read: a key on a command line would be visible to every local user.
   */
  void consumerKeyFile(List<String> models, Path file) throws Exception {
    SecureFiles.writePrivate(
        file, createKey("consumer", models).getBytes(StandardCharsets.US_ASCII), false);
  }

  /** A new consumer key granted {@code models}. */
  String consumerKey(List<String> models) throws Exception {
    return createKey("consumer", models);
  }

  /** The server itself, for in-process calls. */
  BulwarkServer server() {
    return server;
  }

  /** One inference with {@code body}, returning the response body (for the transport baseline). */
  byte[] infer(String model, Inputs.Body body, Path keyFile) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url("/v2/models/" + model + "/infer")))
            .header("Authorization", "Bearer " + Files.readString(keyFile).strip())
            .header("Content-Type", body.contentType())
            .POST(HttpRequest.BodyPublishers.ofFile(body.file()));
    HttpResponse<byte[]> r = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("inference on " + model + ": status " + r.statusCode());
    }
    return r.body();
  }

  private String createKey(String role, List<String> models) throws Exception {
    String request =
        json.writeValueAsString(Map.of("name", "bench-" + role, "role", role, "models", models));
    HttpResponse<byte[]> r =
        send(
            "POST",
            "/api/v1/keys",
            adminKey,
            "application/json",
            request.getBytes(StandardCharsets.UTF_8));
    expect(201, r);
    return json.readTree(r.body()).get("key").asText();
  }

  private HttpResponse<byte[]> send(
      String method, String path, String key, String contentType, byte[] body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url(path)))
            .timeout(Duration.ofMinutes(5))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", contentType)
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void expect(int status, HttpResponse<byte[]> r) {
    if (r.statusCode() != status) {
      throw new IllegalStateException(
          r.request().method()
              + " "
              + r.request().uri().getPath()
              + ": "
              + r.statusCode()
              + " "
              + new String(r.body(), StandardCharsets.UTF_8));
    }
  }

  private static void part(ByteArrayOutputStream out, String boundary, String name, byte[] bytes) {
    out.writeBytes(
        ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(bytes);
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public void close() {
    server.close();
  }
}
