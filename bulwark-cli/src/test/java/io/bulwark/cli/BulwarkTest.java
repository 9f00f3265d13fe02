package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BulwarkTest {
  private static final Map<String, String> WITH_KEY = Map.of("BULWARK_API_KEY", "bwk_test");

  @TempDir Path dir;

  /** The outcome of one in-process run. */
  record Result(int exitCode, String out, String err) {}

  static Result run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Bulwark.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            env);
    Result result =
        new Result(
            code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    // Whatever happened, the user never sees a stack trace.
    assertThat(result.err()).doesNotContain("\tat ").doesNotContain("Exception");
    return result;
  }

  static Result run(String... args) {
    return run(Map.of(), args);
  }

  @Test
  void run_version_printsVersionAndSucceeds() {
    Result result = run("--version");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_OK);
    assertThat(result.out()).startsWith("bulwark ").contains("Java ");
  }

  @Test
  void run_help_printsCommandsAndSucceeds() {
    Result result = run("--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("serve").contains("model").contains("key");
  }

  @Test
  void run_subcommandHelp_succeeds() {
    Result result = run("model", "push", "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("--name").contains("--api-key-file");
  }

  @Test
  void run_noArguments_isBadUsage() {
    Result result = run();

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).startsWith("bulwark: missing command").contains("bulwark --help");
  }

  @Test
  void run_groupWithoutSubcommand_isBadUsage() {
    Result result = run("model");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("missing subcommand").contains("bulwark model --help");
  }

  @Test
  void run_misspelledCommand_isBadUsageWithSuggestion() {
    Result result = run("modle", "list");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).startsWith("bulwark: ").contains("model");
  }

  @Test
  void run_unknownOption_isBadUsage() {
    Result result = run(WITH_KEY, "model", "list", "--colour");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).startsWith("bulwark: Unknown option: '--colour'");
  }

  @Test
  void run_missingRequiredOption_isBadUsage() {
    Result result = run(WITH_KEY, "model", "push", "model.onnx", "--version", "1");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("--name");
  }

  @Test
  void run_portNotANumber_isBadUsage() {
    assertThat(run("serve", "--port", "http").exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
  }

  @Test
  void run_atFileArgument_isTakenLiterally() {
    // picocli would otherwise read arguments from the file "@args"; here it is a model name.
    Result result = run(WITH_KEY, "model", "show", "@args");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("invalid model name '@args'");
  }

  @Test
  void run_clientCommandWithoutApiKey_isBadUsage() {
    Result result = run("model", "list");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err())
        .startsWith("bulwark: no API key: use --api-key, --api-key-file or BULWARK_API_KEY\n");
  }

  @Test
  void run_blankApiKeyVariable_countsAsMissing() {
    Result result = run(Map.of("BULWARK_API_KEY", "  "), "key", "list");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("no API key");
  }

  @Test
  void run_apiKeyWithLineBreak_isBadUsage() {
    Result result = run(WITH_KEY, "key", "list", "--api-key", "bwk_a\r\nX-Injected: 1");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("--api-key contains").doesNotContain("Injected");
  }

  @Test
  void run_apiKeyAndApiKeyFile_isBadUsage() {
    Result result =
        run("key", "list", "--api-key", "bwk_a", "--api-key-file", dir.resolve("k").toString());

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("either --api-key or --api-key-file");
  }

  @Test
  void run_plainHttpUrl_isBadUsage() {
    Result result = run(WITH_KEY, "model", "list", "--url", "http://127.0.0.1:8443");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("--url must start with https://");
  }

  @Test
  void run_urlFromEnvironment_isValidatedNamingTheVariable() {
    Result result =
        run(Map.of("BULWARK_API_KEY", "bwk_a", "BULWARK_URL", "ftp://x"), "model", "list");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("BULWARK_URL must start with https://");
  }

  @Test
  void run_urlWithCredentials_isBadUsage() {
    Result result = run(WITH_KEY, "model", "list", "--url", "https://admin:pw@127.0.0.1");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err())
        .contains("must not contain a user name or password")
        .doesNotContain("pw");
  }

  @Test
  void run_timeoutOutOfRange_isBadUsage() {
    Result result = run(WITH_KEY, "model", "list", "--timeout", "0");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("--timeout must be");
  }

  @Test
  void run_pushWithInvalidModelName_isBadUsageBeforeAnythingIsRead() {
    Result result =
        run(
            WITH_KEY,
            "model",
            "push",
            "absent.onnx",
            "--name",
            "Bad/Name",
            "--version",
            "1",
            "--card",
            "card.json");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).startsWith("bulwark: invalid model name 'Bad/Name'");
  }

  @Test
  void run_pushWithInvalidVersion_isBadUsage() {
    Result result =
        run(
            WITH_KEY,
            "model",
            "push",
            "absent.onnx",
            "--name",
            "iris",
            "--version",
            "../1",
            "--card",
            "card.json");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("invalid model version");
  }

  @Test
  void run_pushOfMissingFile_isAnError() {
    Result result =
        run(
            WITH_KEY,
            "model",
            "push",
            dir.resolve("absent.onnx").toString(),
            "--name",
            "iris",
            "--version",
            "1",
            "--card",
            "card.json");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_ERROR);
    assertThat(result.err()).contains("absent.onnx: no such file");
  }

  @Test
  void run_deployWithInvalidName_isBadUsage() {
    assertThat(run(WITH_KEY, "model", "deploy", "Iris", "--version", "1").exitCode())
        .isEqualTo(Bulwark.EXIT_USAGE);
  }

  @Test
  void run_keyCreateWithUnknownRole_isBadUsage() {
    Result result = run(WITH_KEY, "key", "create", "--name", "ci", "--role", "root");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("--role must be one of admin, security-officer");
  }

  @Test
  void run_consumerKeyWithoutModel_isBadUsage() {
    Result result = run(WITH_KEY, "key", "create", "--name", "app", "--role", "consumer");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("at least one --model");
  }

  @Test
  void run_adminKeyWithModel_isBadUsage() {
    Result result =
        run(WITH_KEY, "key", "create", "--name", "ops", "--role", "admin", "--model", "iris");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("do not apply to admin keys");
  }

  @Test
  void run_keyWithInvalidModelGrant_isBadUsage() {
    Result result =
        run(WITH_KEY, "key", "create", "--name", "app", "--role", "consumer", "--model", "a/b");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("invalid model name");
  }

  @Test
  void run_keyExpiringInThePast_isBadUsage() {
    Result result =
        run(
            WITH_KEY,
            "key",
            "create",
            "--name",
            "app",
            "--role",
            "admin",
            "--expires-at",
            "2001-01-01T00:00:00Z");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("--expires-at must be in the future");
  }

  @Test
  void run_keyExpiryNotIso_isBadUsage() {
    Result result =
        run(
            WITH_KEY,
            "key",
            "create",
            "--name",
            "app",
            "--role",
            "admin",
            "--expires-at",
            "tomorrow");

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("ISO-8601");
  }

  @Test
  void run_clientCommandWithoutCaFile_isAnErrorNamingTheFile() {
    Path data = dir.resolve("no-data");
    Result result = run(WITH_KEY, "model", "list", "--data", data.toString());

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_ERROR);
    assertThat(result.err())
        .contains("cannot read CA certificate " + data.resolve("tls").resolve("ca.pem"))
        .contains("no such file");
  }

  @Test
  void run_serveWithUnknownConfigField_isBadUsageNamingIt() throws Exception {
    Path config = Files.writeString(dir.resolve("c.json"), "{\"listen\": {\"prot\": 1}}");

    Result result = run("serve", "--config", config.toString());

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("unknown field 'listen.prot'");
  }

  @Test
  void run_serveWithInvalidConfigValue_isBadUsageNamingIt() throws Exception {
    Path config =
        Files.writeString(dir.resolve("c.json"), "{\"limits\": {\"max_tensor_elements\": -5}}");

    Result result = run("serve", "--config", config.toString());

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("limits.max_tensor_elements");
  }

  @Test
  void run_servePortOutOfRange_isBadUsage() {
    Result result = run("serve", "--port", "65536", "--data", dir.toString());

    assertThat(result.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(result.err()).contains("--port must be 0-65535");
  }
}
