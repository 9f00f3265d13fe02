package io.bulwark.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.crypto.ArtifactIntegrityException;
import io.bulwark.crypto.ArtifactSealers;
import io.bulwark.crypto.KeyEncryptionKeys;
import io.bulwark.crypto.spi.KeyEncryptionKey;
import io.bulwark.storage.Database;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRotationRegistryTest {
  @TempDir Path dir;

  @Test
  void rotateRewrapDisable_everyVersionStillOpens_payloadsUntouched() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"));
    ModelRegistry registry = registry(kek);
    byte[][] models = new byte[3][];
    for (int i = 0; i < models.length; i++) {
      models[i] = new byte[100_000 + i];
      new Random(i).nextBytes(models[i]);
      registry.push(
          new PushRequest("m", String.valueOf(i), "onnx", "p", 1_000_000),
          new ByteArrayInputStream(models[i]),
          (p, sha) -> new Admission("{}", "safe", null));
    }
    registry.retire("m", "2", "admin", "eol");
    Map<Path, Long> blobsBefore = blobSizes();
    String old = kek.keyId();

    String fresh = kek.rotate();
    KeyRewrap result = registry.rewrapKeys(fresh, "admin");

    assertThat(fresh).isNotEqualTo(old);
    assertThat(result.rewrapped()).isEqualTo(2);
    assertThat(result.byKek()).containsExactly(Map.entry(fresh, 2));
    kek.disable(old);
    assertThat(registry.open("m", "0")).isEqualTo(models[0]);
    assertThat(registry.open("m", "1")).isEqualTo(models[1]);
    assertThat(blobSizes()).isEqualTo(blobsBefore);
    assertThat(registry.events("m"))
        .filteredOn(e -> e.action().equals("rewrap"))
        .hasSize(2)
        .allSatisfy(e -> assertThat(e.reason()).contains(old).contains(fresh));

    // Running again finds nothing to do.
    assertThat(registry.rewrapKeys(fresh, "admin").rewrapped()).isZero();
  }

  @Test
  void disableOldKeyWithoutRewrap_versionsNoLongerOpen() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"));
    ModelRegistry registry = registry(kek);
    registry.push(
        new PushRequest("m", "1", "onnx", "p", 1000),
        new ByteArrayInputStream(new byte[] {1, 2, 3}),
        (p, sha) -> new Admission("{}", "safe", null));
    String old = kek.keyId();
    kek.rotate();
    kek.disable(old);
    assertThatThrownBy(() -> registry.open("m", "1"))
        .isInstanceOf(ArtifactIntegrityException.class);
  }

  private ModelRegistry registry(KeyEncryptionKey kek) throws Exception {
    return ModelRegistry.open(
        Database.open(dir),
        dir.resolve("blobs"),
        ArtifactSealers.tinkStreaming(kek),
        Clock.systemUTC());
  }

  private Map<Path, Long> blobSizes() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("blobs"))) {
      return s.collect(
          java.util.stream.Collectors.toMap(
              p -> p.getFileName(),
              p -> {
                try {
                  return Files.size(p) ^ java.util.Arrays.hashCode(Files.readAllBytes(p));
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              }));
    }
  }
}
