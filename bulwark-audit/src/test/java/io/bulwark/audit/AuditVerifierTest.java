package io.bulwark.audit;

import static io.bulwark.audit.AuditTesting.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.audit.internal.NoteSigner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per kind of tampering an auditor must catch in an export. */
class AuditVerifierTest {
  private static final int N = 12;

  @TempDir Path tmp;
  private Path logDir;
  private Path out;
  private NoteVerifierKey key;

  @BeforeEach
  void exportLog() throws Exception {
    logDir = tmp.resolve("audit");
    out = tmp.resolve("export");
    try (AuditLog log = AuditLog.open(AuditLogConfig.of(logDir))) {
      for (int i = 0; i < N; i++) {
        log.append(event(i));
        log.checkpointNow(); // one checkpoint per entry, so a bad entry is named exactly
      }
      key = log.verifierKey();
    }
    AuditExport.Summary s = AuditExport.export(logDir, out);
    assertThat(s.entries()).isEqualTo(N);
    assertThat(s.checkpoints()).isEqualTo(N + 1);
  }

  private List<String> lines() throws Exception {
    return new ArrayList<>(
        Files.readAllLines(out.resolve("entries.jsonl"), StandardCharsets.UTF_8));
  }

  private void write(List<String> lines) throws Exception {
    Files.writeString(
        out.resolve("entries.jsonl"), String.join("\n", lines) + (lines.isEmpty() ? "" : "\n"));
  }

  private AuditReport rejected() {
    return ((AuditLogRejectedException)
            org.assertj.core.api.Assertions.catchThrowable(() -> AuditVerifier.verify(out, key)))
        .report();
  }

  private Path checkpoint(int number) {
    return out.resolve("checkpoints").resolve(String.format("%08d.note", number));
  }

  @Test
  void verify_untouchedExport_verified() throws Exception {
    AuditReport r = AuditVerifier.verify(out, key.encode());
    assertThat(r.verdict()).isEqualTo(AuditReport.Verdict.VERIFIED);
    assertThat(r.entries()).isEqualTo(N);
    assertThat(r.verifiedSize()).isEqualTo(N);
    assertThat(r.reasons()).isEmpty();
  }

  @Test
  void verify_oneEditedByte_rejectedNamingTheEntry() throws Exception {
    byte[] all = Files.readAllBytes(out.resolve("entries.jsonl"));
    int line5 = 0;
    for (int i = 0, nl = 0; i < all.length && nl < 5; i++) {
      if (all[i] == '\n') {
        nl++;
        line5 = i + 1;
      }
    }
    int at = line5 + new String(all, line5, 80, StandardCharsets.UTF_8).indexOf("consumer-") + 9;
    all[at] = (byte) (all[at] == '1' ? '2' : '1');
    Files.write(out.resolve("entries.jsonl"), all);
    AuditReport r = rejected();
    assertThat(r.verdict()).isEqualTo(AuditReport.Verdict.REJECTED);
    assertThat(r.firstBadEntry()).hasValue(5);
    assertThat(r.verifiedSize()).isEqualTo(5);
  }

  @Test
  void verify_deletedEntry_rejected() throws Exception {
    List<String> l = lines();
    l.remove(7);
    write(l);
    AuditReport r = rejected();
    assertThat(r.firstBadEntry()).hasValue(7);
  }

  @Test
  void verify_insertedEntry_rejected() throws Exception {
    List<String> l = lines();
    l.add(3, new String(event(99).toCanonicalJson(), StandardCharsets.UTF_8));
    write(l);
    assertThat(rejected().firstBadEntry()).hasValue(3);
  }

  @Test
  void verify_reorderedEntries_rejected() throws Exception {
    List<String> l = lines();
    String a = l.get(4);
    l.set(4, l.get(9));
    l.set(9, a);
    write(l);
    assertThat(rejected().firstBadEntry()).hasValue(4);
  }

  @Test
  void verify_truncatedEntries_rejected() throws Exception {
    List<String> l = lines();
    write(l.subList(0, N - 2));
    AuditReport r = rejected();
    assertThat(r.reasons()).anyMatch(s -> s.startsWith("truncated"));
    assertThat(r.firstBadEntry()).hasValue(N - 2);
  }

  @Test
  void verify_truncatedEntriesAndCheckpoints_rejectedByMissingCoverage() throws Exception {
    // Dropping entries and the checkpoints after them still leaves the log short of what the
    // auditor was told: covered by verifying against a checkpoint they hold, see docs. Here the
    // attacker forgets the last checkpoint only: entries outnumber it.
    Files.delete(checkpoint(N + 1));
    AuditReport r = rejected();
    assertThat(r.reasons()).anyMatch(s -> s.contains("not covered"));
  }

  @Test
  void verify_checkpointRolledBack_rejected() throws Exception {
    Files.copy(checkpoint(4), checkpoint(N + 2));
    AuditReport r = rejected();
    assertThat(r.reasons()).anyMatch(s -> s.startsWith("rollback"));
  }

  @Test
  void verify_fork_twoSignedRootsForOneSize_rejected() throws Exception {
    NoteSigner signer =
        NoteSigner.parse(Files.readString(logDir.resolve("checkpoint-signing.key")));
    byte[] otherRoot = Merkle.leafHash("fork".getBytes(StandardCharsets.UTF_8));
    Checkpoint forked = new Checkpoint(key.name(), N, otherRoot);
    Files.writeString(checkpoint(N + 2), signer.sign(forked.body()));
    AuditReport r = rejected();
    assertThat(r.reasons()).anyMatch(s -> s.startsWith("fork"));
  }

  @Test
  void verify_checkpointSignedByForeignKey_rejected() throws Exception {
    NoteSigner foreign = NoteSigner.generate(key.name(), new SecureRandom());
    String body = Checkpoint.verify(Files.readString(checkpoint(N + 1)), key).body();
    Files.writeString(checkpoint(N + 1), foreign.sign(body));
    AuditReport r = rejected();
    assertThat(r.reasons()).anyMatch(s -> s.contains("no signature by " + key.name()));
  }

  @Test
  void verify_withForeignVerifierKey_rejected() throws Exception {
    NoteVerifierKey other = NoteSigner.generate(key.name(), new SecureRandom()).verifierKey();
    assertThatThrownBy(() -> AuditVerifier.verify(out, other))
        .isInstanceOf(AuditLogRejectedException.class);
  }

  @Test
  void verify_nonCanonicalEntry_rejectedNamingIt() throws Exception {
    List<String> l = lines();
    l.set(2, l.get(2).replace("{\"v\":1,", "{\"v\":1, "));
    write(l);
    AuditReport r = rejected();
    assertThat(r.firstBadEntry()).hasValue(2);
    assertThat(r.reasons().get(0)).contains("entry 2");
  }

  @Test
  void exportedCheckpoint_standardNoteFormat() throws Exception {
    String note = Files.readString(checkpoint(N + 1));
    String[] lines = note.split("\n", -1);
    assertThat(lines[0]).isEqualTo(key.name());
    assertThat(lines[1]).isEqualTo(String.valueOf(N));
    assertThat(Base64.getDecoder().decode(lines[2])).hasSize(32);
    assertThat(lines[3]).isEmpty();
    assertThat(lines[4]).startsWith("\u2014 " + key.name() + " ");
    assertThat(Base64.getDecoder().decode(lines[4].substring(lines[4].lastIndexOf(' ') + 1)))
        .hasSize(4 + 64);
  }
}
