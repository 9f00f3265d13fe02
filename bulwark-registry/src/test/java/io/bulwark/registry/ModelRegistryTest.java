package io.bulwark.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.ConflictException;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.LimitExceededException;
import io.bulwark.core.NotFoundException;
import io.bulwark.crypto.ArtifactIntegrityException;
import io.bulwark.crypto.ArtifactSealers;
import io.bulwark.crypto.KeyEncryptionKeys;
import io.bulwark.storage.Database;
import io.bulwark.testing.Bytes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
  @TempDir Path dir;
  private ModelRegistry registry;
  private Database db;

  @BeforeEach
  void setUp() throws Exception {
    db = Database.open(dir);
    registry =
        ModelRegistry.open(
            db,
            dir.resolve("blobs"),
            ArtifactSealers.tinkStreaming(KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"))),
            Clock.systemUTC());
  }

  private static byte[] artifact(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private ModelVersion push(String name, String version, byte[] bytes) throws Exception {
    return registry.push(
        new PushRequest(name, version, "onnx", "tester", 10_000_000),
        new ByteArrayInputStream(bytes),
        plaintext -> "{\"size\":" + plaintext.length + "}");
  }

  @Test
  void push_thenOpen_returnsSameBytes() throws Exception {
    byte[] model = artifact(3_000_000, 1);
    ModelVersion v = push("m", "1", model);
    assertThat(v.sizeBytes()).isEqualTo(model.length);
    assertThat(v.metadata()).isEqualTo("{\"size\":3000000}");
    assertThat(registry.open("m", "1")).isEqualTo(model);
    assertThat(registry.list()).containsExactly(new ModelSummary("m", null, 1));
  }

  @Test
  void push_storesNoPlaintextOnDisk() throws Exception {
    byte[] model = artifact(200_000, 2);
    push("m", "1", model);
    registry.open("m", "1");
    byte[] probe = java.util.Arrays.copyOfRange(model, 100_000, 100_064);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertThat(Bytes.indexOf(Files.readAllBytes(f), probe)).as(f.toString()).isEqualTo(-1);
      }
    }
  }

  @Test
  void open_blobCopiedOntoOtherVersion_failsIntegrity() throws Exception {
    push("m", "1", artifact(5000, 3));
    push("m", "2", artifact(5000, 4));
    List<Path> blobs;
    try (Stream<Path> s = Files.list(dir.resolve("blobs"))) {
      blobs = s.sorted().toList();
    }
    assertThat(blobs).hasSize(2);
    Files.copy(blobs.get(0), blobs.get(1), StandardCopyOption.REPLACE_EXISTING);
    // one of the two versions now points to the other's ciphertext
    int failures = 0;
    for (String v : new String[] {"1", "2"}) {
      try {
        registry.open("m", v);
      } catch (ArtifactIntegrityException e) {
        failures++;
        assertThat(e).hasMessageContaining("model 'm' version '" + v + "'");
      }
    }
    assertThat(failures).isEqualTo(1);
  }

  @Test
  void open_oneFlippedByte_failsIntegrity() throws Exception {
    push("m", "1", artifact(5000, 5));
    Path blob;
    try (Stream<Path> s = Files.list(dir.resolve("blobs"))) {
      blob = s.findFirst().orElseThrow();
    }
    byte[] sealed = Files.readAllBytes(blob);
    for (int pos : new int[] {0, sealed.length / 2, sealed.length - 1}) {
      byte[] copy = sealed.clone();
      copy[pos] ^= 0x01;
      Files.write(blob, copy);
      assertThatThrownBy(() -> registry.open("m", "1"))
          .isInstanceOf(ArtifactIntegrityException.class)
          .hasMessageContaining("failed its integrity check");
    }
    Files.write(blob, java.util.Arrays.copyOf(sealed, sealed.length - 10));
    assertThatThrownBy(() -> registry.open("m", "1"))
        .isInstanceOf(ArtifactIntegrityException.class);
    Files.delete(blob);
    assertThatThrownBy(() -> registry.open("m", "1"))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void push_existingVersion_conflicts() throws Exception {
    push("m", "1", artifact(10, 6));
    assertThatThrownBy(() -> push("m", "1", artifact(10, 7))).isInstanceOf(ConflictException.class);
  }

  @Test
  void push_atAndAboveSizeLimit() throws Exception {
    byte[] exact = artifact(1000, 8);
    registry.push(
        new PushRequest("m", "1", "onnx", "t", 1000), new ByteArrayInputStream(exact), p -> "{}");
    assertThatThrownBy(
            () ->
                registry.push(
                    new PushRequest("m", "2", "onnx", "t", 1000),
                    new ByteArrayInputStream(artifact(1001, 9)),
                    p -> "{}"))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageContaining("limits.max_model_bytes");
    assertThat(registry.findVersion("m", "2")).isEmpty();
    try (Stream<Path> s = Files.list(dir.resolve("blobs"))) {
      assertThat(s.count()).isEqualTo(1);
    }
  }

  @Test
  void push_inspectorRefuses_leavesNothing() throws Exception {
    assertThatThrownBy(
            () ->
                registry.push(
                    new PushRequest("m", "1", "onnx", "t", 1000),
                    new ByteArrayInputStream("not a model".getBytes(StandardCharsets.UTF_8)),
                    p -> {
                      throw new InvalidRequestException("not a valid ONNX model");
                    }))
        .isInstanceOf(InvalidRequestException.class);
    assertThat(registry.list()).isEmpty();
    try (Stream<Path> s = Files.list(dir.resolve("blobs"))) {
      assertThat(s.count()).isZero();
    }
  }

  @Test
  void deploy_switchesAndUndeploys() throws Exception {
    push("m", "1", artifact(10, 10));
    push("m", "2", artifact(10, 11));
    registry.deploy("m", "1", "t");
    registry.deploy("m", "2", "t");
    assertThat(registry.deployment("m").orElseThrow().version()).isEqualTo("2");
    assertThat(registry.undeploy("m").version()).isEqualTo("2");
    assertThat(registry.deployment("m")).isEmpty();
    assertThatThrownBy(() -> registry.undeploy("m")).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> registry.deploy("m", "3", "t")).isInstanceOf(NotFoundException.class);
  }
}
