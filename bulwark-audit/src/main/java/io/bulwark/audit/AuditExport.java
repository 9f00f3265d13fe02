package io.bulwark.audit;

import io.bulwark.audit.internal.Frames;
import io.bulwark.audit.internal.SignedNotes;
import io.bulwark.core.SecureFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes an audit log's entries, every published checkpoint and its verifier key to a directory an
 * auditor can check with {@link AuditVerifier} (or {@code bulwark audit verify}) without the
 * server:
 *
 * <pre>
 * OUT/entries.jsonl          one canonical entry per line, in log order
 * OUT/checkpoints/NNNNNNNN.note  every signed checkpoint, in publication order
 * OUT/verifier.key           the log's verifier key (check it against one you trust)
 * </pre>
 *
 * Only entries covered by the latest checkpoint are exported, so every exported entry is committed
 * to by a signature. Works offline on the log directory, also while the log is open (a record being
 * written is not yet covered and is left out).
 */
public final class AuditExport {
  /** The entries file of an export. */
  public static final String ENTRIES = "entries.jsonl";

  /** The checkpoints directory of an export. */
  public static final String CHECKPOINTS = "checkpoints";

  /** The verifier key file of an export and of a log directory. */
  public static final String VERIFIER_KEY = "verifier.key";

  /**
   * What was exported.
   *
   * @param entries entries written
   * @param checkpoints checkpoints written
   * @param leftOut entries in the log not yet covered by a checkpoint, hence not exported
   */
  public record Summary(long entries, long checkpoints, long leftOut) {}

  private AuditExport() {}

  /**
   * Exports the log in {@code logDir} to {@code outDir}, which must not exist or be empty.
   *
   * @throws IOException if the log cannot be read or the export written
   * @throws io.bulwark.core.IntegrityException if a record in the middle of a file is damaged
   */
  public static Summary export(Path logDir, Path outDir) throws IOException {
    Path entriesFile = logDir.resolve("entries.log");
    Path checkpointsFile = logDir.resolve("checkpoints.log");
    if (!Files.isRegularFile(checkpointsFile, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(logDir + " holds no audit log (no checkpoints.log)");
    }
    if (Files.exists(outDir) && !isEmptyDirectory(outDir)) {
      throw new IOException(outDir + " exists and is not empty");
    }
    Files.createDirectories(outDir.resolve(CHECKPOINTS));
    List<Long> sizes = new ArrayList<>();
    Frames.Scan cps =
        Frames.scan(
            checkpointsFile,
            Frames.CHECKPOINTS_MAGIC,
            SignedNotes.MAX_NOTE_BYTES,
            (i, off, payload) -> {
              Files.write(
                  outDir
                      .resolve(CHECKPOINTS)
                      .resolve(String.format(Locale.ROOT, "%08d.note", i + 1)),
                  payload);
              sizes.add(sizeOf(payload));
            });
    long covered = sizes.isEmpty() ? 0 : sizes.get(sizes.size() - 1);
    long[] written = {0};
    Frames.Scan scan;
    try (OutputStream out =
        new BufferedOutputStream(Files.newOutputStream(outDir.resolve(ENTRIES)), 1 << 16)) {
      scan =
          Frames.scan(
              entriesFile,
              Frames.ENTRIES_MAGIC,
              AuditEvent.MAX_ENCODED_BYTES,
              (i, off, payload) -> {
                if (i < covered) {
                  out.write(payload);
                  out.write('\n');
                  written[0]++;
                }
              });
    }
    Path vkey = logDir.resolve(VERIFIER_KEY);
    if (Files.isRegularFile(vkey, LinkOption.NOFOLLOW_LINKS)) {
      Files.write(
          outDir.resolve(VERIFIER_KEY),
          SecureFiles.readLimited(vkey, NoteVerifierKey.MAX_CHARS + 1));
    }
    return new Summary(written[0], cps.records(), Math.max(0, scan.records() - written[0]));
  }

  /** The size line of a checkpoint note; 0 if unreadable (the verifier will say why). */
  private static long sizeOf(byte[] note) {
    String[] lines = new String(note, StandardCharsets.UTF_8).split("\n", 3);
    try {
      return lines.length >= 2 ? Long.parseLong(lines[1]) : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (var s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }
}
