package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.cli.Bulwark;
import io.bulwark.demo.DemoModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code bulwark} client commands against a real server, as an operator would use them. */
class CliEndToEndTest {
  @TempDir static Path tmp;
  static TestServer s;
  static Path modelFile;
  static Path cardFile;
  static Path signerKey;

  record Result(int exit, String out, String err) {
    JsonNode json() {
      return Jsons.parse(out);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    s = TestServer.start(tmp.resolve("data"));
    modelFile = tmp.resolve("model.onnx");
    Files.write(modelFile, DemoModel.onnxBytes());
    cardFile = tmp.resolve("card.json");
    Files.writeString(cardFile, TestServer.CARD);
    signerKey = tmp.resolve("signer.pem");
    TestServer.SIGNER.writePrivateKeyPem(signerKey);
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  private static Result bulwark(String apiKey, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("scan") && !all.contains("sign")) { // offline: no server options
      all.add("--ca");
      all.add(s.server.caCertificate().toString());
    }
    Map<String, String> env = new HashMap<>();
    env.put("BULWARK_URL", "https://127.0.0.1:" + s.server.port());
    if (apiKey != null) {
      env.put("BULWARK_API_KEY", apiKey);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Bulwark.run(
            all.toArray(String[]::new),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            env);
    return new Result(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void modelLifecycle_signPushListShowDeployUndeploy() throws Exception {
    Path sig = tmp.resolve("model.sig");
    Result signed =
        bulwark(
            null,
            "model",
            "sign",
            modelFile.toString(),
            "--key",
            signerKey.toString(),
            "--out",
            sig.toString());
    assertThat(signed.exit()).as(signed.err()).isZero();
    Result unsigned =
        bulwark(
            s.adminKey,
            "model",
            "push",
            modelFile.toString(),
            "--name",
            "cli-model",
            "--version",
            "1",
            "--card",
            cardFile.toString());
    assertThat(unsigned.exit()).isEqualTo(Bulwark.EXIT_ERROR);
    assertThat(unsigned.err()).contains("accepts only models signed by a trusted signer");
    Result push =
        bulwark(
            s.adminKey,
            "model",
            "push",
            modelFile.toString(),
            "--name",
            "cli-model",
            "--version",
            "1",
            "--card",
            cardFile.toString(),
            "--signature",
            sig.toString(),
            "--json");
    assertThat(push.exit()).as(push.err()).isZero();
    assertThat(push.json().get("sha256").asText()).hasSize(64);
    assertThat(push.json().get("signer").asText()).startsWith("key sha256:");

    Result again =
        bulwark(
            s.adminKey,
            "model",
            "push",
            modelFile.toString(),
            "--name",
            "cli-model",
            "--version",
            "1",
            "--card",
            cardFile.toString(),
            "--signature",
            sig.toString());
    assertThat(again.exit()).isEqualTo(Bulwark.EXIT_ERROR);
    assertThat(again.err()).contains("already exists").doesNotContain("Exception");

    Result draft = bulwark(s.adminKey, "model", "deploy", "cli-model", "--version", "1");
    assertThat(draft.exit()).isEqualTo(Bulwark.EXIT_ERROR);
    assertThat(draft.err()).contains("only approved versions can be deployed");
    Result selfApproval = bulwark(s.adminKey, "model", "approve", "cli-model", "--version", "1");
    assertThat(selfApproval.exit()).isEqualTo(Bulwark.EXIT_ERROR);
    assertThat(selfApproval.err()).contains("separation of duties");
    Result approval =
        bulwark(
            s.approverKey,
            "model",
            "approve",
            "cli-model",
            "--version",
            "1",
            "--reason",
            "reviewed the model card");
    assertThat(approval.exit()).as(approval.err()).isZero();
    assertThat(bulwark(s.adminKey, "model", "deploy", "cli-model", "--version", "1").exit())
        .isZero();
    Result list = bulwark(s.adminKey, "model", "list", "--json");
    assertThat(list.exit()).isZero();
    assertThat(list.out()).contains("\"cli-model\"");
    Result show = bulwark(s.adminKey, "model", "show", "cli-model");
    assertThat(show.exit()).isZero();
    assertThat(show.out()).contains("cli-model").contains("onnx");
    Result custody = bulwark(s.adminKey, "model", "show", "cli-model", "1");
    assertThat(custody.exit()).as(custody.err()).isZero();
    assertThat(custody.out())
        .contains("Signer:     key sha256:")
        .contains("Scan:       safe")
        .contains("Owner:      test-team")
        .contains("Chain of custody:")
        .contains("approve")
        .contains("reviewed the model card")
        .contains("deploy");

    assertThat(bulwark(s.adminKey, "model", "undeploy", "cli-model").exit()).isZero();
    Result retire = bulwark(s.adminKey, "model", "retire", "cli-model", "--version", "1");
    assertThat(retire.exit()).as(retire.err()).isZero();
    Result history = bulwark(s.adminKey, "model", "history", "cli-model");
    assertThat(history.exit()).isZero();
    assertThat(history.out())
        .contains("push")
        .contains("approve")
        .contains("reviewed the model card")
        .contains("retire");
    Result twice = bulwark(s.adminKey, "model", "undeploy", "cli-model");
    assertThat(twice.exit()).isEqualTo(Bulwark.EXIT_ERROR);
    assertThat(twice.err()).contains("not found");
  }

  @Test
  void keyLifecycle_createUseRevoke() throws Exception {
    s.publish("granted-model", "1", DemoModel.onnxBytes());
    Result created =
        bulwark(
            s.adminKey,
            "key",
            "create",
            "--name",
            "app",
            "--role",
            "consumer",
            "--model",
            "granted-model",
            "--json");
    assertThat(created.exit()).as(created.err()).isZero();
    String key = created.json().get("key").asText();
    String id = created.json().get("id").asText();
    assertThat(key).startsWith("bwk_");

    Result asConsumer = bulwark(key, "model", "list", "--json");
    assertThat(asConsumer.exit()).isZero();
    assertThat(asConsumer.out()).contains("granted-model");
    Result forbidden = bulwark(key, "key", "list");
    assertThat(forbidden.exit()).isEqualTo(Bulwark.EXIT_ERROR);

    Result listed = bulwark(s.adminKey, "key", "list", "--json");
    assertThat(listed.out()).contains(id).doesNotContain(key);

    assertThat(bulwark(s.adminKey, "key", "revoke", id).exit()).isZero();
    Result revoked = bulwark(key, "model", "list");
    assertThat(revoked.exit()).isEqualTo(Bulwark.EXIT_ERROR);
    assertThat(revoked.err()).contains("authentication failed");
  }

  @Test
  void badUsage_exits2_beforeContactingTheServer() {
    assertThat(bulwark(null, "model", "list").exit()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(
            bulwark(
                    s.adminKey,
                    "model",
                    "push",
                    modelFile.toString(),
                    "--name",
                    "../etc",
                    "--version",
                    "1",
                    "--card",
                    cardFile.toString())
                .exit())
        .isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(bulwark(s.adminKey, "model", "frobnicate").exit()).isEqualTo(Bulwark.EXIT_USAGE);
  }

  @Test
  void untrustedServerCertificate_isRefused() throws Exception {
    Path otherCa = tmp.resolve("other-ca.pem");
    // A valid CA, but another server's: the TLS handshake must fail.
    try (TestServer other = TestServer.start(tmp.resolve("other"))) {
      Files.copy(other.server.caCertificate(), otherCa);
    }
    List<String> args =
        List.of(
            "model",
            "list",
            "--ca",
            otherCa.toString(),
            "--url",
            "https://127.0.0.1:" + s.server.port());
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Bulwark.run(
            args.toArray(String[]::new),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of("BULWARK_API_KEY", s.adminKey));
    assertThat(exit).isEqualTo(Bulwark.EXIT_ERROR);
    assertThat(err.toString(StandardCharsets.UTF_8)).containsIgnoringCase("certificate");
  }

  @Test
  void modelScan_offline_exits0ForSafeAnd3ForUnsafe() throws Exception {
    Result safe = bulwark(null, "model", "scan", modelFile.toString());
    assertThat(safe.exit()).as(safe.err()).isZero();
    assertThat(safe.out()).contains("SAFE");

    Path unsafe = tmp.resolve("custom-op.onnx");
    Files.write(unsafe, io.bulwark.testing.OnnxModels.customOperator());
    Result refused = bulwark(null, "model", "scan", unsafe.toString(), "--json");
    assertThat(refused.exit()).isEqualTo(Bulwark.EXIT_VERDICT);
    assertThat(refused.json().get("verdict").asText()).isEqualTo("unsafe");
    assertThat(refused.json().get("findings").get(0).get("rule").asText())
        .isEqualTo("onnx.custom-domain");

    Path unknown = tmp.resolve("notes.exe");
    Files.write(unknown, new byte[] {0x4d, 0x5a, 0, 0});
    assertThat(bulwark(null, "model", "scan", unknown.toString()).exit())
        .isEqualTo(Bulwark.EXIT_VERDICT);
    assertThat(bulwark(null, "model", "scan", tmp.resolve("absent").toString()).exit())
        .isEqualTo(Bulwark.EXIT_USAGE);
  }

  /** An offline command, with no server options added. */
  private static Result offline(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Bulwark.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of());
    return new Result(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void auditExportOnline_verifiesWithTheServersKey_andAOneByteEditIsRejected() throws Exception {
    // Something to export beyond the start-up events, and a second for its checkpoint.
    assertThat(bulwark(s.adminKey, "model", "list").exit()).isZero();
    Thread.sleep(1500);
    Path out = tmp.resolve("audit-export");

    Result export = bulwark(s.adminKey, "audit", "export", "--out", out.toString());

    assertThat(export.exit()).as(export.err()).isZero();
    assertThat(export.out()).contains("Exported ").contains(" entries and 1 checkpoint to ");
    Path trusted = s.dataDir.resolve("audit").resolve("verifier.key");
    Result verified = offline("audit", "verify", out.toString(), "--key", trusted.toString());
    assertThat(verified.exit()).as(verified.err()).isZero();
    assertThat(verified.out()).startsWith("VERIFIED: ");

    Path entries = out.resolve("entries.jsonl");
    byte[] bytes = Files.readAllBytes(entries);
    int at = bytes.length / 2;
    bytes[at] = (byte) (bytes[at] == 'a' ? 'b' : 'a');
    Files.write(entries, bytes);
    Result rejected = offline("audit", "verify", out.toString(), "--key", trusted.toString());
    assertThat(rejected.exit()).isEqualTo(3);
    assertThat(rejected.err()).contains("bulwark: rejected:");
  }

  @Test
  void auditTail_json_printsTheLogsCanonicalEvents() {
    Result tail = bulwark(s.adminKey, "audit", "tail", "--from", "0", "--json");

    assertThat(tail.exit()).as(tail.err()).isZero();
    List<String> lines = tail.out().lines().toList();
    assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("{\"v\":1,\"type\":"));
    assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"type\":\"SERVER_START\""));
  }
}
