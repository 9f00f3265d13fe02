package io.bulwark.crypto.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bulwark.core.UnavailableException;
import io.bulwark.crypto.ArtifactSealer;
import io.bulwark.crypto.ArtifactSealers;
import io.bulwark.crypto.AwsKmsSettings;
import io.bulwark.crypto.KeyEncryptionKeys;
import io.bulwark.crypto.KeyRotationUnsupportedException;
import io.bulwark.crypto.KeyVersion;
import io.bulwark.crypto.WrappedKey;
import io.bulwark.crypto.spi.KeyEncryptionKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests the AWS KMS provider up to the KMS boundary: a loopback HTTP server plays KMS, checks that
 * every request is an AWS Signature Version 4 signed {@code TrentService.Encrypt} or {@code
 * TrentService.Decrypt} call (signature recomputed here with the test secret) for the configured
 * key, with the associated data as encryption context, and answers in the KMS JSON protocol. What
 * real KMS does beyond that (IAM, key policies, key states, its own rotation) is not tested.
 */
class AwsKmsKeyEncryptionKeyTest {
  private static final String ARN =
      "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  private static final String ACCESS_KEY = "AKIDBULWARKTEST";
  private static final String SECRET_KEY = "bulwark-test-secret-do-not-use";
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);
  private static final byte[] AAD = "model=m;version=1".getBytes(UTF_8);

  private static final Pattern AUTHORIZATION =
      Pattern.compile(
          "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([a-z0-9-]+)/kms/aws4_request,"
              + " SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");

  @TempDir Path dir;

  private final ObjectMapper json = new ObjectMapper();
  private final SecureRandom random = new SecureRandom();
  private HttpServer server;
  private FakeKms kms;

  /** What the fake KMS saw. */
  private record Call(String target, JsonNode body, boolean signatureValid) {}

  /** A scripted answer replacing the normal one. */
  private record Answer(int status, String body) {}

  private final class FakeKms {
    final List<Call> calls = new CopyOnWriteArrayList<>();
    final Map<String, Stored> ciphertexts = new ConcurrentHashMap<>();
    volatile @Nullable Answer override;
    volatile @Nullable String answerKeyId;
    volatile long delayMillis;

    @SuppressWarnings("ArrayRecordComponent") // a test holder, never compared
    record Stored(byte[] plaintext, JsonNode context) {}

    void handle(HttpExchange exchange) throws IOException {
      try (exchange) {
        byte[] body = exchange.getRequestBody().readAllBytes();
        if (delayMillis > 0) {
          try {
            Thread.sleep(delayMillis);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        String target = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
        boolean signed = signatureValid(exchange, body);
        JsonNode request = json.readTree(body);
        calls.add(new Call(target, request, signed));
        Answer answer = override;
        if (!signed) {
          answer = error(403, "InvalidSignatureException");
        } else if (!"application/x-amz-json-1.1"
                .equals(exchange.getRequestHeaders().getFirst("Content-Type"))
            || !"POST".equals(exchange.getRequestMethod())) {
          answer = error(400, "UnknownOperationException");
        } else if (!ARN.equals(request.path("KeyId").asText())) {
          answer = error(400, "NotFoundException");
        }
        if (answer == null) {
          answer =
              switch (target) {
                case "TrentService.Encrypt" -> encrypt(request);
                case "TrentService.Decrypt" -> decrypt(request);
                default -> error(400, "UnknownOperationException");
              };
        }
        byte[] out = answer.body().getBytes(UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.sendResponseHeaders(answer.status(), out.length);
        exchange.getResponseBody().write(out);
      }
    }

    private Answer encrypt(JsonNode request) throws IOException {
      byte[] id = new byte[16];
      random.nextBytes(id);
      String blob = Base64.getEncoder().encodeToString(id);
      ciphertexts.put(
          blob,
          new Stored(
              Base64.getDecoder().decode(request.path("Plaintext").asText()),
              request.path("EncryptionContext")));
      ObjectNode response = json.createObjectNode();
      response.put("CiphertextBlob", blob);
      response.put("KeyId", ARN);
      response.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
      return new Answer(200, json.writeValueAsString(response));
    }

    private Answer decrypt(JsonNode request) throws IOException {
      Stored stored = ciphertexts.get(request.path("CiphertextBlob").asText());
      if (stored == null || !stored.context().equals(request.path("EncryptionContext"))) {
        return error(400, "InvalidCiphertextException");
      }
      ObjectNode response = json.createObjectNode();
      String keyId = answerKeyId;
      response.put("KeyId", keyId == null ? ARN : keyId);
      response.put("Plaintext", Base64.getEncoder().encodeToString(stored.plaintext()));
      response.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
      return new Answer(200, json.writeValueAsString(response));
    }
  }

  private static Answer error(int status, String type) {
    return new Answer(status, "{\"__type\":\"" + type + "\",\"message\":\"scripted\"}");
  }

  /** Recomputes the SigV4 signature from what arrived, with the secret only the test knows. */
  private static boolean signatureValid(HttpExchange exchange, byte[] body) {
    try {
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      String amzDate = exchange.getRequestHeaders().getFirst("X-Amz-Date");
      if (authorization == null || amzDate == null) {
        return false;
      }
      Matcher m = AUTHORIZATION.matcher(authorization);
      if (!m.matches()
          || !m.group(1).equals(ACCESS_KEY)
          || !m.group(3).equals("us-east-1")
          || !amzDate.startsWith(m.group(2))) {
        return false;
      }
      String signedHeaders = m.group(4);
      List<String> names = List.of(signedHeaders.split(";", -1));
      if (!names.contains("host") || !names.contains("x-amz-date")) {
        return false;
      }
      StringBuilder canonical = new StringBuilder();
      canonical.append(exchange.getRequestMethod()).append('\n');
      canonical.append(exchange.getRequestURI().getRawPath()).append('\n');
      canonical.append('\n'); // no query
      for (String name : names) {
        List<String> values = exchange.getRequestHeaders().get(name);
        if (values == null) {
          return false;
        }
        List<String> trimmed = new ArrayList<>();
        for (String v : values) {
          trimmed.add(v.strip().replaceAll(" +", " "));
        }
        canonical.append(name).append(':').append(String.join(",", trimmed)).append('\n');
      }
      canonical.append('\n').append(signedHeaders).append('\n').append(sha256Hex(body));
      String scope = m.group(2) + "/us-east-1/kms/aws4_request";
      String toSign =
          "AWS4-HMAC-SHA256\n"
              + amzDate
              + "\n"
              + scope
              + "\n"
              + sha256Hex(canonical.toString().getBytes(UTF_8));
      byte[] k = hmac(("AWS4" + SECRET_KEY).getBytes(UTF_8), m.group(2));
      k = hmac(k, "us-east-1");
      k = hmac(k, "kms");
      k = hmac(k, "aws4_request");
      String expected = HexFormat.of().formatHex(hmac(k, toSign));
      return MessageDigest.isEqual(expected.getBytes(UTF_8), m.group(5).getBytes(UTF_8));
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String sha256Hex(byte[] data) throws GeneralSecurityException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  private static byte[] hmac(byte[] key, String data) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data.getBytes(UTF_8));
  }

  @BeforeEach
  void startKms() throws IOException {
    kms = new FakeKms();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", kms::handle);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  @AfterEach
  void stopKms() {
    server.stop(0);
  }

  private URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private Path credentials(String content) throws IOException {
    Path file = dir.resolve("aws.properties");
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private KeyEncryptionKey open() throws IOException {
    return KeyEncryptionKeys.awsKms(
        new AwsKmsSettings(
            ARN,
            credentials("accessKey=" + ACCESS_KEY + "\nsecretKey=" + SECRET_KEY + "\n"),
            endpoint()));
  }

  private KeyEncryptionKey openFast(URI endpoint) throws IOException {
    return AwsKmsKeyEncryptionKey.open(
        new AwsKmsSettings(
            ARN,
            credentials("accessKey=" + ACCESS_KEY + "\nsecretKey=" + SECRET_KEY + "\n"),
            endpoint),
        new AwsKmsKeyEncryptionKey.Timeouts(
            Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofSeconds(3), 0));
  }

  @Test
  void wrap_thenUnwrap_signedEncryptAndDecryptWithAssociatedDataAsContext() throws Exception {
    KeyEncryptionKey kek = open();

    WrappedKey wrapped = kek.wrap(KEY, AAD);
    byte[] unwrapped = kek.unwrap(wrapped, AAD);

    assertThat(unwrapped).isEqualTo(KEY);
    assertThat(wrapped.kekId()).isEqualTo("aws-kms:" + ARN).isEqualTo(kek.keyId());
    assertThat(kms.calls)
        .extracting(Call::target)
        .containsExactly("TrentService.Encrypt", "TrentService.Decrypt");
    assertThat(kms.calls).allMatch(Call::signatureValid);
    for (Call call : kms.calls) {
      assertThat(call.body().path("KeyId").asText()).isEqualTo(ARN);
      assertThat(call.body().path("EncryptionContext").path("associatedData").asText())
          .isEqualTo(HexFormat.of().formatHex(AAD));
    }
  }

  @Test
  void fakeKms_wrongSecret_rejectsSignature() throws Exception {
    KeyEncryptionKey kek =
        KeyEncryptionKeys.awsKms(
            new AwsKmsSettings(
                ARN,
                credentials("accessKey=" + ACCESS_KEY + "\nsecretKey=not-the-secret\n"),
                endpoint()));

    // Proves the signature check above can fail: a wrongly signed call is refused.
    assertThatThrownBy(() -> kek.wrap(KEY, AAD)).isInstanceOf(GeneralSecurityException.class);
    assertThat(kms.calls).isNotEmpty().noneMatch(Call::signatureValid);
  }

  @Test
  void unwrap_otherAssociatedData_kmsRefusesWithGeneralSecurityException() throws Exception {
    KeyEncryptionKey kek = open();
    WrappedKey wrapped = kek.wrap(KEY, AAD);

    assertThatThrownBy(() -> kek.unwrap(wrapped, "model=m;version=2".getBytes(UTF_8)))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("InvalidCiphertextException");
  }

  @Test
  void unwrap_kmsAccessDenied_generalSecurityException() throws Exception {
    KeyEncryptionKey kek = open();
    WrappedKey wrapped = kek.wrap(KEY, AAD);
    kms.override = error(400, "AccessDeniedException");

    assertThatThrownBy(() -> kek.unwrap(wrapped, AAD)).isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void unwrap_answerNamesAnotherKey_generalSecurityException() throws Exception {
    KeyEncryptionKey kek = open();
    WrappedKey wrapped = kek.wrap(KEY, AAD);
    kms.answerKeyId = ARN.replace("1234abcd", "9999abcd");

    assertThatThrownBy(() -> kek.unwrap(wrapped, AAD)).isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void unwrap_kmsInternalError_unavailableNotTampering() throws Exception {
    KeyEncryptionKey kek = openFast(endpoint());
    WrappedKey wrapped = kek.wrap(KEY, AAD);
    kms.override = error(500, "KMSInternalException");

    assertThatThrownBy(() -> kek.unwrap(wrapped, AAD)).isInstanceOf(UnavailableException.class);
  }

  @Test
  void wrap_kmsThrottles_unavailable() throws Exception {
    KeyEncryptionKey kek = openFast(endpoint());
    kms.override = error(400, "ThrottlingException");

    assertThatThrownBy(() -> kek.wrap(KEY, AAD)).isInstanceOf(UnavailableException.class);
  }

  @Test
  void wrap_endpointRefusesConnections_unavailable() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    KeyEncryptionKey kek = openFast(URI.create("http://127.0.0.1:" + port));

    assertThatThrownBy(() -> kek.wrap(KEY, AAD)).isInstanceOf(UnavailableException.class);
  }

  @Test
  void unwrap_endpointNeverAnswers_unavailableWithinBoundedTimeouts() throws Exception {
    KeyEncryptionKey kek = openFast(endpoint());
    WrappedKey wrapped = kek.wrap(KEY, AAD);
    kms.delayMillis = 60_000;

    // The bound is generous; the point is that the call ends, as unavailable, instead of hanging.
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () ->
            assertThatThrownBy(() -> kek.unwrap(wrapped, AAD))
                .isInstanceOf(UnavailableException.class));
  }

  @Test
  void unwrap_wrappedKeyOfAnotherKek_refusedWithoutCallingKms() throws Exception {
    KeyEncryptionKey kek = open();
    WrappedKey foreign = new WrappedKey("local:0a0b0c0d", new byte[40]);

    assertThatThrownBy(() -> kek.unwrap(foreign, AAD)).isInstanceOf(GeneralSecurityException.class);
    assertThat(kms.calls).isEmpty();
  }

  @Test
  void rotateAndDisable_awsKms_unsupportedAndVersionsShowOnePrimary() throws Exception {
    KeyEncryptionKey kek = open();

    assertThatThrownBy(kek::rotate).isInstanceOf(KeyRotationUnsupportedException.class);
    assertThatThrownBy(() -> kek.disable(kek.keyId()))
        .isInstanceOf(KeyRotationUnsupportedException.class);
    assertThat(kek.versions())
        .containsExactly(new KeyVersion("aws-kms:" + ARN, KeyVersion.Status.PRIMARY));
    assertThat(kms.calls).isEmpty();
  }

  @Test
  void sealer_awsKms_sealsOpensAndRewraps() throws Exception {
    ArtifactSealer sealer = ArtifactSealers.tinkStreaming(open());
    KeyRotationTest.Sealed sealed = KeyRotationTest.seal(sealer, 7);

    WrappedKey rewrapped = sealer.rewrap(sealed.key(), KeyRotationTest.KEY_AAD);

    assertThat(KeyRotationTest.open(sealer, sealed.ciphertext(), sealed.key()))
        .isEqualTo(sealed.plaintext());
    assertThat(KeyRotationTest.open(sealer, sealed.ciphertext(), rewrapped))
        .isEqualTo(sealed.plaintext());
    assertThat(rewrapped.bytes()).isNotEqualTo(sealed.key().bytes());
  }

  @Test
  void awsKms_credentialsFileReadableByOthers_refused() throws Exception {
    Path file = credentials("accessKey=" + ACCESS_KEY + "\nsecretKey=" + SECRET_KEY + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(() -> KeyEncryptionKeys.awsKms(new AwsKmsSettings(ARN, file, endpoint())))
        .isInstanceOf(IOException.class);
  }

  @Test
  void awsKms_credentialsFileWithoutSecretKey_refusedWithoutEchoingContent() throws Exception {
    Path file = credentials("accessKey=" + ACCESS_KEY + "\nsecret=" + SECRET_KEY + "\n");

    assertThatThrownBy(() -> KeyEncryptionKeys.awsKms(new AwsKmsSettings(ARN, file, endpoint())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("accessKey and secretKey")
        .hasMessageNotContaining(SECRET_KEY);
  }

  @Test
  void awsKms_credentialsFileAboveSizeLimit_refused() throws Exception {
    String base = "accessKey=" + ACCESS_KEY + "\nsecretKey=" + SECRET_KEY + "\n";
    Path atLimit =
        credentials(
            base + "#".repeat(AwsKmsKeyEncryptionKey.MAX_CREDENTIALS_FILE_BYTES - base.length()));
    KeyEncryptionKeys.awsKms(new AwsKmsSettings(ARN, atLimit, endpoint()));

    Path above = credentials(Files.readString(atLimit) + "#");

    assertThatThrownBy(() -> KeyEncryptionKeys.awsKms(new AwsKmsSettings(ARN, above, endpoint())))
        .isInstanceOf(IOException.class);
  }
}
