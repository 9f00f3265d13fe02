package io.bulwark.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.core.Digests;
import io.bulwark.core.InsecureSecretAccess;
import io.bulwark.core.SecretBytes;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * A client for the management API ({@code /api/v1}) over HTTPS.
 *
 * <p>It trusts only the CA it is given, verifies the server's host name, never follows redirects
 * (which would carry the API key elsewhere), and reads at most {@code maxResponseBytes} of any
 * response. Every failure is a {@link CliException} whose message can be shown as it is: the
 * server's {@code {"error": ...}} text with control characters removed, or a description of the
 * network or TLS problem. The API key is never part of a message.
 */
final class ApiClient implements AutoCloseable {
  /** Default cap on a response body; the largest listing is far below it. */
  static final long MAX_RESPONSE_BYTES = 16L * 1024 * 1024;

  static final String API_PREFIX = "/api/v1";

  private final HttpClient http;
  private final URI base;
  private final SecretBytes apiKey;
  private final Duration timeout;
  private final @Nullable Duration uploadTimeout;
  private final String trustSource;
  private final long maxResponseBytes;

  /**
   * @param base the server URL without a trailing slash, for example {@code https://127.0.0.1:8443}
   * @param timeout how long to wait for a connection and for each response
   * @param uploadTimeout how long to wait for the response to an upload; null for no limit, since a
   *     large model on a slow link takes as long as it takes
   * @param trustSource where the trusted CA came from, for error messages
   */
  ApiClient(
      URI base,
      SecretBytes apiKey,
      SSLContext trust,
      Duration timeout,
      @Nullable Duration uploadTimeout,
      String trustSource,
      long maxResponseBytes) {
    this.base = Objects.requireNonNull(base, "base");
    this.apiKey = apiKey;
    this.timeout = timeout;
    this.uploadTimeout = uploadTimeout;
    this.trustSource = trustSource;
    this.maxResponseBytes = maxResponseBytes;
    this.http =
        HttpClient.newBuilder()
            .sslContext(trust)
            .sslParameters(PemTrust.sslParameters())
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_2)
            .build();
  }

  /** {@code /api/v1/} followed by {@code segments}, each percent-encoded as one path segment. */
  static String path(String... segments) {
    StringBuilder path = new StringBuilder(API_PREFIX);
    for (String segment : segments) {
      path.append('/').append(encodeSegment(segment));
    }
    return path.toString();
  }

  JsonNode get(String path) {
    return send("GET", path, BodyPublishers.noBody(), null, timeout);
  }

  /**
   * The body of a successful GET as UTF-8 text, for the few plain-text resources (the audit log's
   * signed checkpoint and verifier key). Errors are reported as for JSON requests.
   */
  String getText(String path) {
    return new String(
        exchange("GET", path, BodyPublishers.noBody(), null, timeout, "text/plain"),
        StandardCharsets.UTF_8);
  }

  JsonNode delete(String path) {
    return send("DELETE", path, BodyPublishers.noBody(), null, timeout);
  }

  JsonNode post(String path, JsonNode body) {
    return send(
        "POST", path, BodyPublishers.ofByteArray(Json.bytes(body)), "application/json", timeout);
  }

  JsonNode put(String path, JsonNode body) {
    return send(
        "PUT", path, BodyPublishers.ofByteArray(Json.bytes(body)), "application/json", timeout);
  }

  /**
   * Pushes a model version as {@code multipart/form-data}: the card, the signature if any, then
   * {@code file}, streamed (never held in memory).
   */
  JsonNode push(String path, byte[] card, byte @Nullable [] signature, Path file) {
    return push(path, card, signature, null, file);
  }

  /** As {@link #push(String, byte[], byte[], Path)}, declaring the artifact's format if given. */
  JsonNode push(
      String path, byte[] card, byte @Nullable [] signature, @Nullable String format, Path file) {
    byte[] random = new byte[16];
    new java.security.SecureRandom().nextBytes(random);
    String boundary = "bulwark-" + java.util.HexFormat.of().formatHex(random);
    List<BodyPublisher> parts = new ArrayList<>();
    parts.add(BodyPublishers.ofByteArray(partHeader(boundary, "card", "card.json", true)));
    parts.add(BodyPublishers.ofByteArray(card));
    if (signature != null) {
      parts.add(BodyPublishers.ofByteArray(partHeader(boundary, "signature", "model.sig", false)));
      parts.add(BodyPublishers.ofByteArray(signature));
    }
    if (format != null) {
      parts.add(BodyPublishers.ofByteArray(partHeader(boundary, "format", "format.txt", false)));
      parts.add(BodyPublishers.ofByteArray(format.getBytes(StandardCharsets.US_ASCII)));
    }
    parts.add(BodyPublishers.ofByteArray(partHeader(boundary, "model", "model", false)));
    try {
      parts.add(BodyPublishers.ofFile(file));
    } catch (FileNotFoundException e) {
      throw CliException.failure("cannot read " + file + ": no such file or not readable", e);
    }
    parts.add(
        BodyPublishers.ofByteArray(
            ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII)));
    return send(
        "POST",
        path,
        BodyPublishers.concat(parts.toArray(BodyPublisher[]::new)),
        "multipart/form-data; boundary=" + boundary,
        uploadTimeout);
  }

  /** Largest artifact {@link #download} writes; far above any model a server accepts by default. */
  static final long MAX_ARTIFACT_BYTES = 64L * 1024 * 1024 * 1024;

  /**
   * Streams a successful GET's body into {@code target} (an existing, private file) and checks it
   * against the digest the server sent ({@code X-Bulwark-Sha256}, and {@code Repr-Digest} if
   * present). Returns the verified SHA-256 in hex.
   *
   * @throws CliException if the request fails, no digest was sent, or the body does not match it
   */
  String download(String path, Path target) {
    // The timeout bounds the wait for the response headers; a large artifact's body takes its time.
    HttpResponse<InputStream> response =
        open(
            authorised(HttpRequest.newBuilder(URI.create(base + path)).GET())
                .header("Accept", "application/octet-stream")
                .timeout(timeout)
                .build());
    int status = response.statusCode();
    if (status < 200 || status >= 300) {
      throw CliException.failure(errorMessage(status, readBody(response), response));
    }
    String expected =
        response
            .headers()
            .firstValue("x-bulwark-sha256")
            .orElseThrow(
                () ->
                    CliException.failure(
                        "the server sent no X-Bulwark-Sha256 digest; refusing the download"));
    java.security.MessageDigest sha256 = Digests.sha256();
    long total = 0;
    try (InputStream in = response.body();
        java.io.OutputStream out =
            java.nio.file.Files.newOutputStream(
                target, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        total += n;
        if (total > MAX_ARTIFACT_BYTES) {
          throw CliException.failure(
              "the artifact is larger than " + Output.bytes(MAX_ARTIFACT_BYTES) + "; refusing it");
        }
        sha256.update(buffer, 0, n);
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      throw CliException.failure("downloading from " + base + " failed: " + networkProblem(e), e);
    }
    byte[] digest = sha256.digest();
    String actual = java.util.HexFormat.of().formatHex(digest);
    boolean matches =
        java.security.MessageDigest.isEqual(
            actual.getBytes(StandardCharsets.US_ASCII),
            expected
                .strip()
                .toLowerCase(java.util.Locale.ROOT)
                .getBytes(StandardCharsets.US_ASCII));
    Optional<String> repr = response.headers().firstValue("repr-digest");
    if (repr.isPresent()
        && !repr.get()
            .contains("sha-256=:" + java.util.Base64.getEncoder().encodeToString(digest) + ":")) {
      matches = false;
    }
    if (!matches) {
      throw CliException.verdict(
          "the downloaded artifact does not match the digest the server sent (got sha256 "
              + actual
              + ", expected "
              + Terminal.safe(expected, 80)
              + "); nothing was written");
    }
    return actual;
  }

  private HttpRequest.Builder authorised(HttpRequest.Builder request) {
    return request
        .header("User-Agent", "bulwark-cli/" + VersionInfo.version())
        .header(
            "Authorization",
            "Bearer "
                + new String(
                    apiKey.toByteArray(InsecureSecretAccess.get()), StandardCharsets.US_ASCII));
  }

  /** Sends {@code request}; a network failure or an interruption is a failure of the command. */
  private HttpResponse<InputStream> open(HttpRequest request) {
    try {
      return http.send(request, BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw CliException.failure("cannot reach " + base + ": " + networkProblem(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.failure("interrupted while waiting for " + base, e);
    }
  }

  private static byte[] partHeader(String boundary, String name, String fileName, boolean first) {
    return ((first ? "" : "\r\n")
            + "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\""
            + name
            + "\"; filename=\""
            + fileName
            + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private JsonNode send(
      String method,
      String path,
      BodyPublisher body,
      @Nullable String contentType,
      @Nullable Duration requestTimeout) {
    byte[] bytes = exchange(method, path, body, contentType, requestTimeout, "application/json");
    if (bytes.length == 0) {
      return Json.object();
    }
    try {
      return Json.parse(bytes);
    } catch (IOException e) {
      throw CliException.failure(
          "the server at " + base + " sent a response that is not valid JSON", e);
    }
  }

  /** Sends a request and returns the body of a 2xx response; anything else is a failure. */
  private byte[] exchange(
      String method,
      String path,
      BodyPublisher body,
      @Nullable String contentType,
      @Nullable Duration requestTimeout,
      String accept) {
    HttpRequest.Builder request =
        authorised(HttpRequest.newBuilder(URI.create(base + path)).method(method, body))
            .header("Accept", accept);
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (requestTimeout != null) {
      request.timeout(requestTimeout);
    }
    HttpResponse<InputStream> response = open(request.build());
    byte[] bytes = readBody(response);
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return bytes;
    }
    throw CliException.failure(errorMessage(status, bytes, response));
  }

  private byte[] readBody(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      OptionalLong declared = response.headers().firstValueAsLong("content-length");
      if (declared.isPresent() && declared.getAsLong() > maxResponseBytes) {
        throw tooLarge();
      }
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxResponseBytes + 1));
      if (bytes.length > maxResponseBytes) {
        throw tooLarge();
      }
      return bytes;
    } catch (IOException e) {
      throw CliException.failure(
          "reading the response from " + base + " failed: " + networkProblem(e), e);
    }
  }

  private CliException tooLarge() {
    return CliException.failure(
        "the response from "
            + base
            + " is larger than "
            + Output.bytes(maxResponseBytes)
            + "; refusing to read it");
  }

  private String errorMessage(int status, byte[] body, HttpResponse<?> response) {
    if (status >= 300 && status < 400) {
      String location = response.headers().firstValue("location").orElse("?");
      return "the server answered with a redirect to "
          + Terminal.safe(location)
          + " (HTTP "
          + status
          + "); check --url";
    }
    String message = serverError(body).orElse("HTTP " + status);
    if (status == 401 || status == 403) {
      return "authentication failed: " + message;
    }
    if (status >= 500) {
      return "server error (HTTP " + status + "): " + message;
    }
    return message;
  }

  /** The {@code error} text of a {@code {"error": "..."}} body, made safe to print. */
  private static Optional<String> serverError(byte[] body) {
    if (body.length == 0) {
      return Optional.empty();
    }
    try {
      JsonNode error = Json.parse(body).path("error");
      return error.isTextual() && !error.textValue().isBlank()
          ? Optional.of(Terminal.safe(error.textValue()))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private String networkProblem(IOException e) {
    if (Failures.find(e, SSLException.class).isPresent()) {
      if (Failures.find(e, CertPathBuilderException.class).isPresent()
          || Failures.find(e, CertPathValidatorException.class).isPresent()) {
        return "TLS failed: the server's certificate is not issued by the CA in "
            + trustSource
            + " (use --ca FILE, or --data DIR for DIR/tls/ca.pem)";
      }
      String detail = Failures.message(Failures.deepest(e));
      if (detail.contains("subject alternative name")) {
        return "TLS failed: the server's certificate is not valid for host "
            + base.getHost()
            + " ("
            + detail
            + ")";
      }
    }
    return Failures.describe(e);
  }

  /** Percent-encodes everything but RFC 3986 unreserved characters, over UTF-8. */
  static String encodeSegment(String segment) {
    if (segment.equals(".") || segment.equals("..")) {
      // Dot segments would be resolved away by any URL normaliser on the way.
      return segment.replace(".", "%2E");
    }
    StringBuilder out = new StringBuilder(segment.length());
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)));
        out.append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      }
    }
    return out.toString();
  }

  @Override
  public void close() {
    http.close();
  }
}
