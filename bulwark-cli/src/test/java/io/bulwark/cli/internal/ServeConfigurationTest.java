package io.bulwark.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.cli.Bulwark;
import io.bulwark.core.BulwarkConfig;
import io.bulwark.core.Limits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeConfigurationTest {
  @TempDir Path dir;

  private Path file(String json) throws Exception {
    return Files.writeString(dir.resolve("bulwark.json"), json, StandardCharsets.UTF_8);
  }

  private BulwarkConfig resolve(Path file) {
    return ServeConfiguration.resolve(new ServeConfiguration.Flags(file, null, null, null));
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertUsageError(String json)
      throws Exception {
    Path file = file(json);
    return assertThatThrownBy(() -> resolve(file))
        .isInstanceOfSatisfying(
            CliException.class, e -> assertThat(e.exitCode()).isEqualTo(Bulwark.EXIT_USAGE));
  }

  @Test
  void resolve_noFileNoFlags_usesEmbeddedDefaults() {
    BulwarkConfig config =
        ServeConfiguration.resolve(new ServeConfiguration.Flags(null, null, null, null));

    assertThat(config.dataDirectory())
        .isEqualTo(Path.of("bulwark-data").toAbsolutePath().normalize());
    assertThat(config.host()).isEqualTo("127.0.0.1");
    assertThat(config.port()).isEqualTo(8443);
    assertThat(config.limits()).isEqualTo(Limits.defaults());
    assertThat(config.gracefulShutdownMillis())
        .isEqualTo(BulwarkConfig.DEFAULT_GRACEFUL_SHUTDOWN_MILLIS);
  }

  @Test
  void resolve_fullFile_setsEveryField() throws Exception {
    BulwarkConfig config =
        resolve(
            file(
                """
                {"data_dir": "/srv/bulwark",
                 "listen": {"host": "0.0.0.0", "port": 9443},
                 "limits": {"max_request_bytes": 1000, "max_model_bytes": 2000,
                            "max_tensor_elements": 3000, "max_json_depth": 40,
                            "max_header_bytes": 5000, "max_concurrent_inferences": 6},
                 "graceful_shutdown_ms": 0}
                """));

    assertThat(config.dataDirectory()).isEqualTo(Path.of("/srv/bulwark"));
    assertThat(config.host()).isEqualTo("0.0.0.0");
    assertThat(config.port()).isEqualTo(9443);
    assertThat(config.limits()).isEqualTo(new Limits(1000, 2000, 3000, 40, 5000, 6));
    assertThat(config.gracefulShutdownMillis()).isZero();
  }

  @Test
  void resolve_partialFile_keepsDefaultsForTheRest() throws Exception {
    BulwarkConfig config = resolve(file("{\"limits\": {\"max_model_bytes\": 5}}"));

    assertThat(config.limits()).isEqualTo(Limits.defaults().withMaxModelBytes(5));
    assertThat(config.port()).isEqualTo(BulwarkConfig.DEFAULT_PORT);
  }

  @Test
  void resolve_flags_overrideTheFile() throws Exception {
    Path file =
        file("{\"data_dir\": \"/srv/a\", \"listen\": {\"host\": \"0.0.0.0\", \"port\": 1}}");

    BulwarkConfig config =
        ServeConfiguration.resolve(new ServeConfiguration.Flags(file, Path.of("/srv/b"), "::1", 0));

    assertThat(config.dataDirectory()).isEqualTo(Path.of("/srv/b"));
    assertThat(config.host()).isEqualTo("::1");
    assertThat(config.port()).isZero();
  }

  @Test
  void resolve_relativeDataDir_isResolvedAgainstTheFilesDirectory() throws Exception {
    BulwarkConfig config = resolve(file("{\"data_dir\": \"state\"}"));

    assertThat(config.dataDirectory()).isEqualTo(dir.toAbsolutePath().resolve("state"));
  }

  @Test
  void resolve_unknownTopLevelField_namesIt() throws Exception {
    assertUsageError("{\"data_dir\": \"x\", \"dta_dir\": \"y\"}")
        .hasMessageContaining("unknown field 'dta_dir'")
        .hasMessageContaining("data_dir");
  }

  @Test
  void resolve_unknownNestedField_namesItsPath() throws Exception {
    assertUsageError("{\"limits\": {\"max_model_size\": 5}}")
        .hasMessageContaining("unknown field 'limits.max_model_size'")
        .hasMessageContaining("max_model_bytes");
  }

  @Test
  void resolve_portAboveRange_namesField() throws Exception {
    assertUsageError("{\"listen\": {\"port\": 65536}}")
        .hasMessageContaining("listen.port must be 0-65535, was 65536");
  }

  @Test
  void resolve_portAtTopOfRange_isAccepted() throws Exception {
    assertThat(resolve(file("{\"listen\": {\"port\": 65535}}")).port()).isEqualTo(65535);
  }

  @Test
  void resolve_zeroLimit_namesField() throws Exception {
    assertUsageError("{\"limits\": {\"max_request_bytes\": 0}}")
        .hasMessageContaining("limits.max_request_bytes must be at least 1, was 0");
  }

  @Test
  void resolve_jsonDepthLimitAtMaximum_isAccepted() throws Exception {
    assertThat(resolve(file("{\"limits\": {\"max_json_depth\": 1000}}")).limits().maxJsonDepth())
        .isEqualTo(1000);
  }

  @Test
  void resolve_jsonDepthLimitAboveMaximum_namesField() throws Exception {
    assertUsageError("{\"limits\": {\"max_json_depth\": 1001}}")
        .hasMessageContaining("limits.max_json_depth must be 1-1000");
  }

  @Test
  void resolve_intLimitBeyondInt_namesField() throws Exception {
    assertUsageError("{\"limits\": {\"max_header_bytes\": 2147483648}}")
        .hasMessageContaining("limits.max_header_bytes must be 1-2147483647");
  }

  @Test
  void resolve_negativeGracefulShutdown_namesField() throws Exception {
    assertUsageError("{\"graceful_shutdown_ms\": -1}")
        .hasMessageContaining("graceful_shutdown_ms must not be negative");
  }

  @Test
  void resolve_stringWhereNumberBelongs_namesField() throws Exception {
    assertUsageError("{\"listen\": {\"port\": \"8443\"}}")
        .hasMessageContaining("field 'listen.port' must be a whole number");
  }

  @Test
  void resolve_fractionWhereNumberBelongs_namesField() throws Exception {
    assertUsageError("{\"limits\": {\"max_model_bytes\": 1.5}}")
        .hasMessageContaining("field 'limits.max_model_bytes' must be a whole number");
  }

  @Test
  void resolve_numberWhereObjectBelongs_namesField() throws Exception {
    assertUsageError("{\"listen\": 8443}")
        .hasMessageContaining("field 'listen' must be a JSON object");
  }

  @Test
  void resolve_explicitNull_keepsTheDefault() throws Exception {
    BulwarkConfig config = resolve(file("{\"listen\": {\"host\": null, \"port\": 1}}"));

    assertThat(config.host()).isEqualTo(BulwarkConfig.DEFAULT_HOST);
    assertThat(config.port()).isEqualTo(1);
  }

  @Test
  void resolve_blankHost_namesField() throws Exception {
    assertUsageError("{\"listen\": {\"host\": \" \"}}")
        .hasMessageContaining("listen.host must be a host name or address");
  }

  @Test
  void resolve_duplicateKey_isRejected() throws Exception {
    assertUsageError("{\"listen\": {\"port\": 1, \"port\": 2}}")
        .hasMessageContaining("not valid JSON")
        .hasMessageContaining("port");
  }

  @Test
  void resolve_trailingContent_isRejected() throws Exception {
    assertUsageError("{} {}").hasMessageContaining("not valid JSON");
  }

  @Test
  void resolve_malformedJson_reportsLine() throws Exception {
    assertUsageError("{\n\"listen\": {\"port\": 1,}\n}").hasMessageContaining("line 2");
  }

  @Test
  void resolve_topLevelArray_isRejected() throws Exception {
    assertUsageError("[]").hasMessageContaining("must be a JSON object");
  }

  @Test
  void resolve_numberBeyondLong_isRejected() throws Exception {
    assertUsageError("{\"limits\": {\"max_model_bytes\": 99999999999999999999}}")
        .hasMessageContaining("invalid value");
  }

  @Test
  void resolve_emptyFile_isRejected() throws Exception {
    assertUsageError("").hasMessageContaining("must be a JSON object");
  }

  @Test
  void resolve_fileAtSizeLimit_isRead() throws Exception {
    String json = "{\"listen\": {\"port\": 1}}";
    Path file = file(json + " ".repeat(ServeConfiguration.MAX_FILE_BYTES - json.length()));

    assertThat(resolve(file).port()).isEqualTo(1);
  }

  @Test
  void resolve_fileOverSizeLimit_isRefused() throws Exception {
    String json = "{\"listen\": {\"port\": 1}}";
    assertUsageError(json + " ".repeat(ServeConfiguration.MAX_FILE_BYTES + 1 - json.length()))
        .hasMessageContaining("larger than " + ServeConfiguration.MAX_FILE_BYTES + " bytes");
  }

  @Test
  void resolve_missingFile_isAnErrorNotUsage() {
    assertThatThrownBy(() -> resolve(dir.resolve("absent.json")))
        .isInstanceOfSatisfying(
            CliException.class, e -> assertThat(e.exitCode()).isEqualTo(Bulwark.EXIT_ERROR))
        .hasMessageContaining("no such file");
  }

  @Test
  void resolve_portFlagOutOfRange_namesFlag() {
    assertThatThrownBy(
            () -> ServeConfiguration.resolve(new ServeConfiguration.Flags(null, null, null, 70000)))
        .isInstanceOfSatisfying(
            CliException.class, e -> assertThat(e.exitCode()).isEqualTo(Bulwark.EXIT_USAGE))
        .hasMessageContaining("--port must be 0-65535");
  }

  @Test
  void resolve_pkcs11Kek_resolvesThePinFileAgainstTheFilesDirectory() throws Exception {
    Path f =
        file(
            "{\"kek\": {\"provider\": \"pkcs11\", \"library\": \"/usr/lib/softhsm/libsofthsm2.so\","
                + " \"slot\": 7, \"pin_file\": \"hsm.pin\", \"key_label\": \"bulwark-kek\"}}");
    io.bulwark.core.KekConfig kek = resolve(f).kek();
    assertThat(kek)
        .isEqualTo(
            new io.bulwark.core.KekConfig.Pkcs11(
                Path.of("/usr/lib/softhsm/libsofthsm2.so"),
                7,
                f.toAbsolutePath().getParent().resolve("hsm.pin"),
                "bulwark-kek"));
  }

  @Test
  void resolve_kekWithoutProvider_isTheLocalKeyset() throws Exception {
    assertThat(resolve(file("{\"kek\": {}}")).kek())
        .isInstanceOf(io.bulwark.core.KekConfig.LocalKeyset.class);
  }

  @Test
  void resolve_invalidKekSettings_areUsageErrors() throws Exception {
    assertUsageError("{\"kek\": {\"provider\": \"aws\"}}").hasMessageContaining("kek.provider");
    assertUsageError("{\"kek\": {\"provider\": \"pkcs11\", \"library\": \"/l.so\"}}")
        .hasMessageContaining("pin_file");
    assertUsageError(
            "{\"kek\": {\"provider\": \"pkcs11\", \"library\": \"rel.so\", \"pin_file\":"
                + " \"p\", \"key_label\": \"k\"}}")
        .hasMessageContaining("absolute");
    assertUsageError("{\"kek\": {\"provider\": \"local\", \"slot\": 1}}")
        .hasMessageContaining("no other settings");
    assertUsageError(
            "{\"kek\": {\"provider\": \"pkcs11\", \"library\": \"/l.so\", \"pin_file\":"
                + " \"p\", \"key_label\": \"k\", \"slot\": -1}}")
        .hasMessageContaining("kek.slot");
  }
}
