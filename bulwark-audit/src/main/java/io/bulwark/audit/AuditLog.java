package io.bulwark.audit;

import io.bulwark.audit.internal.FileAuditLog;
import io.bulwark.core.UnavailableException;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * An append-only, tamper-evident audit log: an RFC 6962 Merkle tree of {@link AuditEvent}s with
 * Ed25519-signed C2SP checkpoints, published at least once per {@link
 * AuditLogConfig#checkpointInterval} while entries arrive, and on {@link #close}.
 *
 * <p>Durability: {@link #append} returns only once the entry is on stable storage. Concurrent
 * appends are committed together by one writer, one {@code fsync} per batch.
 *
 * <p>Failing closed: when storage fails (disk full, read-only, I/O error) every append throws
 * {@link UnavailableException} with the reason, {@link #health} says why, and the log keeps
 * retrying by itself; it accepts appends again once storage works. A failed batch leaves nothing
 * behind: it is cut off before the log resumes.
 *
 * <p>All methods are thread-safe.
 */
public interface AuditLog extends AutoCloseable {
  /** Most entries {@link #entries} returns at once. */
  int MAX_ENTRIES_PER_READ = 1000;

  /**
   * Opens the log in {@code config.directory()}, creating it (with a fresh signing key and a size-0
   * checkpoint) if empty. Recovers from a torn last record, which was never acknowledged, and
   * verifies every entry against the last published checkpoint.
   *
   * @throws io.bulwark.core.IntegrityException if the stored entries do not match the last signed
   *     checkpoint (tampering or corruption), checkpoints are missing, or a record in the middle is
   *     damaged: the log refuses to open, and must be restored from a backup
   * @throws IOException if the directory cannot be read or written, or the key file is exposed
   */
  static AuditLog open(AuditLogConfig config) throws IOException {
    return FileAuditLog.open(config);
  }

  /**
   * Appends {@code event} and returns its index once it is on stable storage.
   *
   * @throws UnavailableException if it could not be stored; nothing was logged
   */
  long append(AuditEvent event);

  /**
   * Appends {@code event} without blocking; the future completes with its index once it is on
   * stable storage, or exceptionally with {@link UnavailableException}. Completion runs on the
   * log's writer thread: chain with {@code *Async} methods for anything slow.
   */
  CompletableFuture<Long> appendAsync(AuditEvent event);

  /**
   * Publishes a checkpoint covering every entry appended before this call, and returns its signed
   * note.
   *
   * @throws UnavailableException if storage fails
   */
  String checkpointNow();

  /** Number of entries on stable storage. */
  long size();

  /** The latest published checkpoint as a signed note (C2SP tlog-checkpoint). */
  String latestCheckpoint();

  /** The latest published checkpoint, parsed. */
  Checkpoint latestCheckpointValue();

  /**
   * The canonical bytes of entries {@code [start, start + count)}, fewer at the end of the log.
   *
   * @throws IllegalArgumentException if {@code start} is negative or beyond the log, or {@code
   *     count} is not in {@code 1..MAX_ENTRIES_PER_READ}
   */
  List<byte[]> entries(long start, int count);

  /**
   * The inclusion proof of entry {@code index} in the tree of {@code treeSize} entries.
   *
   * @throws IllegalArgumentException unless {@code 0 <= index < treeSize <= size()}
   */
  InclusionProof inclusionProof(long index, long treeSize);

  /**
   * The consistency proof between the trees of {@code size1} and {@code size2} entries.
   *
   * @throws IllegalArgumentException unless {@code 0 <= size1 <= size2 <= size()}
   */
  ConsistencyProof consistencyProof(long size1, long size2);

  /**
   * The hashes of a C2SP tlog-tiles hash tile: tile {@code level}/{@code index} of {@code width}
   * hashes (256 for a full tile, fewer for the partial tile at the right edge), concatenated. Tile
   * level L holds the tree nodes at height 8L, so level 0 tiles are leaf hashes.
   *
   * @throws IllegalArgumentException unless {@code width} is in {@code 1..256} and every node of
   *     the tile is complete in the current tree
   */
  byte[] tile(int level, long index, int width);

  /** The root hash of the tree of {@code treeSize} entries. */
  byte[] rootHash(long treeSize);

  /** The key that verifies this log's checkpoints. */
  NoteVerifierKey verifierKey();

  /** Whether appends are accepted now, and if not, why. */
  AuditHealth health();

  /** Why appends are refused now; empty while they are accepted. */
  default Optional<String> unavailableReason() {
    return health().reason();
  }

  /**
   * Commits what is queued, publishes a final checkpoint and releases the files. Appends after this
   * throw {@link UnavailableException}.
   */
  @Override
  void close();
}
