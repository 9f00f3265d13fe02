package io.bulwark.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.audit.AuditEvent;
import io.bulwark.audit.AuditEventType;
import io.bulwark.audit.AuditLog;
import io.bulwark.audit.AuditLogConfig;
import io.bulwark.audit.AuditOutcome;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bulwark audit export} and {@code bulwark audit verify}, in process, with exit codes. */
class AuditCommandsTest {
  @TempDir Path tmp;
  private Path data;
  private Path keyFile;
  private String key;

  record Result(int exitCode, String out, String err) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    Console console =
        new Console(new PrintStream(out, true, StandardCharsets.UTF_8), errStream, Map.of());
    CommandLine commandLine = new CommandLine(AuditCommands.class, new CommandFactory(console));
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof CliException cli) {
            errStream.println("bulwark: " + cli.getMessage());
            return cli.exitCode();
          }
          throw e;
        });
    int code = commandLine.execute(args);
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @BeforeEach
  void createLog() throws Exception {
    data = tmp.resolve("data");
    try (AuditLog log = AuditLog.open(AuditLogConfig.of(data.resolve("audit")))) {
      for (int i = 0; i < 20; i++) {
        log.append(
            new AuditEvent(
                AuditEventType.INFERENCE,
                AuditOutcome.SUCCESS,
                "consumer-" + i,
                "model:m/1",
                "req-" + i,
                Instant.ofEpochSecond(1_767_225_600L + i),
                Map.of()));
      }
      key = log.verifierKey().encode();
    }
    keyFile = tmp.resolve("trusted.key");
    Files.writeString(keyFile, key + "\n");
  }

  @Test
  void exportThenVerify_untouched_exitsZero() {
    Path out = tmp.resolve("export");
    Result export = run("export", "--data", data.toString(), "--out", out.toString());
    assertThat(export.exitCode()).as(export.err()).isZero();
    assertThat(export.out()).contains("Exported 20 entries");
    Result verify = run("verify", out.toString(), "--key", keyFile.toString());
    assertThat(verify.exitCode()).as(verify.err()).isZero();
    assertThat(verify.out()).startsWith("VERIFIED: 20 entries");
    Result inline = run("verify", out.toString(), "--key", key, "--json");
    assertThat(inline.exitCode()).isZero();
    assertThat(inline.out()).contains("\"verdict\"").contains("verified");
  }

  @Test
  void verify_tamperedEntry_exitsThreeWithReasons() throws Exception {
    Path out = tmp.resolve("export");
    assertThat(run("export", "--data", data.toString(), "--out", out.toString()).exitCode())
        .isZero();
    Path entries = out.resolve("entries.jsonl");
    List<String> lines = Files.readAllLines(entries);
    lines.set(3, lines.get(3).replace("consumer-3", "consumer-X"));
    Files.write(entries, lines);
    Result r = run("verify", out.toString(), "--key", key, "--json");
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.out()).contains("rejected").contains("first_bad_entry");
    assertThat(r.err()).contains("bulwark: rejected:");
  }

  @Test
  void verify_badKeyOrMissingDir_exitsTwo() {
    assertThat(run("verify", tmp.toString(), "--key", "not-a-key").exitCode()).isEqualTo(2);
    assertThat(run("verify", tmp.toString(), "--key", "a+b+c").exitCode()).isEqualTo(2);
    assertThat(run("verify", tmp.resolve("nope").toString(), "--key", key).exitCode()).isEqualTo(2);
    assertThat(run("verify", tmp.toString()).exitCode()).isEqualTo(2);
  }

  @Test
  void export_noAuditLog_exitsTwo() {
    Result r = run("export", "--data", tmp.resolve("empty").toString(), "--out", "x");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("no audit log");
  }

  /** A recording HTTPS endpoint that serves this test's log as the audit API would. */
  private TestHttpsServer apiServing(AuditLog log) throws Exception {
    TestPki pki = TestPki.create("Test CA");
    Files.writeString(tmp.resolve("ca.pem"), pki.caPem());
    TestHttpsServer server = TestHttpsServer.start(pki.serverContext("127.0.0.1"));
    server.route("/api/v1/audit/key", 200, "text/plain", log.verifierKey().encode() + "\n");
    server.route("/api/v1/audit/checkpoint", 200, "text/plain", log.latestCheckpoint());
    return server;
  }

  private static String page(AuditLog log, long start, int count) {
    StringBuilder json =
        new StringBuilder("{\"start\":")
            .append(start)
            .append(",\"tree_size\":")
            .append(log.size())
            .append(",\"entries\":[");
    List<byte[]> leaves = log.entries(start, count);
    for (int i = 0; i < leaves.size(); i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"index\":")
          .append(start + i)
          .append(",\"leaf\":\"")
          .append(Base64.getEncoder().encodeToString(leaves.get(i)))
          .append("\",\"event\":")
          .append(new String(leaves.get(i), StandardCharsets.UTF_8))
          .append('}');
    }
    return json.append("]}").toString();
  }

  private String[] client(TestHttpsServer server, String... args) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--url", server.url(), "--ca", tmp.resolve("ca.pem").toString(), "--api-key", "bwk_k"));
    return all.toArray(String[]::new);
  }

  @Test
  void export_online_writesAnExportThatVerifies_andAnEditIsRejected() throws Exception {
    Path out = tmp.resolve("online");
    try (AuditLog log = AuditLog.open(AuditLogConfig.of(data.resolve("audit")));
        TestHttpsServer server = apiServing(log)) {
      log.checkpointNow();
      server.route("/api/v1/audit/checkpoint", 200, "text/plain", log.latestCheckpoint());
      server.route(
          "/api/v1/audit/entries?start=0&count=20", 200, "application/json", page(log, 0, 20));

      Result export = run(client(server, "export", "--out", out.toString()));

      assertThat(export.exitCode()).as(export.err()).isZero();
      assertThat(export.out()).contains("Exported 20 entries and 1 checkpoint to");
      assertThat(server.last().header("Authorization")).isEqualTo("Bearer bwk_k");
    }
    assertThat(run("verify", out.toString(), "--key", key).exitCode()).isZero();
    Path entries = out.resolve("entries.jsonl");
    byte[] bytes = Files.readAllBytes(entries);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(entries, bytes);
    assertThat(run("verify", out.toString(), "--key", key).exitCode()).isEqualTo(3);
  }

  @Test
  void export_onlineIntoNonEmptyDirectory_exitsTwoWithoutAsking() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("full"));
    Files.writeString(out.resolve("x"), "x");
    try (AuditLog log = AuditLog.open(AuditLogConfig.of(data.resolve("audit")));
        TestHttpsServer server = apiServing(log)) {
      Result r = run(client(server, "export", "--out", out.toString()));
      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err()).contains("not empty");
      assertThat(server.received()).isEmpty();
    }
  }

  @Test
  void tail_fromZero_printsOneLinePerEvent() throws Exception {
    try (AuditLog log = AuditLog.open(AuditLogConfig.of(data.resolve("audit")));
        TestHttpsServer server = apiServing(log)) {
      server.route(
          "/api/v1/audit/entries?start=0&count=1000", 200, "application/json", page(log, 0, 20));

      Result r = run(client(server, "tail", "--from", "0"));

      assertThat(r.exitCode()).as(r.err()).isZero();
      List<String> lines = r.out().lines().toList();
      assertThat(lines).hasSize(20);
      assertThat(lines.get(0))
          .isEqualTo("0  2026-01-01T00:00:00Z  INFERENCE  SUCCESS  consumer-0  model:m/1  req-0");
      assertThat(lines.get(19)).startsWith("19  ").endsWith("req-19");
    }
  }

  @Test
  void tail_json_printsTheCanonicalEvents() throws Exception {
    try (AuditLog log = AuditLog.open(AuditLogConfig.of(data.resolve("audit")));
        TestHttpsServer server = apiServing(log)) {
      server.route(
          "/api/v1/audit/entries?start=5&count=1000", 200, "application/json", page(log, 5, 15));

      Result r = run(client(server, "tail", "--from", "5", "--json"));

      assertThat(r.exitCode()).as(r.err()).isZero();
      List<String> lines = r.out().lines().toList();
      assertThat(lines).hasSize(15);
      assertThat(lines.get(0))
          .isEqualTo(new String(log.entries(5, 1).get(0), StandardCharsets.UTF_8));
    }
  }

  @Test
  void tail_withoutFrom_showsTheLastTen() throws Exception {
    try (AuditLog log = AuditLog.open(AuditLogConfig.of(data.resolve("audit")));
        TestHttpsServer server = apiServing(log)) {
      server.route(
          "/api/v1/audit/entries?start=0&count=1", 200, "application/json", page(log, 0, 1));
      server.route(
          "/api/v1/audit/entries?start=10&count=1000", 200, "application/json", page(log, 10, 10));

      Result r = run(client(server, "tail"));

      assertThat(r.exitCode()).as(r.err()).isZero();
      assertThat(r.out().lines().toList()).hasSize(10).first().asString().startsWith("10  ");
    }
  }

  @Test
  void tail_nonCanonicalOrMisnumberedEntry_exitsOne() throws Exception {
    try (AuditLog log = AuditLog.open(AuditLogConfig.of(data.resolve("audit")));
        TestHttpsServer server = apiServing(log)) {
      String leaf =
          Base64.getEncoder()
              .encodeToString("{\"v\":1, \"type\":\"INFERENCE\"}".getBytes(StandardCharsets.UTF_8));
      server.route(
          "/api/v1/audit/entries?start=0&count=1000",
          200,
          "application/json",
          "{\"tree_size\":1,\"entries\":[{\"index\":0,\"leaf\":\"" + leaf + "\"}]}");
      Result r = run(client(server, "tail", "--from", "0"));
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err()).contains("entry 0 is not a canonical audit event");

      server.route(
          "/api/v1/audit/entries?start=0&count=1000", 200, "application/json", page(log, 3, 1));
      Result misnumbered = run(client(server, "tail", "--from", "0"));
      assertThat(misnumbered.exitCode()).isEqualTo(1);
      assertThat(misnumbered.err()).contains("sent entry 3 where 0 was expected");
    }
  }

  @Test
  void tail_badOptions_exitTwo() {
    assertThat(run("tail", "--from", "-1", "--api-key", "k").exitCode()).isEqualTo(2);
    assertThat(run("tail", "--interval", "0", "--api-key", "k").exitCode()).isEqualTo(2);
    assertThat(run("tail", "--interval", "3601", "--api-key", "k").exitCode()).isEqualTo(2);
  }
}
