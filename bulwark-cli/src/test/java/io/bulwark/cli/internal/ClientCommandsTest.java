package io.bulwark.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.cli.Bulwark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client commands end to end over real TLS, against a recording HTTPS endpoint. */
class ClientCommandsTest {
  private static final String KEY = "bwk_client_test_key";

  private static TestPki pki;

  @TempDir Path dir;

  private TestHttpsServer server;
  private Path data;

  record Result(int exitCode, String out, String err) {}

  @BeforeAll
  static void createPki() throws Exception {
    pki = TestPki.create("Test CA");
  }

  @BeforeEach
  void startServer() throws Exception {
    server = TestHttpsServer.start(pki.serverContext("127.0.0.1"));
    data = dir.resolve("data");
    Files.createDirectories(data.resolve("tls"));
    Files.writeString(data.resolve("tls").resolve("ca.pem"), pki.caPem());
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private Result run(Map<String, String> env, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--url", server.url(), "--data", data.toString()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Bulwark.run(
            all.toArray(String[]::new),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            env);
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Result run(String... args) {
    return run(Map.of("BULWARK_API_KEY", KEY), args);
  }

  @Test
  void modelList_human_printsTable() {
    server.respond(
        200,
        """
        {"models":[{"name":"iris","deployed_version":"2","version_count":2},
                   {"name":"churn","deployed_version":null,"version_count":1}]}
        """);

    Result result = run("model", "list");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .isEqualTo(
            """
            NAME   DEPLOYED  VERSIONS
            iris   2         2
            churn  -         1
            """);
    assertThat(server.last().header("Authorization")).isEqualTo("Bearer " + KEY);
  }

  @Test
  void modelList_json_printsTheServersJson() throws Exception {
    server.respond(200, "{\"models\":[{\"name\":\"iris\",\"deployed_version\":null}]}");

    Result result = run("model", "list", "--json");

    assertThat(result.exitCode()).isZero();
    JsonNode printed = Json.parse(result.out().getBytes(StandardCharsets.UTF_8));
    assertThat(printed.path("models").get(0).path("name").asText()).isEqualTo("iris");
    assertThat(result.out()).contains("\n  ");
  }

  @Test
  void modelList_nameWithEscapeSequence_isNeutralised() {
    server.respond(200, "{\"models\":[{\"name\":\"x\\u001b]0;pwned\\u0007\"}]}");

    Result result = run("model", "list");

    assertThat(result.out()).contains("x?]0;pwned?").doesNotContain("\u001b");
  }

  @Test
  void modelPush_file_uploadsItAndPrintsSummary() throws Exception {
    Path model = Files.write(dir.resolve("m.onnx"), new byte[] {1, 2, 3, 4});
    server.respond(
        201,
        """
        {"name":"iris","version":"1","format":"onnx","sha256":"9f64a747","size_bytes":4,
         "inputs":[{"name":"x","datatype":"FP32","shape":[-1,4]}],
         "outputs":[{"name":"label","datatype":"INT64","shape":[-1]}]}
        """);

    Path card = Files.writeString(dir.resolve("card.json"), "{\"owner\":\"o\"}");
    Result result =
        run(
            "model",
            "push",
            model.toString(),
            "--name",
            "iris",
            "--version",
            "1",
            "--card",
            card.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(server.last().method()).isEqualTo("POST");
    assertThat(server.last().path()).isEqualTo("/api/v1/models/iris/versions/1");
    String body = new String(server.last().body(), java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(body)
        .contains("name=\"card\"")
        .contains("{\"owner\":\"o\"}")
        .doesNotContain("name=\"signature\"")
        .contains("\r\n\r\n\u0001\u0002\u0003\u0004\r\n--");
    assertThat(result.out()).contains("Signer: UNSIGNED");
    assertThat(result.out())
        .contains("Pushed iris 1 (onnx, 4 B, sha256 9f64a747)")
        .contains("  x FP32 [-1,4]")
        .contains("  label INT64 [-1]");
  }

  @Test
  void modelPush_format_isSentAsAPart() throws Exception {
    Path model = Files.write(dir.resolve("w.safetensors"), new byte[] {1, 2});
    server.respond(201, "{\"name\":\"w\",\"version\":\"1\",\"format\":\"safetensors\"}");
    Path card = Files.writeString(dir.resolve("card.json"), "{}");
    Result result =
        run(
            "model",
            "push",
            model.toString(),
            "--name",
            "w",
            "--version",
            "1",
            "--card",
            card.toString(),
            "--format",
            "safetensors");
    assertThat(result.exitCode()).as(result.err()).isZero();
    String body = new String(server.last().body(), StandardCharsets.ISO_8859_1);
    assertThat(body).contains("name=\"format\"").contains("\r\n\r\nsafetensors\r\n--");
    assertThat(body.indexOf("name=\"format\"")).isLessThan(body.indexOf("name=\"model\""));
    assertThat(result.out()).contains("(safetensors,");
  }

  private static final byte[] ARTIFACT = {0, 1, 2, 3, (byte) 0xff};

  /** SHA-256 of {@link #ARTIFACT}. */
  private static String artifactSha256() throws Exception {
    return java.util.HexFormat.of()
        .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(ARTIFACT));
  }

  @Test
  void modelPull_verifiedDigest_writesAPrivateFile() throws Exception {
    server
        .respond(200, "application/octet-stream", ARTIFACT)
        .withHeader("X-Bulwark-Sha256", artifactSha256());
    Path out = dir.resolve("w.safetensors");
    Result result = run("model", "pull", "w", "1", "--out", out.toString());
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(server.last().path()).isEqualTo("/api/v1/models/w/versions/1/artifact");
    assertThat(Files.readAllBytes(out)).isEqualTo(ARTIFACT);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out)))
        .isEqualTo("rw-------");
    assertThat(result.out()).contains("sha256 " + artifactSha256() + ", verified");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
    }
  }

  @Test
  void modelPull_digestMismatch_isAVerdict_andWritesNothing() throws Exception {
    server
        .respond(200, "application/octet-stream", ARTIFACT)
        .withHeader("X-Bulwark-Sha256", "00".repeat(32));
    Path out = dir.resolve("w.safetensors");
    Result result = run("model", "pull", "w", "1", "--out", out.toString());
    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_VERDICT);
    assertThat(result.err()).contains("does not match the digest");
    assertThat(out).doesNotExist();
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
    }
  }

  @Test
  void modelPull_noDigestHeader_isRefused() throws Exception {
    server.respond(200, "application/octet-stream", ARTIFACT);
    Path out = dir.resolve("w.bin");
    Result result = run("model", "pull", "w", "1", "--out", out.toString());
    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_ERROR);
    assertThat(result.err()).contains("no X-Bulwark-Sha256");
    assertThat(out).doesNotExist();
  }

  @Test
  void modelPull_existingFile_isNeverOverwritten() throws Exception {
    Path out = Files.writeString(dir.resolve("keep.txt"), "mine");
    Result result = run("model", "pull", "w", "1", "--out", out.toString());
    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_ERROR);
    assertThat(result.err()).contains("refusing to overwrite");
    assertThat(Files.readString(out)).isEqualTo("mine");
    assertThat(server.received()).isEmpty();
  }

  @Test
  void modelPull_refused_isAnErrorWithTheServersMessage() throws Exception {
    server.respond(409, "{\"error\":\"model 'w' version '1' is retired\"}");
    Path out = dir.resolve("w.bin");
    Result result = run("model", "pull", "w", "1", "--out", out.toString());
    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_ERROR);
    assertThat(result.err()).contains("is retired");
    assertThat(out).doesNotExist();
  }

  @Test
  void modelPush_conflict_isAnErrorWithTheServersMessage() throws Exception {
    Path model = Files.write(dir.resolve("m.onnx"), new byte[] {1});
    server.respond(409, "{\"error\":\"model 'iris' version '1' already exists\"}");

    Path card = Files.writeString(dir.resolve("card.json"), "{}");
    Result result =
        run(
            "model",
            "push",
            model.toString(),
            "--name",
            "iris",
            "--version",
            "1",
            "--card",
            card.toString());

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_ERROR);
    assertThat(result.err()).isEqualTo("bulwark: model 'iris' version '1' already exists\n");
  }

  @Test
  void modelDeploy_sendsVersion() throws Exception {
    server.respond(
        200, "{\"name\":\"iris\",\"version\":\"2\",\"deployed_at\":\"2025-01-01T00:00:00Z\"}");

    Result result = run("model", "deploy", "iris", "--version", "2");

    assertThat(result.exitCode()).isZero();
    assertThat(server.last().method()).isEqualTo("PUT");
    assertThat(server.last().path()).isEqualTo("/api/v1/models/iris/deployment");
    assertThat(Json.parse(server.last().body()).path("version").asText()).isEqualTo("2");
    assertThat(result.out()).isEqualTo("Deployed iris 2 at 2025-01-01T00:00:00Z\n");
  }

  @Test
  void modelUndeploy_nothingDeployed_isAnError() {
    server.respond(404, "{\"error\":\"model 'iris' has no deployment\"}");

    Result result = run("model", "undeploy", "iris");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_ERROR);
    assertThat(server.last().method()).isEqualTo("DELETE");
    assertThat(result.err()).isEqualTo("bulwark: model 'iris' has no deployment\n");
  }

  @Test
  void modelShow_version_requestsThatVersion() {
    server.respond(
        200, "{\"name\":\"iris\",\"version\":\"1\",\"format\":\"onnx\",\"size_bytes\":2048}");

    Result result = run("model", "show", "iris", "--version", "1");

    assertThat(result.exitCode()).isZero();
    assertThat(server.last().path()).isEqualTo("/api/v1/models/iris/versions/1");
    assertThat(result.out()).contains("Size:       2.0 KiB");
  }

  @Test
  void modelShow_model_marksDeployedVersion() {
    server.respond(
        200,
        """
        {"name":"iris","deployed_version":"2","versions":[
          {"version":"1","format":"onnx","size_bytes":10,"sha256":"aaaaaaaaaaaaaaaaaaaa"},
          {"version":"2","format":"onnx","size_bytes":10,"sha256":"bbbbbbbbbbbbbbbbbbbb"}]}
        """);

    Result result = run("model", "show", "iris");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("Deployed: 2")
        .containsPattern("\\* +2 +onnx +10 B +bbbbbbbbbbbb ");
  }

  @Test
  void keyCreate_consumer_sendsGrantsAndPrintsTheKeyOnce() throws Exception {
    server.respond(
        201,
        """
        {"id":"k1","name":"app","role":"consumer","roles":["consumer"],"tenant":"default",
         "models":["iris"],"namespaces":[],"created_at":"t","expires_at":null,
         "key":"bwk_new_secret"}
        """);

    Result result =
        run(
            "key",
            "create",
            "--name",
            "app",
            "--role",
            "consumer",
            "--model",
            "iris",
            "--expires-at",
            "2999-01-01T00:00:00+02:00");

    assertThat(result.exitCode()).isZero();
    JsonNode sent = Json.parse(server.last().body());
    assertThat(sent.path("name").asText()).isEqualTo("app");
    assertThat(sent.path("roles").toString()).isEqualTo("[\"consumer\"]");
    assertThat(sent.path("models").toString()).isEqualTo("[\"iris\"]");
    assertThat(sent.has("tenant")).isFalse();
    assertThat(sent.path("expires_at").asText()).isEqualTo("2998-12-31T22:00:00Z");
    assertThat(result.out())
        .contains(
            "Created consumer key 'app' (id k1, tenant default, models iris, namespaces -,"
                + " expires never)");
    assertThat(result.out()).containsOnlyOnce("bwk_new_secret");
  }

  @Test
  void keyList_unauthorized_isAuthenticationFailure() {
    server.respond(401, "{\"error\":\"unknown or revoked API key\"}");

    Result result = run("key", "list");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_ERROR);
    assertThat(result.err())
        .isEqualTo("bulwark: authentication failed: unknown or revoked API key\n");
  }

  @Test
  void keyRevoke_id_isSentEncoded() {
    server.respond(200, "{\"id\":\"k 1\",\"revoked_at\":\"now\"}");

    Result result = run("key", "revoke", "k 1");

    assertThat(result.exitCode()).isZero();
    assertThat(server.last().method()).isEqualTo("DELETE");
    assertThat(server.last().path()).isEqualTo("/api/v1/keys/k%201");
    assertThat(result.out()).isEqualTo("Revoked key k 1 at now\n");
  }

  @Test
  void apiKeyFile_contentIsTrimmedAndSent() throws Exception {
    Path keyFile = Files.writeString(dir.resolve("key"), "  " + KEY + "\n");
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
    server.respond(200, "{\"keys\":[]}");

    Result result = run(Map.of(), "key", "list", "--api-key-file", keyFile.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out()).isEqualTo("No keys.\n");
    assertThat(server.last().header("Authorization")).isEqualTo("Bearer " + KEY);
  }

  @Test
  void apiKeyFile_readableByOthers_warnsButWorks() throws Exception {
    Path keyFile = Files.writeString(dir.resolve("key"), KEY);
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
    server.respond(200, "{\"keys\":[]}");

    Result result = run(Map.of(), "key", "list", "--api-key-file", keyFile.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(result.err())
        .startsWith("bulwark: warning: ")
        .contains("chmod 600")
        .doesNotContain(KEY);
  }

  @Test
  void apiKeyFile_atSizeLimit_isRead() throws Exception {
    Path keyFile =
        Files.writeString(
            dir.resolve("key"),
            KEY + "\n".repeat(ClientOptions.MAX_API_KEY_FILE_BYTES - KEY.length()));
    assertThat(Files.size(keyFile)).isEqualTo(ClientOptions.MAX_API_KEY_FILE_BYTES);
    server.respond(200, "{\"keys\":[]}");

    assertThat(run(Map.of(), "key", "list", "--api-key-file", keyFile.toString()).exitCode())
        .isZero();
  }

  @Test
  void apiKeyFile_overSizeLimit_isBadUsage() throws Exception {
    Path keyFile =
        Files.writeString(
            dir.resolve("key"),
            KEY + "\n".repeat(ClientOptions.MAX_API_KEY_FILE_BYTES + 1 - KEY.length()));

    Result result = run(Map.of(), "key", "list", "--api-key-file", keyFile.toString());

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("larger than " + ClientOptions.MAX_API_KEY_FILE_BYTES);
    assertThat(server.received()).isEmpty();
  }

  @Test
  void apiKey_atLengthLimit_isSent() {
    String key = "k".repeat(ClientOptions.MAX_API_KEY_CHARS);
    server.respond(200, "{\"keys\":[]}");

    assertThat(run(Map.of("BULWARK_API_KEY", key), "key", "list").exitCode()).isZero();
    assertThat(server.last().header("Authorization")).isEqualTo("Bearer " + key);
  }

  @Test
  void apiKey_overLengthLimit_isBadUsage() {
    String key = "k".repeat(ClientOptions.MAX_API_KEY_CHARS + 1);

    Result result = run(Map.of("BULWARK_API_KEY", key), "key", "list");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(server.received()).isEmpty();
  }
}
