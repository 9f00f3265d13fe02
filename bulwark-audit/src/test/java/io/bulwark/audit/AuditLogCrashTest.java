package io.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing process with SIGKILL at random moments and checks that the log lost no
 * acknowledged entry, kept its indices contiguous, and that every checkpoint published after a
 * restart is consistent with every one published before. {@code -Dbulwark.audit.crashIterations=N}
 * runs a longer campaign (default 3).
 */
class AuditLogCrashTest {
  @TempDir Path tmp;

  @Test
  void append_killedAtRandomMoments_noAcknowledgedEntryLost() throws Exception {
    int iterations = Integer.getInteger("bulwark.audit.crashIterations", 3);
    Path dir = tmp.resolve("audit");
    Random random = new Random();
    List<Checkpoint> seen = new ArrayList<>();
    for (int it = 0; it < iterations; it++) {
      Acks acked = new Acks();
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  CrashWriter.class.getName(),
                  dir.toString(),
                  "8")
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      CountDownLatch ready = new CountDownLatch(1);
      CountDownLatch firstAck = new CountDownLatch(1);
      Thread reader =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try (BufferedReader r =
                        new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                      for (String line = r.readLine(); line != null; line = r.readLine()) {
                        if (line.equals("ready")) {
                          ready.countDown();
                        } else {
                          acked.add(Long.parseLong(line));
                          firstAck.countDown();
                        }
                      }
                    } catch (Exception e) {
                      // the process was killed mid-line: the partial line was never an ack
                    }
                  });
      assertThat(ready.await(30, TimeUnit.SECONDS)).as("writer started").isTrue();
      assertThat(firstAck.await(30, TimeUnit.SECONDS)).as("writer appends").isTrue();
      Thread.sleep(random.nextInt(1000));
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      reader.join(10_000);

      try (AuditLog log = AuditLog.open(AuditLogConfig.of(dir))) {
        long size = log.size();
        long max = acked.max();
        assertThat(acked.values())
            .as("the writer acknowledged appends before the kill")
            .isNotEmpty();
        assertThat(max).as("iteration %d: an acknowledged entry was lost", it).isLessThan(size);
        for (long i : acked.values()) {
          AuditEvent.parse(log.entries(i, 1).get(0));
        }
        Checkpoint now = Checkpoint.verify(log.checkpointNow(), log.verifierKey());
        assertThat(now.size()).isEqualTo(size);
        for (Checkpoint before : seen) {
          if (before.size() > 0) {
            Merkle.verifyConsistency(
                before.size(),
                now.size(),
                before.rootHash(),
                now.rootHash(),
                log.consistencyProof(before.size(), now.size()).hashes());
          }
        }
        seen.add(now);
      }
      AuditExport.export(dir, tmp.resolve("export-" + it));
      AuditVerifier.verify(tmp.resolve("export-" + it), key(dir));
    }
  }

  private static NoteVerifierKey key(Path dir) throws Exception {
    return NoteVerifierKey.parse(
        java.nio.file.Files.readString(dir.resolve("verifier.key")).strip());
  }

  /** Acknowledged indices, from the reader thread. */
  private static final class Acks {
    private final java.util.Set<Long> values = ConcurrentHashMap.newKeySet();

    void add(long v) {
      values.add(v);
    }

    long max() {
      return values.stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    java.util.Set<Long> values() {
      return values;
    }
  }
}
