package io.bulwark.audit;

import io.bulwark.audit.internal.SignedNotes;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A C2SP tlog-checkpoint: the log's origin, its size and the RFC 6962 root hash of that many
 * entries. Its {@link #body} is the text of a signed note.
 */
@SuppressWarnings("ArrayRecordComponent") // cloned in and out; equals compares contents
public record Checkpoint(String origin, long size, byte[] rootHash) {
  /** Longest checkpoint body accepted. */
  public static final int MAX_BODY_BYTES = 4096;

  public Checkpoint {
    NoteVerifierKey.checkName(origin);
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative");
    }
    Objects.requireNonNull(rootHash, "rootHash");
    if (rootHash.length != Merkle.HASH_BYTES) {
      throw new IllegalArgumentException("root hash must be 32 bytes");
    }
    rootHash = rootHash.clone();
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  /** {@code origin\nsize\nbase64(root)\n}. */
  public String body() {
    return origin + "\n" + size + "\n" + Base64.getEncoder().encodeToString(rootHash) + "\n";
  }

  /**
   * Parses a checkpoint body (the text of a note). Extension lines after the root are allowed by
   * C2SP and ignored. The size must be decimal without leading zeros.
   *
   * @throws IllegalArgumentException if it is malformed
   */
  public static Checkpoint parseBody(String body) {
    if (body.getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES || !body.endsWith("\n")) {
      throw new IllegalArgumentException("not a checkpoint");
    }
    String[] lines = body.split("\n", 4);
    if (lines.length < 3) {
      throw new IllegalArgumentException("a checkpoint has origin, size and root lines");
    }
    String size = lines[1];
    if (size.isEmpty()
        || size.length() > 19
        || !size.chars().allMatch(c -> c >= '0' && c <= '9')
        || (size.length() > 1 && size.charAt(0) == '0')) {
      throw new IllegalArgumentException("checkpoint size is not a canonical decimal number");
    }
    long n;
    try {
      n = Long.parseLong(size);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("checkpoint size is out of range", e);
    }
    byte[] root = NoteVerifierKey.strictBase64(lines[2], "checkpoint root hash");
    return new Checkpoint(lines[0], n, root);
  }

  /**
   * Verifies a signed checkpoint note with {@code key} and parses it; the origin must be the key's
   * name.
   *
   * @throws AuditVerificationException if the note is malformed, not signed by {@code key}, or
   *     signed badly
   */
  public static Checkpoint verify(String note, NoteVerifierKey key)
      throws AuditVerificationException {
    String body = SignedNotes.verify(note.getBytes(StandardCharsets.UTF_8), key);
    Checkpoint c;
    try {
      c = parseBody(body);
    } catch (IllegalArgumentException e) {
      throw new AuditVerificationException("signed note is not a checkpoint: " + e.getMessage());
    }
    if (!c.origin().equals(key.name())) {
      throw new AuditVerificationException("checkpoint origin is not the key's name");
    }
    return c;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint c
        && c.origin.equals(origin)
        && c.size == size
        && java.security.MessageDigest.isEqual(c.rootHash, rootHash);
  }

  @Override
  public int hashCode() {
    return origin.hashCode() * 31 + Long.hashCode(size);
  }

  @Override
  public String toString() {
    return "Checkpoint[" + origin + ", size " + size + "]";
  }
}
