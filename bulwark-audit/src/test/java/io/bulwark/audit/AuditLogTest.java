package io.bulwark.audit;

import static io.bulwark.audit.AuditTesting.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bulwark.core.IntegrityException;
import io.bulwark.core.UnavailableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
  @TempDir Path tmp;

  private Path dir() {
    return tmp.resolve("audit");
  }

  private AuditLog open() throws IOException {
    return AuditLog.open(AuditLogConfig.of(dir()));
  }

  @Test
  void open_fresh_publishesEmptyCheckpointAndVerifierKey() throws Exception {
    try (AuditLog log = open()) {
      assertThat(log.size()).isZero();
      Checkpoint c = Checkpoint.verify(log.latestCheckpoint(), log.verifierKey());
      assertThat(c.size()).isZero();
      assertThat(c.origin()).isEqualTo(AuditLogConfig.DEFAULT_ORIGIN);
      assertThat(Files.readString(dir().resolve("verifier.key")).strip())
          .isEqualTo(log.verifierKey().encode());
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(dir().resolve("checkpoint-signing.key"))))
          .isEqualTo("rw-------");
      assertThat(log.health().available()).isTrue();
    }
  }

  @Test
  void append_concurrentCallers_contiguousIndicesAndEveryProofVerifies() throws Exception {
    int threads = 8;
    int each = 200;
    Set<Long> indices = ConcurrentHashMap.newKeySet();
    try (AuditLog log = open()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * each;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < each; i++) {
                    indices.add(log.append(event(base + i)));
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
      long n = (long) threads * each;
      assertThat(indices).hasSize((int) n);
      assertThat(indices.stream().mapToLong(Long::longValue).max().orElseThrow()).isEqualTo(n - 1);
      Checkpoint c = Checkpoint.verify(log.checkpointNow(), log.verifierKey());
      assertThat(c.size()).isEqualTo(n);
      for (long i = 0; i < n; i += 37) {
        byte[] leaf = log.entries(i, 1).get(0);
        InclusionProof p = log.inclusionProof(i, n);
        Merkle.verifyInclusion(i, n, Merkle.leafHash(leaf), p.hashes(), c.rootHash());
      }
      for (long m = 1; m < n; m += 91) {
        ConsistencyProof p = log.consistencyProof(m, n);
        Merkle.verifyConsistency(m, n, log.rootHash(m), c.rootHash(), p.hashes());
      }
    }
  }

  @Test
  void appendAsync_completesWithIndexOnceDurable() throws Exception {
    try (AuditLog log = open()) {
      List<CompletableFuture<Long>> fs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        fs.add(log.appendAsync(event(i)));
      }
      for (int i = 0; i < 100; i++) {
        assertThat(fs.get(i).get()).isEqualTo(i);
      }
      assertThat(AuditEvent.parse(log.entries(42, 1).get(0))).isEqualTo(event(42));
    }
  }

  @Test
  void checkpoints_publishedWithinTheIntervalWithoutAsking() throws Exception {
    try (AuditLog log =
        AuditLog.open(new AuditLogConfig(dir(), "example.org/audit", Duration.ofMillis(200)))) {
      log.append(event(1));
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (log.latestCheckpointValue().size() < 1 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(log.latestCheckpointValue().size()).isEqualTo(1);
      assertThat(Files.readString(dir().resolve("checkpoint"))).isEqualTo(log.latestCheckpoint());
    }
  }

  @Test
  void reopen_afterClose_keepsEntriesAndAppendsContinue() throws Exception {
    byte[] root;
    try (AuditLog log = open()) {
      for (int i = 0; i < 10; i++) {
        log.append(event(i));
      }
    }
    try (AuditLog log = open()) {
      assertThat(log.size()).isEqualTo(10);
      assertThat(log.latestCheckpointValue().size()).as("close publishes").isEqualTo(10);
      root = log.rootHash(10);
      assertThat(log.append(event(10))).isEqualTo(10);
      log.checkpointNow();
      Merkle.verifyConsistency(
          10,
          11,
          root,
          log.latestCheckpointValue().rootHash(),
          log.consistencyProof(10, 11).hashes());
    }
  }

  @Test
  void tile_fullAndPartialTiles_areTheTreeNodes() throws Exception {
    try (AuditLog log = open()) {
      List<CompletableFuture<Long>> appended = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        appended.add(log.appendAsync(event(i)));
      }
      CompletableFuture.allOf(appended.toArray(CompletableFuture[]::new)).get();
      assertThat(log.size()).isEqualTo(600);
      byte[] full = log.tile(0, 0, 256);
      assertThat(java.util.Arrays.copyOfRange(full, 32 * 7, 32 * 8))
          .isEqualTo(Merkle.leafHash(log.entries(7, 1).get(0)));
      byte[] partial = log.tile(0, 2, 88);
      assertThat(java.util.Arrays.copyOfRange(partial, 32 * 87, 32 * 88))
          .isEqualTo(Merkle.leafHash(log.entries(599, 1).get(0)));
      byte[] upper = log.tile(1, 0, 2);
      assertThat(java.util.Arrays.copyOfRange(upper, 0, 32)).isEqualTo(log.rootHash(256));
      assertThatThrownBy(() -> log.tile(0, 2, 89)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> log.tile(1, 0, 3)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> log.tile(0, 0, 257)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void entries_countAtAndAboveLimit_acceptedThenRejected() throws Exception {
    try (AuditLog log = open()) {
      log.append(event(0));
      assertThat(log.entries(0, AuditLog.MAX_ENTRIES_PER_READ)).hasSize(1);
      assertThatThrownBy(() -> log.entries(0, AuditLog.MAX_ENTRIES_PER_READ + 1))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> log.entries(2, 1)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> log.inclusionProof(0, 2))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void open_tornLastRecord_droppedAndLogContinues() throws Exception {
    try (AuditLog log = open()) {
      for (int i = 0; i < 5; i++) {
        log.append(event(i));
      }
    }
    Path entries = dir().resolve("entries.log");
    long before = Files.size(entries);
    // A record header promising 500 bytes, followed by only 3 of them: a crash mid-write.
    ByteBuffer torn =
        ByteBuffer.allocate(11).putInt(500).putInt(1234).put(new byte[] {'{', '"', 'v'});
    Files.write(entries, torn.array(), StandardOpenOption.APPEND);
    try (AuditLog log = open()) {
      assertThat(log.size()).isEqualTo(5);
      assertThat(Files.size(entries)).isEqualTo(before);
      assertThat(log.append(event(5))).isEqualTo(5);
    }
  }

  @Test
  void open_damagedRecordFollowedByData_refused() throws Exception {
    try (AuditLog log = open()) {
      for (int i = 0; i < 5; i++) {
        log.append(event(i));
      }
    }
    Path entries = dir().resolve("entries.log");
    try (FileChannel ch = FileChannel.open(entries, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {'X'}), 8 + 8 + 20); // inside the first payload
    }
    assertThatThrownBy(this::open)
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("damaged record");
  }

  @Test
  void open_entryEditedWithValidFraming_refusedAsNotMatchingCheckpoint() throws Exception {
    try (AuditLog log = open()) {
      for (int i = 0; i < 5; i++) {
        log.append(event(i));
      }
    }
    Path entries = dir().resolve("entries.log");
    byte[] all = Files.readAllBytes(entries);
    ByteBuffer b = ByteBuffer.wrap(all);
    int len = b.getInt(8);
    String payload = new String(all, 16, len, StandardCharsets.UTF_8);
    byte[] edited = payload.replace("consumer-0", "consumer-9").getBytes(StandardCharsets.UTF_8);
    System.arraycopy(edited, 0, all, 16, len);
    CRC32C crc = new CRC32C();
    crc.update(edited);
    b.putInt(12, (int) crc.getValue());
    Files.write(entries, all);
    assertThatThrownBy(this::open)
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("do not match the last published checkpoint");
  }

  @Test
  void open_entriesTruncatedBelowCheckpoint_refused() throws Exception {
    long keep;
    try (AuditLog log = open()) {
      log.append(event(0));
      keep = Files.size(dir().resolve("entries.log"));
      log.append(event(1));
    }
    try (FileChannel ch =
        FileChannel.open(dir().resolve("entries.log"), StandardOpenOption.WRITE)) {
      ch.truncate(keep);
    }
    assertThatThrownBy(this::open)
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("entries were removed");
  }

  @Test
  void open_checkpointsDeleted_refused() throws Exception {
    try (AuditLog log = open()) {
      log.append(event(0));
    }
    Files.delete(dir().resolve("checkpoints.log"));
    assertThatThrownBy(this::open)
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("no published checkpoint");
  }

  /** A first start that stopped between creating the entries file and its first checkpoint. */
  @Test
  void open_firstStartInterruptedBeforeItsCheckpoint_startsAfresh() throws Exception {
    open().close();
    Files.delete(dir().resolve("checkpoints.log"));

    try (AuditLog log = open()) {
      assertThat(log.health().size()).isZero();
      assertThat(log.append(event(0))).isZero();
    }
  }

  @Test
  void open_exposedKeyFile_refused() throws Exception {
    open().close();
    Files.setPosixFilePermissions(
        dir().resolve("checkpoint-signing.key"), PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(this::open)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("chmod 600");
  }

  @Test
  void open_keyMissingWithData_refusedWithoutCreatingOne() throws Exception {
    try (AuditLog log = open()) {
      log.append(event(0));
    }
    Files.delete(dir().resolve("checkpoint-signing.key"));
    assertThatThrownBy(this::open).isInstanceOf(IOException.class).hasMessageContaining("missing");
    assertThat(dir().resolve("checkpoint-signing.key")).doesNotExist();
  }

  @Test
  void open_anotherOrigin_refused() throws Exception {
    open().close();
    assertThatThrownBy(
            () -> AuditLog.open(AuditLogConfig.of(dir()).withOrigin("other.example/log")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("origin");
  }

  /**
   * Storage failure, for real: {@code chattr +i} makes the entries file immutable, which stops even
   * root (who ignores permission bits) from writing through the already open descriptor.
   */
  @Test
  void append_entriesFileImmutable_failsClosedThenResumes() throws Exception {
    try (AuditLog log = open()) {
      log.append(event(0));
      Path entries = dir().resolve("entries.log");
      assumeTrue(chattr("+i", entries), "chattr +i is not available on this file system");
      try {
        assertThatThrownBy(() -> log.append(event(1)))
            .isInstanceOf(UnavailableException.class)
            .hasMessageContaining("cannot write the audit log");
        assertThat(log.health().available()).isFalse();
        assertThat(log.unavailableReason()).isPresent();
        assertThatThrownBy(() -> log.append(event(2))).isInstanceOf(UnavailableException.class);
        assertThat(log.appendAsync(event(3))).isCompletedExceptionally();
      } finally {
        chattr("-i", entries);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!log.health().available() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(log.health().available()).isTrue();
      assertThat(log.append(event(4))).as("nothing of the failed appends was kept").isEqualTo(1);
    }
    try (AuditLog log = open()) {
      assertThat(log.size()).isEqualTo(2);
      assertThat(AuditEvent.parse(log.entries(1, 1).get(0))).isEqualTo(event(4));
    }
  }

  private static boolean chattr(String flag, Path file) throws InterruptedException {
    try {
      Process p =
          new ProcessBuilder("chattr", flag, file.toString()).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
