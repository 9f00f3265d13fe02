package io.bulwark.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.cli.Bulwark;
import io.bulwark.core.SecretBytes;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiClientTest {
  private static final String KEY = "bwk_test_0123456789";

  private static TestPki pki;
  private static TestPki otherPki;

  @TempDir Path dir;

  private TestHttpsServer server;

  @BeforeAll
  static void createPki() throws Exception {
    pki = TestPki.create("Test CA");
    otherPki = TestPki.create("Other CA");
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private ApiClient client(String url, TestPki trusted, long maxResponseBytes) {
    return new ApiClient(
        URI.create(url),
        SecretBytes.copyOf(KEY.getBytes(StandardCharsets.US_ASCII)),
        PemTrust.sslContext(List.of(trusted.ca())),
        Duration.ofSeconds(10),
        null,
        "test-ca.pem",
        maxResponseBytes);
  }

  private ApiClient client() throws Exception {
    if (server == null) {
      server = TestHttpsServer.start(pki.serverContext("localhost", "127.0.0.1"));
    }
    return client(server.url(), pki, ApiClient.MAX_RESPONSE_BYTES);
  }

  @Test
  void get_trustedServer_returnsJsonAndSendsBearerKey() throws Exception {
    try (ApiClient api = client()) {
      server.respond(200, "{\"models\":[]}");
      JsonNode response = api.get(ApiClient.path("models"));

      assertThat(response.path("models").isArray()).isTrue();
      assertThat(server.last().method()).isEqualTo("GET");
      assertThat(server.last().path()).isEqualTo("/api/v1/models");
      assertThat(server.last().header("Authorization")).isEqualTo("Bearer " + KEY);
    }
  }

  @Test
  void get_serverCertificateFromAnotherCa_failsNamingTrustSource() throws Exception {
    server = TestHttpsServer.start(otherPki.serverContext("localhost", "127.0.0.1"));
    try (ApiClient api = client(server.url(), pki, ApiClient.MAX_RESPONSE_BYTES)) {
      assertThatThrownBy(() -> api.get(ApiClient.path("models")))
          .isInstanceOfSatisfying(
              CliException.class, e -> assertThat(e.exitCode()).isEqualTo(Bulwark.EXIT_ERROR))
          .hasMessageContaining("not issued by the CA in test-ca.pem");
    }
    assertThat(server.received()).isEmpty();
  }

  @Test
  void get_certificateForAnotherHost_failsHostnameVerification() throws Exception {
    server = TestHttpsServer.start(pki.serverContext("other.example"));
    try (ApiClient api = client(server.url(), pki, ApiClient.MAX_RESPONSE_BYTES)) {
      assertThatThrownBy(() -> api.get(ApiClient.path("models")))
          .isInstanceOf(CliException.class)
          .hasMessageContaining("not valid for host 127.0.0.1");
    }
    assertThat(server.received()).isEmpty();
  }

  @Test
  void get_certificateNamingHostByDns_succeeds() throws Exception {
    server = TestHttpsServer.start(pki.serverContext("localhost"));
    try (ApiClient api = client(server.urlByName(), pki, ApiClient.MAX_RESPONSE_BYTES)) {
      server.respond(200, "{\"keys\":[]}");
      assertThat(api.get(ApiClient.path("keys")).has("keys")).isTrue();
    }
  }

  @Test
  void get_unauthorized_reportsAuthenticationFailed() throws Exception {
    try (ApiClient api = client()) {
      server.respond(401, "{\"error\":\"invalid API key\"}");
      assertThatThrownBy(() -> api.get(ApiClient.path("models")))
          .isInstanceOfSatisfying(
              CliException.class, e -> assertThat(e.exitCode()).isEqualTo(Bulwark.EXIT_ERROR))
          .hasMessage("authentication failed: invalid API key");
    }
  }

  @Test
  void get_forbidden_reportsAuthenticationFailed() throws Exception {
    try (ApiClient api = client()) {
      server.respond(403, "{\"error\":\"admin role required\"}");
      assertThatThrownBy(() -> api.get(ApiClient.path("keys")))
          .hasMessage("authentication failed: admin role required");
    }
  }

  @Test
  void get_notFound_reportsServerMessage() throws Exception {
    try (ApiClient api = client()) {
      server.respond(404, "{\"error\":\"model 'iris' not found\"}");
      assertThatThrownBy(() -> api.get(ApiClient.path("models", "iris")))
          .hasMessage("model 'iris' not found");
    }
  }

  @Test
  void get_serverErrorWithoutJson_reportsStatus() throws Exception {
    try (ApiClient api = client()) {
      server.respond(502, "text/html", "<html>bad gateway</html>".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> api.get(ApiClient.path("models")))
          .hasMessage("server error (HTTP 502): HTTP 502");
    }
  }

  @Test
  void get_errorMessageWithEscapeSequences_isNeutralised() throws Exception {
    try (ApiClient api = client()) {
      server.respond(400, "{\"error\":\"bad\\u001b[2J\\nforged line\"}");
      assertThatThrownBy(() -> api.get(ApiClient.path("models"))).hasMessage("bad?[2J?forged line");
    }
  }

  @Test
  void get_successThatIsNotJson_fails() throws Exception {
    try (ApiClient api = client()) {
      server.respond(200, "text/plain", "hello".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> api.get(ApiClient.path("models")))
          .hasMessageContaining("not valid JSON");
    }
  }

  @Test
  void get_redirect_isNotFollowed() throws Exception {
    try (ApiClient api = client()) {
      server.respond(302, "{}").withHeader("Location", "https://elsewhere.example/steal");
      assertThatThrownBy(() -> api.get(ApiClient.path("models")))
          .hasMessageContaining("redirect to https://elsewhere.example/steal");
      assertThat(server.received()).hasSize(1);
    }
  }

  @Test
  void get_responseAtSizeLimit_isRead() throws Exception {
    server = TestHttpsServer.start(pki.serverContext("127.0.0.1"));
    byte[] body = paddedJson(1024);
    server.respond(200, "application/json", body);
    try (ApiClient api = client(server.url(), pki, 1024)) {
      assertThat(api.get(ApiClient.path("models")).path("pad").isTextual()).isTrue();
    }
  }

  @Test
  void get_responseOverSizeLimit_isRefused() throws Exception {
    server = TestHttpsServer.start(pki.serverContext("127.0.0.1"));
    server.respond(200, "application/json", paddedJson(1025));
    try (ApiClient api = client(server.url(), pki, 1024)) {
      assertThatThrownBy(() -> api.get(ApiClient.path("models")))
          .hasMessageContaining("larger than 1.0 KiB");
    }
  }

  @Test
  void get_nobodyListening_reportsConnectionRefused() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (ApiClient api = client("https://127.0.0.1:" + port, pki, 1024)) {
      assertThatThrownBy(() -> api.get(ApiClient.path("models")))
          .hasMessage(
              "cannot reach https://127.0.0.1:"
                  + port
                  + ": connection refused (is the server running?)");
    }
  }

  @Test
  void push_sendsCardSignatureAndModelAsMultipart() throws Exception {
    Path model = dir.resolve("model.onnx");
    byte[] content = new byte[300_000];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) i;
    }
    Files.write(model, content);
    byte[] card = "{\"owner\":\"o\"}".getBytes(StandardCharsets.UTF_8);
    byte[] sig = "{\"bundle\":1}".getBytes(StandardCharsets.UTF_8);
    try (ApiClient api = client()) {
      server.respond(201, "{\"name\":\"iris\",\"version\":\"1\"}");
      JsonNode created =
          api.push(ApiClient.path("models", "iris", "versions", "1"), card, sig, model);

      assertThat(created.path("version").asText()).isEqualTo("1");
      assertThat(server.last().method()).isEqualTo("POST");
      assertThat(server.last().path()).isEqualTo("/api/v1/models/iris/versions/1");
      String type = server.last().header("Content-Type");
      assertThat(type).startsWith("multipart/form-data; boundary=bulwark-");
      String boundary = type.substring(type.indexOf('=') + 1);
      byte[] body = server.last().body();
      String head = new String(body, 0, 700, StandardCharsets.ISO_8859_1);
      assertThat(head)
          .startsWith("--" + boundary + "\r\nContent-Disposition: form-data; name=\"card\"")
          .contains("{\"owner\":\"o\"}\r\n--" + boundary)
          .contains("name=\"signature\"")
          .contains("name=\"model\"");
      int start = body.length - content.length - ("\r\n--" + boundary + "--\r\n").length();
      assertThat(java.util.Arrays.copyOfRange(body, start, start + content.length))
          .isEqualTo(content);
      assertThat(
              new String(
                  body,
                  start + content.length,
                  body.length - start - content.length,
                  StandardCharsets.ISO_8859_1))
          .isEqualTo("\r\n--" + boundary + "--\r\n");
    }
  }

  @Test
  void path_segmentsWithReservedCharacters_areEncoded() {
    assertThat(ApiClient.path("keys", "a b/c?d#e%ü"))
        .isEqualTo("/api/v1/keys/a%20b%2Fc%3Fd%23e%25%C3%BC");
    assertThat(ApiClient.path("keys", "..")).isEqualTo("/api/v1/keys/%2E%2E");
    assertThat(ApiClient.path("models", "iris-2.v_1~x")).isEqualTo("/api/v1/models/iris-2.v_1~x");
  }

  /** A JSON object of exactly {@code size} bytes. */
  private static byte[] paddedJson(int size) {
    String prefix = "{\"pad\":\"";
    String suffix = "\"}";
    return (prefix + "x".repeat(size - prefix.length() - suffix.length()) + suffix)
        .getBytes(StandardCharsets.US_ASCII);
  }
}
