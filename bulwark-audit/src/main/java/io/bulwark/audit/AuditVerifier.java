package io.bulwark.audit;

import io.bulwark.audit.internal.MemoryHashStore;
import io.bulwark.audit.internal.SignedNotes;
import io.bulwark.audit.internal.TreeMath;
import io.bulwark.core.SecureFiles;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Verifies an {@link AuditExport} directory against a trusted verifier key, offline:
 *
 * <ol>
 *   <li>every line of {@code entries.jsonl} is a canonical {@link AuditEvent};
 *   <li>the RFC 6962 tree is recomputed from the entries;
 *   <li>every checkpoint's signature verifies with the key (a foreign key is rejected), and its
 *       origin is the key's name;
 *   <li>checkpoint sizes never decrease in publication order (no rollback), two checkpoints of one
 *       size have one root (no fork), and each successive pair is consistent (RFC 9162 2.1.4.2);
 *   <li>each checkpoint's root is the recomputed root of that many entries (an edited, removed,
 *       added or reordered entry changes it), no checkpoint covers more entries than there are (no
 *       truncation), and the last one covers them all.
 * </ol>
 *
 * <p>If no exception is thrown, the log verified.
 */
public final class AuditVerifier {
  /** Most entries an export may hold. */
  public static final long MAX_ENTRIES = 100_000_000L;

  /** Most checkpoints an export may hold. */
  public static final int MAX_CHECKPOINTS = 10_000_000;

  private static final int MAX_REASONS = 20;
  private static final Pattern NOTE_FILE = Pattern.compile("[0-9]{8}\\.note");

  private AuditVerifier() {}

  /**
   * Verifies the export in {@code dir} with {@code key}.
   *
   * @return the report of a verified log
   * @throws AuditLogRejectedException if it does not verify, with the report saying why
   * @throws IOException if the directory cannot be read
   */
  public static AuditReport verify(Path dir, NoteVerifierKey key)
      throws IOException, AuditLogRejectedException {
    List<String> reasons = new ArrayList<>();
    long firstBad = Long.MAX_VALUE;
    MemoryHashStore tree = new MemoryHashStore();

    Path entriesFile = dir.resolve(AuditExport.ENTRIES);
    if (!Files.isRegularFile(entriesFile, LinkOption.NOFOLLOW_LINKS)) {
      throw reject(0, 0, 0, 0, List.of("the export has no " + AuditExport.ENTRIES));
    }
    long index = 0;
    try (InputStream in =
        new BufferedInputStream(Files.newInputStream(entriesFile, LinkOption.NOFOLLOW_LINKS))) {
      while (true) {
        byte[] line = readLine(in);
        if (line == null) {
          break;
        }
        if (index >= MAX_ENTRIES) {
          throw reject(index, 0, 0, index, List.of("more than " + MAX_ENTRIES + " entries"));
        }
        if (line.length > AuditEvent.MAX_ENCODED_BYTES || line[line.length - 1] != '\n') {
          add(reasons, "entry " + index + " is too long or not terminated by a newline");
          firstBad = Math.min(firstBad, index);
          line = stripNewline(line);
        } else {
          line = stripNewline(line);
          try {
            AuditEvent.parse(line);
          } catch (IllegalArgumentException e) {
            add(reasons, "entry " + index + " is not a canonical audit event: " + e.getMessage());
            firstBad = Math.min(firstBad, index);
          }
        }
        tree.append(Merkle.leafHash(line));
        index++;
      }
    }
    long n = index;

    Path cpDir = dir.resolve(AuditExport.CHECKPOINTS);
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(cpDir, LinkOption.NOFOLLOW_LINKS)) {
      try (var s = Files.list(cpDir)) {
        s.filter(p -> NOTE_FILE.matcher(p.getFileName().toString()).matches())
            .limit(MAX_CHECKPOINTS + 1L)
            .sorted()
            .forEach(files::add);
      }
    }
    if (files.size() > MAX_CHECKPOINTS) {
      throw reject(n, files.size(), 0, 0, List.of("more than " + MAX_CHECKPOINTS + " checkpoints"));
    }
    if (files.isEmpty()) {
      add(reasons, "the export has no checkpoints");
      firstBad = 0;
    }
    Map<Long, byte[]> rootsBySize = new HashMap<>();
    @Nullable Checkpoint previous = null;
    @Nullable String previousName = null;
    long verifiedSize = -1;
    for (Path file : files) {
      String name = file.getFileName().toString();
      Checkpoint c;
      try {
        String note =
            new String(
                SecureFiles.readLimited(file, SignedNotes.MAX_NOTE_BYTES), StandardCharsets.UTF_8);
        c = Checkpoint.verify(note, key);
      } catch (AuditVerificationException e) {
        add(reasons, "checkpoint " + name + ": " + e.getMessage());
        continue;
      }
      byte[] seen = rootsBySize.putIfAbsent(c.size(), c.rootHash());
      if (seen != null && !MessageDigest.isEqual(seen, c.rootHash())) {
        add(
            reasons,
            "fork: checkpoint "
                + name
                + " signs another root for size "
                + c.size()
                + " than an earlier checkpoint");
      }
      if (previous != null && c.size() < previous.size()) {
        add(
            reasons,
            "rollback: checkpoint "
                + name
                + " (size "
                + c.size()
                + ") follows "
                + previousName
                + " (size "
                + previous.size()
                + ")");
      }
      boolean matches = false;
      if (c.size() > n) {
        add(
            reasons,
            "truncated: checkpoint "
                + name
                + " commits to "
                + c.size()
                + " entries but the export"
                + " holds "
                + n);
        firstBad = Math.min(firstBad, n);
      } else if (!MessageDigest.isEqual(tree.root(c.size()), c.rootHash())) {
        long from = Math.max(0, verifiedSize);
        add(
            reasons,
            "entries "
                + from
                + ".."
                + (c.size() - 1)
                + " do not match checkpoint "
                + name
                + " (size "
                + c.size()
                + "): an entry was edited, removed, added or moved");
        firstBad = Math.min(firstBad, from);
      } else {
        matches = true;
      }
      if (matches && previous != null && previous.size() > 0 && previous.size() <= c.size()) {
        try {
          ConsistencyProof proof = TreeMath.consistency(tree, previous.size(), c.size());
          Merkle.verifyConsistency(
              previous.size(), c.size(), previous.rootHash(), c.rootHash(), proof.hashes());
        } catch (AuditVerificationException e) {
          add(reasons, "checkpoint " + name + " is not consistent with " + previousName);
        }
      }
      if (matches) {
        verifiedSize = Math.max(verifiedSize, c.size());
      }
      previous = c;
      previousName = name;
    }
    if (previous != null && previous.size() < n) {
      add(
          reasons,
          "entries "
              + previous.size()
              + ".."
              + (n - 1)
              + " are not covered by the last"
              + " checkpoint");
      firstBad = Math.min(firstBad, previous.size());
    }
    long verified = Math.max(0, verifiedSize);
    if (!reasons.isEmpty()) {
      if (firstBad == Long.MAX_VALUE) {
        firstBad = Math.min(verified, n);
      }
      throw new AuditLogRejectedException(
          new AuditReport(
              AuditReport.Verdict.REJECTED,
              n,
              files.size(),
              verified,
              OptionalLong.of(firstBad),
              reasons));
    }
    return new AuditReport(
        AuditReport.Verdict.VERIFIED, n, files.size(), verified, OptionalLong.empty(), reasons);
  }

  /** Verifies with a verifier key string; see {@link #verify(Path, NoteVerifierKey)}. */
  public static AuditReport verify(Path dir, String verifierKey)
      throws IOException, AuditLogRejectedException {
    return verify(dir, NoteVerifierKey.parse(verifierKey.strip()));
  }

  private static AuditLogRejectedException reject(
      long entries, long checkpoints, long verified, long firstBad, List<String> reasons) {
    return new AuditLogRejectedException(
        new AuditReport(
            AuditReport.Verdict.REJECTED,
            entries,
            checkpoints,
            verified,
            OptionalLong.of(firstBad),
            reasons));
  }

  private static void add(List<String> reasons, String reason) {
    if (reasons.size() < MAX_REASONS) {
      reasons.add(reason);
    }
  }

  /** The next line including its newline, at most one byte past the entry limit; null at EOF. */
  private static byte @Nullable [] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    int b;
    while ((b = in.read()) >= 0) {
      out.write(b);
      if (b == '\n') {
        return out.toByteArray();
      }
      if (out.size() > AuditEvent.MAX_ENCODED_BYTES + 1) {
        // Consume the rest of this overlong line so the next one starts cleanly.
        while ((b = in.read()) >= 0 && b != '\n') {
          // skip
        }
        return out.toByteArray();
      }
    }
    return out.size() == 0 ? null : out.toByteArray();
  }

  private static byte[] stripNewline(byte[] line) {
    int end = line.length;
    if (end > 0 && line[end - 1] == '\n') {
      end--;
    }
    byte[] out = new byte[end];
    System.arraycopy(line, 0, out, 0, end);
    return out;
  }
}
