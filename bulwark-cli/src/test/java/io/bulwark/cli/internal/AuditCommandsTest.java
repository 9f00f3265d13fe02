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
}
