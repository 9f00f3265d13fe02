package io.bulwark.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bulwark.cli.Bulwark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bulwark model sign} and {@code bulwark model verify}, in process, with exit codes. */
class SignCommandsTest {
  @TempDir Path dir;

  private Path model;
  private Path privatePem;
  private Path publicPem;
  private Path sig;

  record Result(int exitCode, String out, String err) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Bulwark.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of());
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  @BeforeEach
  void createModelAndKeys() throws Exception {
    model = dir.resolve("model");
    Files.createDirectories(model.resolve("d"));
    Files.writeString(model.resolve("model.onnx"), "onnx bytes");
    Files.writeString(model.resolve("d/vocab.txt"), "a b c");
    KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    privatePem = dir.resolve("key.pem");
    publicPem = dir.resolve("pub.pem");
    Files.writeString(privatePem, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    Files.writeString(publicPem, pem("PUBLIC KEY", keys.getPublic().getEncoded()));
    sig = dir.resolve("model.sig");
  }

  private Result sign() {
    return run(
        "model", "sign", model.toString(), "--key", privatePem.toString(), "--out", sig.toString());
  }

  private Result verify(String... extra) {
    String[] base = {
      "model",
      "verify",
      model.toString(),
      "--signature",
      sig.toString(),
      "--key",
      publicPem.toString()
    };
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return run(all);
  }

  @Test
  void signThenVerify_untouchedModel_exits0() {
    assertThat(sign().exitCode()).isEqualTo(Bulwark.EXIT_OK);
    Result r = verify();
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_OK);
    assertThat(r.out()).contains("VALID: 2 files");
  }

  @Test
  void verify_changedFile_exits3WithReason() throws Exception {
    sign();
    Files.writeString(model.resolve("model.onnx"), "onnx bytez");
    Result r = verify();
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_VERDICT);
    assertThat(r.err()).contains("INVALID").contains("file changed: model.onnx");
  }

  @Test
  void verify_json_reportsReason() throws Exception {
    sign();
    Files.writeString(model.resolve("added"), "x");
    Result r = verify("--json");
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_VERDICT);
    assertThat(r.out()).contains("\"verdict\" : \"invalid\"").contains("added");
  }

  @Test
  void verify_ignorePaths_leavesFileOut() throws Exception {
    Files.writeString(model.resolve("notes"), "x");
    assertThat(
            run(
                    "model",
                    "sign",
                    model.toString(),
                    "--key",
                    privatePem.toString(),
                    "--ignore-paths",
                    model.resolve("notes").toString(),
                    "--out",
                    sig.toString())
                .exitCode())
        .isEqualTo(Bulwark.EXIT_OK);
    Files.writeString(model.resolve("notes"), "changed");
    assertThat(verify("--ignore-paths", model.resolve("notes").toString()).exitCode())
        .isEqualTo(Bulwark.EXIT_OK);
  }

  @Test
  void verify_neitherKeyNorCa_exits2() {
    sign();
    Result r = run("model", "verify", model.toString(), "--signature", sig.toString());
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
  }

  @Test
  void verify_keyAndCa_exits2() {
    sign();
    assertThat(verify("--cert-chain", publicPem.toString()).exitCode())
        .isEqualTo(Bulwark.EXIT_USAGE);
  }

  @Test
  void verify_missingSignature_exits2() {
    assertThat(verify().exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
  }

  @Test
  void verify_notAPemKey_exits2() throws Exception {
    sign();
    Files.writeString(publicPem, "not a key");
    assertThat(verify().exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
  }

  @Test
  void verify_upstreamCertificateVector_exits0() {
    Path base =
        Path.of(System.getProperty("bulwark.vectors", "../shared/vectors"))
            .resolve("oms/model-transparency-scripts-tests");
    assumeTrue(Files.isDirectory(base), "OMS vectors not found at " + base + "; skipping");
    Result r =
        run(
            "model",
            "verify",
            base.resolve("v1.1.0-certificate").toString(),
            "--signature",
            base.resolve("v1.1.0-certificate/model.sig").toString(),
            "--cert-chain",
            base.resolve("keys/certificate/ca-cert.pem").toString(),
            "--ignore-paths",
            base.resolve("v1.1.0-certificate/ignore-me").toString(),
            "--json");
    assertThat(r.exitCode()).as(r.err()).isEqualTo(Bulwark.EXIT_OK);
    assertThat(r.out()).contains("\"verdict\" : \"valid\"");
  }

  @Test
  void verify_legacyVector_exits3() {
    Path base =
        Path.of(System.getProperty("bulwark.vectors", "../shared/vectors"))
            .resolve("oms/model-transparency-scripts-tests");
    assumeTrue(Files.isDirectory(base), "OMS vectors not found at " + base + "; skipping");
    Result r =
        run(
            "model",
            "verify",
            base.resolve("v0.2.0-certificate").toString(),
            "--signature",
            base.resolve("v0.2.0-certificate/model.sig").toString(),
            "--cert-chain",
            base.resolve("keys/certificate/ca-cert.pem").toString());
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_VERDICT);
    assertThat(r.err()).contains("unsupported legacy format");
  }

  private static Path upstream() {
    Path base =
        Path.of(System.getProperty("bulwark.vectors", "../shared/vectors"))
            .resolve("oms/model-transparency-scripts-tests");
    assumeTrue(Files.isDirectory(base), "OMS vectors not found at " + base + "; skipping");
    return base;
  }

  private static Result verifyKeyless(String... trust) {
    Path base = upstream();
    String[] head = {
      "model",
      "verify",
      base.resolve("v1.1.0-sigstore").toString(),
      "--signature",
      base.resolve("v1.1.0-sigstore/model.sig").toString(),
      "--ignore-paths",
      base.resolve("v1.1.0-sigstore/ignore-me").toString()
    };
    String[] all = new String[head.length + trust.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(trust, 0, all, head.length, trust.length);
    return run(all);
  }

  private static String prodRoot() {
    return upstream()
        .resolve("../sigstore-trust/sigstore-python_prod_trusted_root.json")
        .normalize()
        .toString();
  }

  @Test
  void verify_upstreamKeylessVector_exits0() {
    Result r =
        verifyKeyless(
            "--trust-root",
            prodRoot(),
            "--identity",
            "stefanb@us.ibm.com",
            "--issuer",
            "https://sigstore.verify.ibm.com/oauth2",
            "--json");
    assertThat(r.exitCode()).as(r.err()).isEqualTo(Bulwark.EXIT_OK);
    assertThat(r.out())
        .contains("\"verdict\" : \"valid\"")
        .contains("stefanb@us.ibm.com (issuer https://sigstore.verify.ibm.com/oauth2)");
  }

  @Test
  void verify_keylessWrongIdentity_exits3WithReason() {
    Result r =
        verifyKeyless(
            "--trust-root",
            prodRoot(),
            "--identity",
            "eve@example.com",
            "--issuer",
            "https://sigstore.verify.ibm.com/oauth2");
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_VERDICT);
    assertThat(r.err()).contains("INVALID").contains("is not the expected identity");
  }

  @Test
  void verify_keylessWrongIssuer_exits3WithReason() {
    Result r =
        verifyKeyless(
            "--trust-root",
            prodRoot(),
            "--identity",
            "stefanb@us.ibm.com",
            "--issuer",
            "https://accounts.google.com");
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_VERDICT);
    assertThat(r.err()).contains("is not the expected issuer");
  }

  @Test
  void verify_trustRootWithoutIssuer_exits2() {
    Result r = verifyKeyless("--trust-root", prodRoot(), "--identity", "stefanb@us.ibm.com");
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(r.err()).contains("--identity and --issuer");
  }

  @Test
  void verify_identityWithoutTrustRoot_exits2() {
    sign();
    Result r = verify("--identity", "a@example.com", "--issuer", "https://issuer.example");
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
  }

  @Test
  void verify_trustRootAndKey_exits2() {
    sign();
    Result r =
        verify(
            "--trust-root",
            prodRoot(),
            "--identity",
            "a@example.com",
            "--issuer",
            "https://issuer.example");
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(r.err()).contains("exactly one of --key, --cert-chain and --trust-root");
  }

  @Test
  void verify_malformedTrustRoot_exits2() throws Exception {
    Path root = dir.resolve("trusted_root.json");
    Files.writeString(root, "{\"mediaType\": \"something else\"}");
    Result r =
        verifyKeyless(
            "--trust-root",
            root.toString(),
            "--identity",
            "stefanb@us.ibm.com",
            "--issuer",
            "https://sigstore.verify.ibm.com/oauth2");
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(r.err()).contains("not a Sigstore trusted root");
  }
}
