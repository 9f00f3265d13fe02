package io.bulwark.crypto.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.ConflictException;
import io.bulwark.core.NotFoundException;
import io.bulwark.crypto.ArtifactIntegrityException;
import io.bulwark.crypto.ArtifactSealer;
import io.bulwark.crypto.ArtifactSealers;
import io.bulwark.crypto.KeyEncryptionKeys;
import io.bulwark.crypto.KeyVersion;
import io.bulwark.crypto.KeyVersion.Status;
import io.bulwark.crypto.SealingOutputStream;
import io.bulwark.crypto.WrappedKey;
import io.bulwark.crypto.spi.KeyEncryptionKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotation of the local keyset end to end: seal, rotate, re-wrap, disable the old version, then
 * open, also after re-opening the provider as a restarted process would. The same story for PKCS#11
 * is in {@link Pkcs11KeyEncryptionKeyTest}, which owns the SoftHSM2 token (tokens must exist before
 * the library first initialises in the test JVM); it reuses the helpers here.
 */
class KeyRotationTest {
  private static final byte[] ARTIFACT_AAD = "model=fraud;version=3".getBytes(UTF_8);
  static final byte[] KEY_AAD = "model=fraud;version=3;sha256=ab12".getBytes(UTF_8);
  private static final long MAX = 1L << 20;

  @TempDir Path dir;

  @SuppressWarnings("ArrayRecordComponent") // a test holder, never compared
  record Sealed(byte[] plaintext, byte[] ciphertext, WrappedKey key) {}

  // ---- local keyset ----

  @Test
  void rewrap_localKeysetRotatedAndOldDisabled_newKeyOpensOldKeyFails() throws Exception {
    Path file = dir.resolve("kek.json");
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(file);
    ArtifactSealer sealer = ArtifactSealers.tinkStreaming(kek);
    Sealed sealed = seal(sealer, 1);
    byte[] ciphertextBefore = sealed.ciphertext().clone();
    String oldId = kek.keyId();

    String newId = kek.rotate();
    WrappedKey rewrapped = sealer.rewrap(sealed.key(), KEY_AAD);
    kek.disable(oldId);

    assertThat(newId).isNotEqualTo(oldId).isEqualTo(kek.keyId()).matches("local:[0-9a-f]{8}");
    assertThat(rewrapped.kekId()).isEqualTo(newId);
    assertThat(open(sealer, sealed.ciphertext(), rewrapped)).isEqualTo(sealed.plaintext());
    assertThatThrownBy(() -> open(sealer, sealed.ciphertext(), sealed.key()))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessage(ArtifactIntegrityException.KEY_DOES_NOT_UNWRAP);
    assertThat(sealed.ciphertext()).isEqualTo(ciphertextBefore);
    assertThat(kek.versions())
        .containsExactly(
            new KeyVersion(oldId, Status.DISABLED), new KeyVersion(newId, Status.PRIMARY));
  }

  @Test
  void localKeyset_rotatedAndDisabledThenReopened_stateSurvivesRestart() throws Exception {
    Path file = dir.resolve("kek.json");
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(file);
    ArtifactSealer sealer = ArtifactSealers.tinkStreaming(kek);
    Sealed sealed = seal(sealer, 2);
    String oldId = kek.keyId();
    String newId = kek.rotate();
    WrappedKey rewrapped = sealer.rewrap(sealed.key(), KEY_AAD);
    kek.disable(oldId);

    KeyEncryptionKey restarted = KeyEncryptionKeys.localKeyset(file);
    ArtifactSealer restartedSealer = ArtifactSealers.tinkStreaming(restarted);

    assertThat(restarted.keyId()).isEqualTo(newId);
    assertThat(restarted.versions()).isEqualTo(kek.versions());
    assertThat(open(restartedSealer, sealed.ciphertext(), rewrapped)).isEqualTo(sealed.plaintext());
    assertThatThrownBy(() -> open(restartedSealer, sealed.ciphertext(), sealed.key()))
        .isInstanceOf(GeneralSecurityException.class);
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void rotate_localKeyset_oldVersionStillUnwrapsUntilDisabled() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"));
    ArtifactSealer sealer = ArtifactSealers.tinkStreaming(kek);
    Sealed sealed = seal(sealer, 3);
    String oldId = kek.keyId();

    kek.rotate();

    assertThat(open(sealer, sealed.ciphertext(), sealed.key())).isEqualTo(sealed.plaintext());
    assertThat(kek.versions().get(0)).isEqualTo(new KeyVersion(oldId, Status.ENABLED));
  }

  @Test
  void disable_localKeysetPrimary_conflictAndNothingChanges() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"));
    List<KeyVersion> before = kek.versions();

    assertThatThrownBy(() -> kek.disable(kek.keyId())).isInstanceOf(ConflictException.class);
    assertThat(kek.versions()).isEqualTo(before);
  }

  @Test
  void disable_localKeysetUnknownId_notFound() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"));

    assertThatThrownBy(() -> kek.disable("local:00000000")).isInstanceOf(NotFoundException.class);
  }

  @Test
  void disable_localKeysetTwice_secondIsNoOp() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"));
    String oldId = kek.keyId();
    kek.rotate();
    kek.disable(oldId);

    kek.disable(oldId);

    assertThat(kek.versions().get(0)).isEqualTo(new KeyVersion(oldId, Status.DISABLED));
  }

  @Test
  void rewrap_otherKeyAssociatedData_throwsGeneralSecurityException() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"));
    ArtifactSealer sealer = ArtifactSealers.tinkStreaming(kek);
    Sealed sealed = seal(sealer, 4);
    kek.rotate();

    assertThatThrownBy(() -> sealer.rewrap(sealed.key(), "other".getBytes(UTF_8)))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void rewrap_wrappedBytesThatAreNotADataKeyset_refused() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"));
    ArtifactSealer sealer = ArtifactSealers.tinkStreaming(kek);
    WrappedKey garbage = kek.wrap("not a keyset".getBytes(UTF_8), KEY_AAD);

    assertThatThrownBy(() -> sealer.rewrap(garbage, KEY_AAD))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void rotate_localKeysetWhileOtherThreadsWrapAndUnwrap_everyOperationSucceeds() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"));
    assertEveryOperationSurvivesRotation(kek, 5);
  }

  // ---- helpers ----

  /**
   * Four threads wrap and unwrap in a loop while this thread rotates; every result must unwrap to
   * what was wrapped, and every wrapped key must still unwrap after the last rotation.
   */
  static void assertEveryOperationSurvivesRotation(KeyEncryptionKey kek, int rotations)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger operations = new AtomicInteger();
    try {
      List<Future<List<WrappedKey>>> workers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        byte[] dataKey = new byte[32];
        new Random(t).nextBytes(dataKey);
        workers.add(
            pool.submit(
                () -> {
                  List<WrappedKey> made = new ArrayList<>();
                  int afterDone = 0;
                  while (afterDone < 10) {
                    boolean finished = done.get();
                    WrappedKey wrapped = kek.wrap(dataKey, KEY_AAD);
                    assertThat(kek.unwrap(wrapped, KEY_AAD)).isEqualTo(dataKey);
                    made.add(wrapped);
                    operations.incrementAndGet();
                    afterDone += finished ? 1 : 0;
                  }
                  return made;
                }));
      }
      for (int i = 0; i < rotations; i++) {
        // Let the workers run between rotations, so that every version wraps something.
        int seen = operations.get();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (operations.get() < seen + 20 && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        kek.rotate();
      }
      done.set(true);
      List<String> ids = new ArrayList<>();
      for (Future<List<WrappedKey>> worker : workers) {
        for (WrappedKey wrapped : worker.get()) {
          kek.unwrap(wrapped, KEY_AAD);
          ids.add(wrapped.kekId());
        }
      }
      assertThat(kek.versions()).hasSize(rotations + 1);
      assertThat(ids).containsAll(kek.versions().stream().map(KeyVersion::keyId).toList());
    } finally {
      done.set(true);
      pool.shutdownNow();
    }
  }

  static Sealed seal(ArtifactSealer sealer, int seed) throws Exception {
    byte[] plaintext = new byte[10_000];
    new Random(seed).nextBytes(plaintext);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    SealingOutputStream out = sealer.seal(sink, ARTIFACT_AAD);
    out.write(plaintext);
    out.close();
    return new Sealed(plaintext, sink.toByteArray(), out.wrappedKey(KEY_AAD));
  }

  static byte[] open(ArtifactSealer sealer, byte[] ciphertext, WrappedKey key) throws Exception {
    return sealer.open(new ByteArrayInputStream(ciphertext), key, ARTIFACT_AAD, KEY_AAD, MAX);
  }
}
