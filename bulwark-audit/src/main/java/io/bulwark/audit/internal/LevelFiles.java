package io.bulwark.audit.internal;

import io.bulwark.audit.Merkle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A {@link HashStore} in files {@code tree/level-NN}, one per level, each the concatenation of that
 * level's 32-byte hashes. These are derived data: rebuilt from the entries whenever the log opens,
 * so they are never trusted across a crash. Appends are staged per batch and either written whole
 * or rolled back.
 *
 * <p>Only the writer thread appends; readers read nodes below the size the writer has published.
 */
final class LevelFiles implements HashStore, AutoCloseable {
  private static final int MAX_LEVELS = 64;

  private final Path dir;
  private final List<FileChannel> channels = new ArrayList<>();

  /** Per level: the number of hashes written. Writer thread only. */
  private final long[] counts = new long[MAX_LEVELS];

  /** Per level: the last hash if that level's count is odd (the pending left sibling). */
  private final byte[][] lefts = new byte[MAX_LEVELS][];

  private volatile long size;

  // The batch being staged: per level, the bytes to add.
  private final ByteArrayOutputStream[] staged = new ByteArrayOutputStream[MAX_LEVELS];
  private long @Nullable [] savedCounts;
  private byte @Nullable [][] savedLefts;

  private LevelFiles(Path dir) {
    this.dir = dir;
  }

  /** Creates empty level files in {@code dir}, replacing what was there. */
  static LevelFiles create(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    return new LevelFiles(dir);
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public byte[] node(int level, long index) throws IOException {
    FileChannel ch = channel(level);
    ByteBuffer b = ByteBuffer.allocate(Merkle.HASH_BYTES);
    long pos = index * Merkle.HASH_BYTES;
    while (b.hasRemaining()) {
      int n = ch.read(b, pos + b.position());
      if (n < 0) {
        throw new IOException("tree level " + level + " is shorter than expected");
      }
    }
    return b.array();
  }

  /** Starts staging a batch. */
  void begin() {
    savedCounts = counts.clone();
    savedLefts = lefts.clone();
  }

  /** Stages one leaf hash and every subtree hash it completes. */
  void stage(byte[] leafHash) {
    byte[] h = leafHash;
    for (int level = 0; ; level++) {
      if (staged[level] == null) {
        staged[level] = new ByteArrayOutputStream();
      }
      staged[level].writeBytes(h);
      counts[level]++;
      if ((counts[level] & 1) == 1) {
        lefts[level] = h;
        return;
      }
      byte[] left = lefts[level];
      lefts[level] = null;
      h = Merkle.nodeHash(left, h);
    }
  }

  /** Writes the staged hashes (not forced: these files are rebuilt after a crash). */
  void write() throws IOException {
    for (int level = 0; level < MAX_LEVELS; level++) {
      ByteArrayOutputStream out = staged[level];
      if (out == null || out.size() == 0) {
        continue;
      }
      FileChannel ch = channel(level);
      byte[] bytes = out.toByteArray();
      long pos = (counts[level] * Merkle.HASH_BYTES) - bytes.length;
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b, pos + b.position());
      }
    }
  }

  /** Makes the staged batch visible to readers. */
  void commit() {
    clearStaged();
    savedCounts = null;
    savedLefts = null;
    size = counts[0];
  }

  /** Forgets the staged batch; the files are cut back by {@link #repair}. */
  void rollback() {
    clearStaged();
    if (savedCounts != null && savedLefts != null) {
      System.arraycopy(savedCounts, 0, counts, 0, MAX_LEVELS);
      System.arraycopy(savedLefts, 0, lefts, 0, MAX_LEVELS);
    }
    savedCounts = null;
    savedLefts = null;
  }

  /** Cuts every level file back to the committed hashes. */
  void repair() throws IOException {
    for (int level = 0; level < channels.size(); level++) {
      channels.get(level).truncate(counts[level] * Merkle.HASH_BYTES);
    }
  }

  private void clearStaged() {
    for (ByteArrayOutputStream out : staged) {
      if (out != null) {
        out.reset();
      }
    }
  }

  private synchronized FileChannel channel(int level) throws IOException {
    while (channels.size() <= level) {
      Path file = dir.resolve(String.format(java.util.Locale.ROOT, "level-%02d", channels.size()));
      channels.add(
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }
    return channels.get(level);
  }

  @Override
  public synchronized void close() throws IOException {
    for (FileChannel ch : channels) {
      ch.close();
    }
    channels.clear();
    Arrays.fill(staged, null);
  }
}
