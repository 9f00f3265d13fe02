package io.bulwark.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.audit.AuditEvent;
import io.bulwark.audit.AuditExport;
import io.bulwark.audit.AuditLog;
import io.bulwark.audit.AuditLogRejectedException;
import io.bulwark.audit.AuditReport;
import io.bulwark.audit.AuditVerificationException;
import io.bulwark.audit.AuditVerifier;
import io.bulwark.audit.Checkpoint;
import io.bulwark.audit.NoteVerifierKey;
import io.bulwark.cli.Bulwark;
import io.bulwark.core.BulwarkException;
import io.bulwark.core.SecureFiles;
import io.bulwark.core.Strings;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark audit tail}, {@code export} and {@code verify}: the tamper-evident audit log.
 * {@code tail} and the online {@code export} read the server's audit API; {@code export --data} and
 * {@code verify} work offline. {@code verify} exits 0 when the export verifies, 3 with the reasons
 * when it does not, 2 on bad usage and 1 when files cannot be read.
 */
@Command(
    name = "audit",
    description = "Follow, export and verify the tamper-evident audit log.",
    subcommands = {
      AuditCommands.Verify.class,
      AuditCommands.Export.class,
      AuditCommands.Tail.class
    })
final class AuditCommands implements Callable<Integer> {
  /** A verifier key string is short; a file naming one is read up to this size. */
  private static final int MAX_KEY_FILE_BYTES = 4096;

  @SuppressWarnings("UnusedVariable") // picocli reads it
  @Mixin
  private HelpOption help = new HelpOption();

  @Override
  public Integer call() {
    throw CliException.usage("missing subcommand: tail, export or verify");
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
      description = {
        "Export the audit log to OUT: entries.jsonl, checkpoints/ and verifier.key, for"
            + " 'bulwark audit verify'.",
        "With --data DIR: offline, from the log in DIR/audit (the server may be running), with"
            + " every published checkpoint.",
        "Without --data: through the server's audit API (read-audit), every entry up to the"
            + " latest checkpoint, that checkpoint and the verifier key."
      })
  static final class Export implements Callable<Integer> {
    private final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    // Its --data names the data directory to export offline; without it the export is online.
    @Mixin private ClientOptions client = new ClientOptions();

    @Option(
        names = "--out",
        required = true,
        paramLabel = "OUT",
        description = "Where to write the export; must not exist or be empty.")
    @SuppressWarnings("NullAway.Init")
    private Path out;

    Export(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      Optional<Path> data = client.data();
      AuditExport.Summary s = data.isPresent() ? offline(data.get()) : online();
      if (client.json()) {
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
                    + (s.checkpoints() == 1 ? " checkpoint" : " checkpoints")
                    + " to "
                    + Terminal.safe(out.toString())
                    + (s.leftOut() > 0
                        ? " (" + s.leftOut() + " newer entries await a checkpoint)"
                        : ""));
      }
      return Bulwark.EXIT_OK;
    }

    private AuditExport.Summary offline(Path data) {
      Path logDir = data.resolve("audit");
      if (!Files.isDirectory(logDir, LinkOption.NOFOLLOW_LINKS)) {
        throw CliException.usage(
            "no audit log in " + Strings.printable(data.toString()) + " (expected DIR/audit)");
      }
      try {
        return AuditExport.export(logDir, out);
      } catch (IOException e) {
        throw CliException.failure("export failed: " + Failures.io(e), e);
      } catch (BulwarkException e) {
        throw CliException.failure("export failed: " + Failures.message(e), e);
      }
    }

    private AuditExport.Summary online() {
      checkEmpty(out);
      try (ApiClient api = client.connect(console)) {
        String keyText = api.getText(ApiClient.path("audit", "key")).strip();
        NoteVerifierKey serverKey;
        try {
          serverKey = NoteVerifierKey.parse(keyText);
        } catch (IllegalArgumentException e) {
          throw CliException.failure("the server sent an invalid verifier key", e);
        }
        String note = api.getText(ApiClient.path("audit", "checkpoint"));
        Checkpoint checkpoint;
        try {
          // Only to learn the size: the key came from the same server, so this proves nothing;
          // 'bulwark audit verify' with a key from a trusted place does.
          checkpoint = Checkpoint.verify(note, serverKey);
        } catch (AuditVerificationException e) {
          throw CliException.failure(
              "the server's checkpoint does not verify with its own key: " + e.getMessage(), e);
        }
        long size = checkpoint.size();
        long tail = 0;
        Files.createDirectories(out.resolve(AuditExport.CHECKPOINTS));
        try (OutputStream entries =
            new BufferedOutputStream(
                Files.newOutputStream(out.resolve(AuditExport.ENTRIES)), 1 << 16)) {
          long next = 0;
          while (next < size) {
            int count = (int) Math.min(AuditLog.MAX_ENTRIES_PER_READ, size - next);
            JsonNode page = api.get(entriesPath(next, count));
            tail = page.path("tree_size").asLong(size) - size;
            JsonNode list = page.path("entries");
            if (!list.isArray() || list.isEmpty()) {
              throw CliException.failure(
                  "the server sent no entry at index " + next + " below its checkpoint " + size);
            }
            for (JsonNode e : list) {
              if (next >= size) {
                break;
              }
              entries.write(leaf(e, next));
              entries.write('\n');
              next++;
            }
          }
        }
        Files.writeString(
            out.resolve(AuditExport.CHECKPOINTS).resolve("00000001.note"),
            note,
            StandardCharsets.UTF_8);
        Files.writeString(
            out.resolve(AuditExport.VERIFIER_KEY), keyText + "\n", StandardCharsets.UTF_8);
        return new AuditExport.Summary(size, 1, Math.max(0, tail));
      } catch (IOException e) {
        throw CliException.failure("cannot write the export: " + Failures.io(e), e);
      }
    }

    private static void checkEmpty(Path dir) {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
      boolean empty;
      try (Stream<Path> s = Files.list(dir)) {
        empty = s.findAny().isEmpty();
      } catch (IOException e) {
        throw CliException.usage(
            Terminal.safe(dir.toString()) + " exists and is not an empty directory");
      }
      if (!empty) {
        throw CliException.usage(Terminal.safe(dir.toString()) + " exists and is not empty");
      }
    }
  }

  @Command(
      name = "tail",
      description = {
        "Show audit events as the server records them, one line per event: index, time, type,"
            + " outcome, actor, resource and request id (read-audit).",
        "--json prints each event's canonical JSON (the Merkle leaf), one per line."
      })
  static final class Tail implements Callable<Integer> {
    /** Events shown when --from is not given, as tail(1) does. */
    static final int DEFAULT_LAST = 10;

    static final int MAX_INTERVAL_SECONDS = 3600;

    private final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Mixin private ClientOptions client = new ClientOptions();

    @Option(
        names = "--from",
        paramLabel = "N",
        description = "Start at entry N (default: the last " + DEFAULT_LAST + " entries).")
    private @Nullable Long from;

    @Option(
        names = {"-f", "--follow"},
        description = "Keep polling and show new events as they arrive, until interrupted.")
    private boolean follow;

    @Option(
        names = "--interval",
        paramLabel = "SECONDS",
        description = "How often --follow polls (default: 1).")
    private int intervalSeconds = 1;

    Tail(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      if (from != null && from < 0) {
        throw CliException.usage("--from must not be negative");
      }
      if (intervalSeconds < 1 || intervalSeconds > MAX_INTERVAL_SECONDS) {
        throw CliException.usage("--interval must be 1-" + MAX_INTERVAL_SECONDS + " seconds");
      }
      try (ApiClient api = client.connect(console)) {
        long next;
        if (from != null) {
          next = from;
        } else {
          long size = api.get(entriesPath(0, 1)).path("tree_size").asLong(0);
          next = Math.max(0, size - DEFAULT_LAST);
        }
        while (true) {
          try {
            next = show(api, next);
          } catch (CliException e) {
            if (!follow) {
              throw e;
            }
            // A server restarting or briefly unreachable: say so and keep following.
            console.err().println("bulwark: " + e.getMessage() + "; retrying");
          }
          if (!follow) {
            return Bulwark.EXIT_OK;
          }
          console.out().flush();
          Thread.sleep(intervalSeconds * 1000L);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Bulwark.EXIT_OK;
      }
    }

    /** Prints every entry from {@code next} up to the log's current size; returns the new next. */
    private long show(ApiClient api, long next) {
      long position = next;
      while (true) {
        JsonNode page = api.get(entriesPath(position, AuditLog.MAX_ENTRIES_PER_READ));
        JsonNode list = page.path("entries");
        if (!list.isArray() || list.isEmpty()) {
          return position;
        }
        for (JsonNode e : list) {
          byte[] leaf = leaf(e, position);
          if (client.json()) {
            console.out().println(new String(leaf, StandardCharsets.UTF_8));
          } else {
            console.out().println(line(position, AuditEvent.parse(leaf)));
          }
          position++;
        }
        if (position >= page.path("tree_size").asLong(position)) {
          return position;
        }
      }
    }

    static String line(long index, AuditEvent event) {
      return index
          + "  "
          + event.time()
          + "  "
          + event.type()
          + "  "
          + event.outcome()
          + "  "
          + Terminal.safe(event.actor(), 200)
          + "  "
          + Terminal.safe(event.resource(), 200)
          + "  "
          + Terminal.safe(event.requestId(), 200);
    }
  }

  private static String entriesPath(long start, int count) {
    return ApiClient.path("audit", "entries") + "?start=" + start + "&count=" + count;
  }

  /**
   * The canonical leaf bytes of one entry of an entries page, checked to be the entry at {@code
   * expected} and a canonical event (so that nothing the server sends reaches a terminal or an
   * export unchecked).
   */
  private static byte[] leaf(JsonNode entry, long expected) {
    if (entry.path("index").asLong(-1) != expected) {
      throw CliException.failure(
          "the server sent entry "
              + entry.path("index").asText("?")
              + " where "
              + expected
              + " was expected");
    }
    byte[] leaf;
    try {
      leaf = Base64.getDecoder().decode(entry.path("leaf").asText(""));
    } catch (IllegalArgumentException e) {
      throw CliException.failure("entry " + expected + " is not valid base64", e);
    }
    try {
      AuditEvent.parse(leaf);
    } catch (RuntimeException e) {
      throw CliException.failure(
          "entry " + expected + " is not a canonical audit event: " + Failures.message(e), e);
    }
    return leaf;
  }

  private static @Nullable Path regularFile(String value) {
    try {
      Path p = Path.of(value);
      return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? p : null;
    } catch (java.nio.file.InvalidPathException e) {
      return null;
    }
  }

  private static NoteVerifierKey verifierKey(String value) {
    // A file of that name wins; otherwise the value itself must be a key (name+id+key).
    Path file = regularFile(value);
    String text = value;
    if (file != null) {
      try {
        text =
            new String(SecureFiles.readLimited(file, MAX_KEY_FILE_BYTES), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw CliException.usage("cannot read --key: " + Failures.io(e));
      }
    } else if (!value.contains("+")) {
      throw CliException.usage(
          "--key is neither a verifier key nor a file: " + Terminal.safe(value, 80));
    }
    try {
      return NoteVerifierKey.parse(text.strip());
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--key: " + String.valueOf(e.getMessage()));
    }
  }
}
