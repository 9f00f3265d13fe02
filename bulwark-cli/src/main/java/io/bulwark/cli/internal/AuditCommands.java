package io.bulwark.cli.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.audit.AuditExport;
import io.bulwark.audit.AuditLogRejectedException;
import io.bulwark.audit.AuditReport;
import io.bulwark.audit.AuditVerifier;
import io.bulwark.audit.NoteVerifierKey;
import io.bulwark.cli.Bulwark;
import io.bulwark.core.BulwarkException;
import io.bulwark.core.SecureFiles;
import io.bulwark.core.Strings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark audit verify} and {@code bulwark audit export}: the tamper-evident audit log,
 * offline. {@code verify} exits 0 when the export verifies, 3 with the reasons when it does not, 2
 * on bad usage and 1 when files cannot be read.
 */
@Command(
    name = "audit",
    description = "Export and verify the tamper-evident audit log offline.",
    subcommands = {AuditCommands.Verify.class, AuditCommands.Export.class})
final class AuditCommands implements Callable<Integer> {
  /** A verifier key string is short; a file naming one is read up to this size. */
  private static final int MAX_KEY_FILE_BYTES = 4096;

  @SuppressWarnings("UnusedVariable") // picocli reads it
  @Mixin
  private HelpOption help = new HelpOption();

  @Override
  public Integer call() {
    throw CliException.usage("missing subcommand: verify or export");
  }

  @Command(
      name = "verify",
      description =
          "Verify an exported audit log against a trusted verifier key: recompute the Merkle tree"
              + " from the entries, check every checkpoint signature, that sizes never go back,"
              + " that no size has two roots, and that successive checkpoints are consistent."
              + " Exit 0 verified, 3 rejected.")
  static final class Verify implements Callable<Integer> {
    private final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Parameters(index = "0", paramLabel = "DIR", description = "The export directory.")
    @SuppressWarnings("NullAway.Init")
    private Path dir;

    @Option(
        names = "--key",
        required = true,
        paramLabel = "KEY",
        description =
            "The verifier key (name+keyid+base64) you trust, or a file holding it. Never take it"
                + " from the export itself.")
    @SuppressWarnings("NullAway.Init")
    private String key;

    @Option(names = "--json", description = "Print the result as JSON.")
    private boolean json;

    Verify(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      NoteVerifierKey verifierKey = verifierKey(key);
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw CliException.usage("not a directory: " + Strings.printable(dir.toString()));
      }
      AuditReport report;
      try {
        report = AuditVerifier.verify(dir, verifierKey);
      } catch (AuditLogRejectedException e) {
        report = e.report();
      } catch (IOException e) {
        throw CliException.failure("cannot read the export: " + Failures.io(e), e);
      } catch (BulwarkException e) {
        throw CliException.failure("cannot read the export: " + Failures.message(e), e);
      }
      boolean ok = report.verdict() == AuditReport.Verdict.VERIFIED;
      if (json) {
        ObjectNode out =
            Json.object()
                .put("verdict", ok ? "verified" : "rejected")
                .put("entries", report.entries())
                .put("checkpoints", report.checkpoints())
                .put("verified_size", report.verifiedSize());
        if (report.firstBadEntry().isPresent()) {
          out.put("first_bad_entry", report.firstBadEntry().getAsLong());
        }
        ArrayNode reasons = out.putArray("reasons");
        report.reasons().forEach(reasons::add);
        Json.print(console.out(), out);
      } else if (ok) {
        console
            .out()
            .println(
                "VERIFIED: "
                    + report.entries()
                    + " entries, "
                    + report.checkpoints()
                    + " checkpoints signed by "
                    + verifierKey.name()
                    + "+"
                    + verifierKey.keyIdHex());
      }
      if (!ok) {
        for (String reason : report.reasons()) {
          console.err().println("bulwark: rejected: " + Terminal.safe(reason));
        }
        if (report.firstBadEntry().isPresent() && !json) {
          console.err().println("bulwark: first bad entry: " + report.firstBadEntry().getAsLong());
        }
        return Bulwark.EXIT_VERDICT;
      }
      return Bulwark.EXIT_OK;
    }
  }

  @Command(
      name = "export",
      description =
          "Export the audit log of a data directory (offline; the server may be running) to OUT:"
              + " entries.jsonl, checkpoints/ and verifier.key.")
  static final class Export implements Callable<Integer> {
    private final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Option(
        names = "--data",
        paramLabel = "DIR",
        description = "The server's data directory (default ./bulwark-data); the log is DIR/audit.")
    private Path data = Path.of("bulwark-data");

    @Option(
        names = "--out",
        required = true,
        paramLabel = "OUT",
        description = "Where to write the export; must not exist or be empty.")
    @SuppressWarnings("NullAway.Init")
    private Path out;

    @Option(names = "--json", description = "Print the result as JSON.")
    private boolean json;

    Export(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      Path logDir = data.resolve("audit");
      if (!Files.isDirectory(logDir, LinkOption.NOFOLLOW_LINKS)) {
        throw CliException.usage(
            "no audit log in " + Strings.printable(data.toString()) + " (expected DIR/audit)");
      }
      AuditExport.Summary s;
      try {
        s = AuditExport.export(logDir, out);
      } catch (IOException e) {
        throw CliException.failure("export failed: " + Failures.io(e), e);
      } catch (BulwarkException e) {
        throw CliException.failure("export failed: " + Failures.message(e), e);
      }
      if (json) {
        Json.print(
            console.out(),
            Json.object()
                .put("entries", s.entries())
                .put("checkpoints", s.checkpoints())
                .put("left_out", s.leftOut())
                .put("out", out.toString()));
      } else {
        console
            .out()
            .println(
                "Exported "
                    + s.entries()
                    + " entries and "
                    + s.checkpoints()
                    + " checkpoints to "
                    + Terminal.safe(out.toString())
                    + (s.leftOut() > 0
                        ? " (" + s.leftOut() + " newer entries await a checkpoint)"
                        : ""));
      }
      return Bulwark.EXIT_OK;
    }
  }

  private static NoteVerifierKey verifierKey(String value) {
    String text = value;
    Path file = Path.of(value.length() > 512 ? "-" : value);
    if (!value.contains("+") || Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw CliException.usage(
            "--key is neither a verifier key nor a file: " + Terminal.safe(value, 80));
      }
      try {
        text =
            new String(SecureFiles.readLimited(file, MAX_KEY_FILE_BYTES), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw CliException.usage("cannot read --key: " + Failures.io(e));
      }
    }
    try {
      return NoteVerifierKey.parse(text.strip());
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--key: " + String.valueOf(e.getMessage()));
    }
  }
}
