package io.bulwark.audit.internal;

import io.bulwark.audit.AuditEvent;
import io.bulwark.audit.AuditHealth;
import io.bulwark.audit.AuditLog;
import io.bulwark.audit.AuditLogConfig;
import io.bulwark.audit.AuditVerificationException;
import io.bulwark.audit.Checkpoint;
import io.bulwark.audit.ConsistencyProof;
import io.bulwark.audit.InclusionProof;
import io.bulwark.audit.Merkle;
import io.bulwark.audit.NoteVerifierKey;
import io.bulwark.core.IntegrityException;
import io.bulwark.core.SecureFiles;
import io.bulwark.core.UnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log in a directory: an append-only entries file and checkpoints file (see {@link
 * Frames}), the signing key, the latest checkpoint and verifier key as text files, and the tree
 * levels. One writer thread commits appends in batches, one {@code fsync} per batch (group commit),
 * and publishes signed checkpoints.
 */
public final class FileAuditLog implements AuditLog {
  static final String ENTRIES = "entries.log";
  static final String CHECKPOINTS = "checkpoints.log";
  static final String LATEST = "checkpoint";
  static final String KEY = "checkpoint-signing.key";
  static final String VERIFIER_KEY = "verifier.key";
  static final String LOCK = "lock";
  static final String TREE = "tree";

  private static final Logger log = LoggerFactory.getLogger(FileAuditLog.class);
  private static final int MAX_BATCH = 8192;

  /** The most frame bytes one write holds, so that a batch of large events is not one buffer. */
  private static final long MAX_WRITE_BYTES = 16L << 20;

  private static final int MAX_QUEUED = 1 << 16;
  private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final AuditLogConfig config;
  private final Path dir;
  private final NoteSigner signer;
  private final LevelFiles tree;
  private final Offsets offsets;
  private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
  private final Thread writer;
  private final FileChannel reader;
  private @Nullable FileChannel lock;

  // Writer thread state.
  private @Nullable FileChannel entries;
  private @Nullable FileChannel checkpoints;
  private long entriesEnd;
  private long checkpointsEnd;
  private long lastPublishNanos;
  private long nextRepairNanos;

  private volatile long size;
  private volatile String latestNote;
  private volatile Checkpoint latest;
  private volatile @Nullable String unavailable;
  private volatile boolean closed;

  /** An append, a checkpoint request, or the request to stop. */
  private sealed interface Request permits Append, Publish, Stop {}

  @SuppressWarnings("ArrayRecordComponent") // private, never compared
  private record Append(byte[] leaf, byte[] leafHash, CompletableFuture<Long> done)
      implements Request {}

  private record Publish(CompletableFuture<String> done) implements Request {}

  private record Stop(CompletableFuture<Void> done) implements Request {}

  private FileAuditLog(
      AuditLogConfig config,
      NoteSigner signer,
      LevelFiles tree,
      Offsets offsets,
      long entriesEnd,
      long checkpointsEnd,
      String latestNote,
      Checkpoint latest)
      throws IOException {
    this.config = config;
    this.dir = config.directory();
    this.signer = signer;
    this.tree = tree;
    this.offsets = offsets;
    this.entriesEnd = entriesEnd;
    this.checkpointsEnd = checkpointsEnd;
    this.latestNote = latestNote;
    this.latest = latest;
    this.size = tree.size();
    this.entries = FileChannel.open(dir.resolve(ENTRIES), StandardOpenOption.WRITE);
    this.checkpoints = FileChannel.open(dir.resolve(CHECKPOINTS), StandardOpenOption.WRITE);
    this.reader = FileChannel.open(dir.resolve(ENTRIES), StandardOpenOption.READ);
    this.lastPublishNanos = System.nanoTime();
    this.writer = Thread.ofPlatform().name("audit-log-writer").daemon(true).unstarted(this::run);
  }

  /** See {@link AuditLog#open}. */
  public static AuditLog open(AuditLogConfig config) throws IOException {
    Path dir = SecureFiles.createPrivateDirectory(config.directory());
    FileChannel lock = lock(dir);
    try {
      FileAuditLog log = openLocked(config, dir);
      log.lock = lock;
      return log;
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /**
   * Holds an exclusive lock on {@code dir/lock} for the life of the log: two writers on one log
   * (two servers given the same data directory) would interleave records and fork the tree.
   */
  private static FileChannel lock(Path dir) throws IOException {
    FileChannel channel =
        FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    java.nio.channels.FileLock held;
    try {
      held = channel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      held = null;
    }
    if (held == null) {
      channel.close();
      throw new IOException(
          dir
              + " is in use by another audit log (another server on the same data directory?);"
              + " every server needs its own audit directory");
    }
    return channel;
  }

  private static FileAuditLog openLocked(AuditLogConfig config, Path dir) throws IOException {
    Path entriesFile = dir.resolve(ENTRIES);
    Path checkpointsFile = dir.resolve(CHECKPOINTS);
    boolean fresh =
        !Files.exists(entriesFile, LinkOption.NOFOLLOW_LINKS)
            && !Files.exists(checkpointsFile, LinkOption.NOFOLLOW_LINKS);
    NoteSigner signer = loadOrCreateKey(dir, config.origin(), fresh);

    // The checkpoints first: they say what the entries must be.
    List<byte[]> notes = new ArrayList<>(1);
    Frames.Scan cps =
        Frames.scan(
            checkpointsFile,
            Frames.CHECKPOINTS_MAGIC,
            SignedNotes.MAX_NOTE_BYTES,
            (i, off, payload) -> {
              notes.clear();
              notes.add(payload);
            });
    LevelFiles tree = LevelFiles.create(dir.resolve(TREE));
    // Whatever refuses the log from here on must not leave the level files open.
    boolean opened = false;
    try {
      Offsets offsets = new Offsets();
      Frames.Scan scan =
          Frames.scan(
              entriesFile,
              Frames.ENTRIES_MAGIC,
              AuditEvent.MAX_ENCODED_BYTES,
              new Frames.Visitor() {
                @Override
                public void record(long index, long offset, byte[] payload) {
                  offsets.add(offset);
                  tree.stage(Merkle.leafHash(payload));
                  if ((index & 4095) == 4095) {
                    flush(tree);
                  }
                }
              });
      tree.write();
      tree.commit();

      if (!fresh && cps.records() == 0 && scan.records() > 0) {
        throw Frames.integrity(
            dir
                + ": the audit log has no published checkpoint ("
                + CHECKPOINTS
                + " is missing or empty): it cannot be verified; restore it from a backup");
      }
      // No entry and no checkpoint: a first start that stopped before its empty checkpoint was
      // published (nothing was ever acknowledged or signed), so it starts afresh.
      if (fresh || cps.records() == 0) {
        create(entriesFile, Frames.ENTRIES_MAGIC);
        create(checkpointsFile, Frames.CHECKPOINTS_MAGIC);
        Checkpoint empty = new Checkpoint(config.origin(), 0, Merkle.emptyRoot());
        String note = signer.sign(empty.body());
        long end = appendFrame(checkpointsFile, Frames.HEADER_BYTES, note);
        writeLatest(dir, note);
        FileAuditLog log =
            start(config, signer, tree, offsets, Frames.HEADER_BYTES, end, note, empty);
        opened = true;
        return log;
      }

      if (scan.validEnd() < Frames.HEADER_BYTES) {
        create(entriesFile, Frames.ENTRIES_MAGIC);
      } else if (scan.torn()) {
        log.warn(
            "audit log {}: dropping {} bytes of an incomplete last record (never acknowledged)",
            dir,
            scan.fileSize() - scan.validEnd());
        truncate(entriesFile, scan.validEnd(), Frames.ENTRIES_MAGIC);
      }
      if (cps.torn()) {
        truncate(checkpointsFile, cps.validEnd(), Frames.CHECKPOINTS_MAGIC);
      }
      String note = new String(notes.get(0), StandardCharsets.UTF_8);
      Checkpoint last;
      try {
        last = Checkpoint.verify(note, signer.verifierKey());
      } catch (AuditVerificationException e) {
        throw Frames.integrity(
            dir
                + ": the last published checkpoint does not verify with the log's key ("
                + e.getMessage()
                + "): tampering or corruption; restore from a backup");
      }
      if (last.size() > tree.size()) {
        throw Frames.integrity(
            dir
                + ": the last published checkpoint covers "
                + last.size()
                + " entries but only "
                + tree.size()
                + " are stored: entries were removed; restore from a backup");
      }
      if (!MessageDigest.isEqual(TreeMath.root(tree, last.size()), last.rootHash())) {
        throw Frames.integrity(
            dir
                + ": the stored entries do not match the last published checkpoint (size "
                + last.size()
                + "): tampering or corruption; restore from a backup");
      }
      writeLatest(dir, note);
      FileAuditLog log =
          start(
              config,
              signer,
              tree,
              offsets,
              Math.max(scan.validEnd(), Frames.HEADER_BYTES),
              cps.validEnd(),
              note,
              last);
      opened = true;
      return log;
    } finally {
      if (!opened) {
        tree.close();
      }
    }
  }

  private static void flush(LevelFiles tree) {
    try {
      tree.write();
      tree.commit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static FileAuditLog start(
      AuditLogConfig config,
      NoteSigner signer,
      LevelFiles tree,
      Offsets offsets,
      long entriesEnd,
      long checkpointsEnd,
      String note,
      Checkpoint last)
      throws IOException {
    FileAuditLog l =
        new FileAuditLog(config, signer, tree, offsets, entriesEnd, checkpointsEnd, note, last);
    l.writer.start();
    return l;
  }

  private static NoteSigner loadOrCreateKey(Path dir, String origin, boolean fresh)
      throws IOException {
    Path keyFile = dir.resolve(KEY);
    NoteSigner signer;
    if (Files.exists(keyFile, LinkOption.NOFOLLOW_LINKS)) {
      if (SecureFiles.isExposed(keyFile)) {
        throw new IOException(
            keyFile + " is readable or writable by other users; run 'chmod 600 " + keyFile + "'");
      }
      try {
        signer =
            NoteSigner.parse(
                new String(SecureFiles.readLimited(keyFile, 1024), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new IOException(keyFile + ": " + e.getMessage(), e);
      }
      if (!signer.verifierKey().name().equals(origin)) {
        throw new IOException(
            "the audit log in "
                + dir
                + " has origin "
                + signer.verifierKey().name()
                + ", not the configured "
                + origin
                + "; a log's origin cannot change");
      }
    } else if (!fresh) {
      // A new key would make every published checkpoint unverifiable; never replace it silently.
      throw new IOException(
          keyFile + " is missing but the audit log holds data; restore the key from a backup");
    } else {
      signer = NoteSigner.generate(origin, new SecureRandom());
      SecureFiles.writePrivate(keyFile, signer.encodePrivate(), false);
    }
    Path vkey = dir.resolve(VERIFIER_KEY);
    byte[] text = (signer.verifierKey().encode() + "\n").getBytes(StandardCharsets.UTF_8);
    if (!Files.isRegularFile(vkey, LinkOption.NOFOLLOW_LINKS)
        || Files.size(vkey) != text.length
        || !Arrays.equals(SecureFiles.readLimited(vkey, text.length), text)) {
      writeAtomically(vkey, text);
    }
    return signer;
  }

  private static void create(Path file, String magic) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(Frames.header(magic)));
      ch.force(true);
    }
  }

  private static void truncate(Path file, long end, String magic) throws IOException {
    if (end < Frames.HEADER_BYTES) {
      create(file, magic);
      return;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(end);
      ch.force(true);
    }
  }

  private static long appendFrame(Path file, long at, String note) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      byte[] frame = Frames.frame(note.getBytes(StandardCharsets.UTF_8));
      writeFully(ch, ByteBuffer.wrap(frame), at);
      ch.force(false);
      return at + frame.length;
    }
  }

  private static void writeLatest(Path dir, String note) throws IOException {
    writeAtomically(dir.resolve(LATEST), note.getBytes(StandardCharsets.UTF_8));
  }

  private static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      writeFully(ch, ByteBuffer.wrap(bytes), 0);
      ch.force(false);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b, at + b.position());
    }
  }

  // ---- API ----

  @Override
  public long append(AuditEvent event) {
    try {
      return appendAsync(event).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while waiting for the audit log", e);
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    }
  }

  @Override
  public CompletableFuture<Long> appendAsync(AuditEvent event) {
    byte[] leaf = event.toCanonicalJson();
    CompletableFuture<Long> done = new CompletableFuture<>();
    @Nullable String reason = refusal();
    if (reason != null) {
      done.completeExceptionally(new UnavailableException(reason));
      return done;
    }
    if (!queue.offer(new Append(leaf, Merkle.leafHash(leaf), done))) {
      done.completeExceptionally(
          new UnavailableException("audit log unavailable: too many appends waiting"));
    } else if (closed && !writer.isAlive()) {
      // Offered after the writer's last drain: nobody else will answer it.
      drainRefused();
    }
    return done;
  }

  @Override
  public String checkpointNow() {
    @Nullable String reason = refusal();
    if (reason != null) {
      throw new UnavailableException(reason);
    }
    CompletableFuture<String> done = new CompletableFuture<>();
    try {
      queue.put(new Publish(done));
      return done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while waiting for the audit log", e);
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    }
  }

  private @Nullable String refusal() {
    if (closed) {
      return "audit log is closed";
    }
    @Nullable String reason = unavailable;
    return reason == null ? null : "audit log unavailable: " + reason;
  }

  private static RuntimeException unwrap(@Nullable Throwable cause) {
    if (cause instanceof CompletionException ce && ce.getCause() != null) {
      cause = ce.getCause();
    }
    if (cause instanceof RuntimeException re) {
      return re;
    }
    return new UnavailableException(
        "audit log unavailable", cause == null ? new IOException() : cause);
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public String latestCheckpoint() {
    return latestNote;
  }

  @Override
  public Checkpoint latestCheckpointValue() {
    return latest;
  }

  @Override
  public List<byte[]> entries(long start, int count) {
    long n = size;
    if (start < 0 || start > n) {
      throw new IllegalArgumentException("start must be in [0, " + n + "]");
    }
    if (count < 1 || count > MAX_ENTRIES_PER_READ) {
      throw new IllegalArgumentException("count must be in [1, " + MAX_ENTRIES_PER_READ + "]");
    }
    long end = Math.min(n, start + count);
    List<byte[]> out = new ArrayList<>((int) (end - start));
    try {
      for (long i = start; i < end; i++) {
        out.add(readEntry(offsets.get(i), i));
      }
    } catch (IOException e) {
      throw new UnavailableException("audit log unreadable: " + e.getMessage(), e);
    }
    return out;
  }

  private byte[] readEntry(long offset, long index) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(Frames.FRAME_OVERHEAD);
    readFully(head, offset);
    int length = head.getInt(0);
    int crc = head.getInt(4);
    if (length <= 0 || length > AuditEvent.MAX_ENCODED_BYTES) {
      throw new IntegrityException("audit entry " + index + " is damaged", new IOException());
    }
    ByteBuffer body = ByteBuffer.allocate(length);
    readFully(body, offset + Frames.FRAME_OVERHEAD);
    if (Frames.crc(body.array(), 0, length) != crc) {
      throw new IntegrityException("audit entry " + index + " is damaged", new IOException());
    }
    return body.array();
  }

  private void readFully(ByteBuffer b, long at) throws IOException {
    while (b.hasRemaining()) {
      if (reader.read(b, at + b.position()) < 0) {
        throw new IOException("entries file is shorter than expected");
      }
    }
  }

  @Override
  public InclusionProof inclusionProof(long index, long treeSize) {
    checkTreeSize(treeSize);
    return TreeMath.inclusion(tree, index, treeSize);
  }

  @Override
  public ConsistencyProof consistencyProof(long size1, long size2) {
    checkTreeSize(size2);
    return TreeMath.consistency(tree, size1, size2);
  }

  @Override
  public byte[] tile(int level, long index, int width) {
    if (level < 0 || level > 7 || index < 0 || width < 1 || width > 256) {
      throw new IllegalArgumentException("tile level must be 0..7, width 1..256");
    }
    int height = 8 * level;
    long first = Math.multiplyExact(index, 256L);
    long end = first + width;
    if (end > (size >>> height)) {
      throw new IllegalArgumentException("tile is beyond the tree");
    }
    byte[] out = new byte[width * Merkle.HASH_BYTES];
    try {
      for (int i = 0; i < width; i++) {
        System.arraycopy(
            tree.node(height, first + i), 0, out, i * Merkle.HASH_BYTES, Merkle.HASH_BYTES);
      }
    } catch (IOException e) {
      throw new UnavailableException("audit log unreadable: " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public byte[] rootHash(long treeSize) {
    checkTreeSize(treeSize);
    return TreeMath.root(tree, treeSize);
  }

  private void checkTreeSize(long treeSize) {
    if (treeSize < 0 || treeSize > size) {
      throw new IllegalArgumentException("tree size must be in [0, " + size + "]");
    }
  }

  @Override
  public NoteVerifierKey verifierKey() {
    return signer.verifierKey();
  }

  @Override
  public AuditHealth health() {
    @Nullable String reason = refusal();
    return new AuditHealth(reason == null, Optional.ofNullable(reason), size, latest.size());
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      queue.put(new Stop(done));
      done.get(30, TimeUnit.SECONDS);
      writer.join(TimeUnit.SECONDS.toMillis(5));
      drainRefused();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("audit log {}: closing did not finish cleanly: {}", dir, e.toString());
    } finally {
      try {
        reader.close();
        tree.close();
        if (lock != null) {
          lock.close();
        }
      } catch (IOException e) {
        log.warn("audit log {}: closing failed: {}", dir, e.toString());
      }
    }
  }

  // ---- writer thread ----

  private void run() {
    List<Request> batch = new ArrayList<>();
    while (true) {
      Request first;
      try {
        first = queue.poll(pollNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        continue; // only close() stops the writer
      }
      if (unavailable != null && System.nanoTime() >= nextRepairNanos) {
        repair();
      }
      batch.clear();
      if (first != null) {
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
      }
      List<Append> appends = new ArrayList<>(batch.size());
      @Nullable Stop stop = null;
      List<Publish> publishes = new ArrayList<>();
      for (Request r : batch) {
        switch (r) {
          case Append a -> appends.add(a);
          case Publish p -> publishes.add(p);
          case Stop s -> stop = s;
        }
      }
      try {
        commitInChunks(appends);
        publish(!publishes.isEmpty() || stop != null);
      } catch (RuntimeException | Error e) {
        // The writer must outlive any failure: a dead writer would leave every later append
        // waiting and the log reporting itself healthy. What this pass had not acknowledged is
        // refused (completing an answered future again changes nothing).
        markUnavailable("the audit writer failed: " + describe(e));
        fail(appends, unavailable);
      }
      for (Publish p : publishes) {
        if (unavailable == null) {
          p.done().complete(latestNote);
        } else {
          p.done()
              .completeExceptionally(
                  new UnavailableException("audit log unavailable: " + unavailable));
        }
      }
      if (stop != null) {
        drainRefused();
        closeChannels();
        stop.done().complete(null);
        return;
      }
    }
  }

  private long pollNanos() {
    long interval = config.checkpointInterval().toNanos();
    long now = System.nanoTime();
    long wait = size > latest.size() ? lastPublishNanos + interval - now : interval;
    if (unavailable != null) {
      wait = Math.min(wait, nextRepairNanos - now);
    }
    return Math.max(wait, TimeUnit.MILLISECONDS.toNanos(1));
  }

  /** Commits {@code appends} in order, at most {@link #MAX_WRITE_BYTES} of frames per write. */
  private void commitInChunks(List<Append> appends) {
    int from = 0;
    while (from < appends.size()) {
      int to = from;
      long bytes = 0;
      do {
        bytes += Frames.FRAME_OVERHEAD + appends.get(to).leaf().length;
        to++;
      } while (to < appends.size()
          && bytes + Frames.FRAME_OVERHEAD + appends.get(to).leaf().length <= MAX_WRITE_BYTES);
      commit(appends.subList(from, to));
      from = to;
    }
  }

  private void commit(List<Append> appends) {
    if (unavailable != null) {
      fail(appends, unavailable);
      return;
    }
    FileChannel ch = entries;
    if (ch == null) {
      fail(appends, "entries file is not open");
      return;
    }
    int total = 0; // at most MAX_WRITE_BYTES, or one event's frame
    for (Append a : appends) {
      total += Frames.FRAME_OVERHEAD + a.leaf().length;
    }
    ByteBuffer buf = ByteBuffer.allocate(total);
    long[] starts = new long[appends.size()];
    tree.begin();
    for (int i = 0; i < appends.size(); i++) {
      Append a = appends.get(i);
      starts[i] = entriesEnd + buf.position();
      buf.putInt(a.leaf().length);
      buf.putInt(Frames.crc(a.leaf(), 0, a.leaf().length));
      buf.put(a.leaf());
      tree.stage(a.leafHash());
    }
    buf.flip();
    try {
      writeFully(ch, buf, entriesEnd);
      tree.write();
      ch.force(false);
    } catch (IOException | RuntimeException e) {
      tree.rollback();
      markUnavailable("cannot write the audit log: " + describe(e));
      fail(appends, unavailable);
      return;
    }
    long first = size;
    entriesEnd += total;
    for (long s : starts) {
      offsets.add(s);
    }
    tree.commit();
    size = first + appends.size();
    for (int i = 0; i < appends.size(); i++) {
      appends.get(i).done().complete(first + i);
    }
  }

  private void publish(boolean force) {
    long n = size;
    if (unavailable != null || (n == latest.size() && !force)) {
      return;
    }
    if (!force && System.nanoTime() - lastPublishNanos < config.checkpointInterval().toNanos()) {
      return;
    }
    if (n == latest.size()) {
      return; // nothing new: the latest checkpoint already covers everything
    }
    FileChannel ch = checkpoints;
    if (ch == null) {
      return;
    }
    Checkpoint c;
    String note;
    try {
      // The root reads the level files: an I/O failure there is a storage failure like any other.
      c = new Checkpoint(config.origin(), n, TreeMath.root(tree, n));
      note = signer.sign(c.body());
      byte[] frame = Frames.frame(note.getBytes(StandardCharsets.UTF_8));
      writeFully(ch, ByteBuffer.wrap(frame), checkpointsEnd);
      ch.force(false);
      checkpointsEnd += frame.length;
      writeLatest(dir, note);
    } catch (IOException | RuntimeException e) {
      markUnavailable("cannot publish an audit checkpoint: " + describe(e));
      return;
    }
    latestNote = note;
    latest = c;
    lastPublishNanos = System.nanoTime();
  }

  private void markUnavailable(String reason) {
    if (unavailable == null) {
      log.error("audit log {}: {}; refusing appends until storage works again", dir, reason);
    }
    unavailable = reason;
    nextRepairNanos = System.nanoTime() + RETRY_NANOS;
    closeChannels();
  }

  /** Reopens the files and cuts off whatever a failed batch may have left; resumes on success. */
  private void repair() {
    try {
      FileChannel e = FileChannel.open(dir.resolve(ENTRIES), StandardOpenOption.WRITE);
      FileChannel c;
      try {
        c = FileChannel.open(dir.resolve(CHECKPOINTS), StandardOpenOption.WRITE);
      } catch (IOException ex) {
        e.close();
        throw ex;
      }
      entries = e;
      checkpoints = c;
      e.truncate(entriesEnd);
      e.force(true);
      c.truncate(checkpointsEnd);
      c.force(true);
      tree.repair();
      // A write test: storage that accepts a truncate may still refuse data.
      writeFully(e, ByteBuffer.wrap(new byte[Frames.FRAME_OVERHEAD]), entriesEnd);
      e.force(false);
      e.truncate(entriesEnd);
      e.force(true);
    } catch (IOException | RuntimeException ex) {
      closeChannels();
      unavailable = "storage still failing: " + describe(ex);
      nextRepairNanos = System.nanoTime() + RETRY_NANOS;
      return;
    }
    log.info("audit log {}: storage works again; accepting appends", dir);
    unavailable = null;
  }

  private void closeChannels() {
    for (FileChannel ch : new FileChannel[] {entries, checkpoints}) {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // already failing; the reopen in repair() is what matters
        }
      }
    }
    entries = null;
    checkpoints = null;
  }

  private void drainRefused() {
    List<Request> rest = new ArrayList<>();
    queue.drainTo(rest);
    for (Request r : rest) {
      switch (r) {
        case Append a ->
            a.done().completeExceptionally(new UnavailableException("audit log is closed"));
        case Publish p ->
            p.done().completeExceptionally(new UnavailableException("audit log is closed"));
        case Stop s -> s.done().complete(null);
      }
    }
  }

  private static void fail(List<Append> appends, @Nullable String reason) {
    UnavailableException e = new UnavailableException("audit log unavailable: " + reason);
    for (Append a : appends) {
      a.done().completeExceptionally(e);
    }
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName()
        + (m == null ? "" : ": " + io.bulwark.core.Strings.printable(m));
  }

  /** The file offset of every entry, growing; readers and the writer share it. */
  static final class Offsets {
    private long[] values = new long[1024];
    private int count;

    synchronized void add(long offset) {
      if (count == values.length) {
        values = Arrays.copyOf(values, values.length * 2);
      }
      values[count++] = offset;
    }

    synchronized long get(long index) {
      if (index >= count) {
        throw new IllegalArgumentException("no entry " + index);
      }
      return values[(int) index];
    }
  }
}
