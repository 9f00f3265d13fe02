package io.bulwark.cli.internal;

import io.bulwark.core.BulwarkConfig;
import io.bulwark.core.SecretBytes;
import io.bulwark.core.SecureFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The options every client command shares: where the server is, how to trust it, which API key to
 * present and how to print the result.
 */
final class ClientOptions {
  static final String DEFAULT_URL = "https://127.0.0.1:8443";
  static final String URL_VARIABLE = "BULWARK_URL";
  static final String KEY_VARIABLE = "BULWARK_API_KEY";
  static final int DEFAULT_TIMEOUT_SECONDS = 30;
  static final int MAX_TIMEOUT_SECONDS = 24 * 60 * 60;

  /** Longest API key accepted from any source; real keys are well below 100 characters. */
  static final int MAX_API_KEY_CHARS = 1024;

  /** Largest API key file read; anything bigger is not a key file. */
  static final int MAX_API_KEY_FILE_BYTES = 4096;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "Server URL (default: " + DEFAULT_URL + ", or env " + URL_VARIABLE + ").")
  private @Nullable String url;

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      description =
          "API key. Other local users can see it in the process list and it stays in shell"
              + " history: prefer --api-key-file or env "
              + KEY_VARIABLE
              + ".")
  private @Nullable String apiKey;

  @Option(
      names = "--api-key-file",
      paramLabel = "FILE",
      description = "Read the API key from FILE (keep it mode 0600).")
  private @Nullable Path apiKeyFile;

  @Option(
      names = "--ca",
      paramLabel = "FILE",
      description =
          "PEM file with the CA certificate to trust; nothing else is trusted"
              + " (default: tls/ca.pem in the --data directory).")
  private @Nullable Path ca;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "The server's data directory, whose tls/ca.pem is trusted when --ca is not given"
              + " (default: bulwark-data in the current directory).")
  private @Nullable Path data;

  @Option(names = "--json", description = "Print the server's JSON response.")
  private boolean json;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description =
          "How long to wait for a connection and a response (default: "
              + DEFAULT_TIMEOUT_SECONDS
              + "; uploads wait for their response without limit unless this is given).")
  private @Nullable Integer timeoutSeconds;

  boolean json() {
    return json;
  }

  /** The --data directory, if given. */
  Optional<Path> data() {
    return Optional.ofNullable(data);
  }

  /**
   * Checks the options and opens a client. Usage errors (exit 2) come first, so that nothing is
   * read or sent when the command line is wrong.
   */
  ApiClient connect(Console console) {
    URI base = baseUrl(console);
    Duration timeout = timeout();
    SecretBytes key = apiKey(console);
    Path caFile = caFile();
    List<X509Certificate> anchors = PemTrust.readCertificates(caFile);
    return new ApiClient(
        base,
        key,
        PemTrust.sslContext(anchors),
        timeout,
        timeoutSeconds == null ? null : timeout,
        caFile.toString(),
        ApiClient.MAX_RESPONSE_BYTES);
  }

  URI baseUrl(Console console) {
    String source = url != null ? "--url" : URL_VARIABLE;
    String value = url != null ? url : console.variable(URL_VARIABLE).orElse(DEFAULT_URL);
    URI uri;
    try {
      uri = new URI(value.strip());
    } catch (URISyntaxException e) {
      throw CliException.usage(source + " is not a valid URL: " + Terminal.safe(value));
    }
    String scheme = uri.getScheme();
    if (scheme == null || !scheme.toLowerCase(Locale.ROOT).equals("https")) {
      throw CliException.usage(
          source
              + " must start with https:// (Bulwark serves only HTTPS): "
              + Terminal.safe(value));
    }
    if (uri.getHost() == null) {
      throw CliException.usage(source + " has no host name: " + Terminal.safe(value));
    }
    if (uri.getRawUserInfo() != null) {
      throw CliException.usage(
          source + " must not contain a user name or password; pass the API key separately");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw CliException.usage(
          source + " must not have a query or fragment: " + Terminal.safe(value));
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    // Keeping a path lets a server sit behind a reverse proxy under a prefix.
    return URI.create("https://" + uri.getRawAuthority() + path);
  }

  Duration timeout() {
    int seconds = timeoutSeconds == null ? DEFAULT_TIMEOUT_SECONDS : timeoutSeconds;
    if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
      throw CliException.usage("--timeout must be 1-" + MAX_TIMEOUT_SECONDS + " seconds");
    }
    return Duration.ofSeconds(seconds);
  }

  Path caFile() {
    if (ca != null) {
      return ca;
    }
    Path dir = data != null ? data : BulwarkConfig.DEFAULT_DATA_DIRECTORY;
    return dir.resolve("tls").resolve("ca.pem");
  }

  SecretBytes apiKey(Console console) {
    if (apiKey != null && apiKeyFile != null) {
      throw CliException.usage("use either --api-key or --api-key-file, not both");
    }
    if (apiKey != null) {
      return checkedKey(apiKey.strip(), "--api-key");
    }
    if (apiKeyFile != null) {
      return checkedKey(readKeyFile(apiKeyFile, console), "the API key file " + apiKeyFile);
    }
    return console
        .variable(KEY_VARIABLE)
        .map(value -> checkedKey(value.strip(), KEY_VARIABLE))
        .orElseThrow(
            () ->
                CliException.usage("no API key: use --api-key, --api-key-file or " + KEY_VARIABLE));
  }

  private static String readKeyFile(Path file, Console console) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_API_KEY_FILE_BYTES + 1);
      if (SecureFiles.isExposed(file)) {
        console.warn(
            file
                + " can be read or written by other users; restrict it with: chmod 600 "
                + Terminal.shellQuote(file.toString()));
      }
    } catch (IOException e) {
      throw CliException.failure(
          "cannot read the API key file " + file + ": " + Failures.describe(e), e);
    }
    if (bytes.length > MAX_API_KEY_FILE_BYTES) {
      throw CliException.usage(
          "the API key file "
              + file
              + " is larger than "
              + MAX_API_KEY_FILE_BYTES
              + " bytes; it should hold only the key");
    }
    return new String(bytes, StandardCharsets.UTF_8).strip();
  }

  /**
   * Rejects keys that cannot be a Bulwark key before they reach an HTTP header, where a line break
   * would let a key file inject headers.
   */
  private static SecretBytes checkedKey(String key, String source) {
    if (key.isEmpty()) {
      throw CliException.usage(source + " is empty");
    }
    if (key.length() > MAX_API_KEY_CHARS) {
      throw CliException.usage(
          source + " is longer than " + MAX_API_KEY_CHARS + " characters; it is not an API key");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw CliException.usage(
            source + " contains spaces, line breaks or other characters an API key never has");
      }
    }
    return SecretBytes.copyOf(key.getBytes(StandardCharsets.US_ASCII));
  }
}
