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
        (plaintext, sha) -> new Admission("{\"size\":" + plaintext.length + "}", "safe", null));
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
  void open_recordedSizeOneBelowActual_hasGrown() throws Exception {
    push("m", "1", artifact(3_000_000, 30));
    setRecorded("size_bytes = size_bytes - 1");

    assertThatThrownBy(() -> registry.open("m", "1"))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessage("the stored artifact of model 'm' version '1' has grown");
  }

  @Test
  void open_recordedSizeOneAboveActual_doesNotMatchDigest() throws Exception {
    push("m", "1", artifact(3_000_000, 31));
    setRecorded("size_bytes = size_bytes + 1");

    assertThatThrownBy(() -> registry.open("m", "1"))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessage(
            "the stored artifact of model 'm' version '1' does not match its recorded digest");
  }

  @Test
  void open_recordedSizeEmptiedOrDigestChanged_failsIntegrity() throws Exception {
    byte[] model = artifact(5000, 32);
    push("m", "1", model);
    setRecorded("size_bytes = 0");
    assertThatThrownBy(() -> registry.open("m", "1"))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessageContaining("has grown");

    setRecorded("size_bytes = " + model.length + ", sha256 = '" + "00".repeat(32) + "'");
    // The recorded digest is bound into the key wrap: the key no longer unwraps.
    assertThatThrownBy(() -> registry.open("m", "1"))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessageContaining("failed its integrity check");
  }

  private void setRecorded(String assignments) {
    db.writeAll(
        c -> {
          try (var st = c.createStatement()) {
            st.executeUpdate("UPDATE model_versions SET " + assignments);
          }
        });
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
        new PushRequest("m", "1", "onnx", "t", 1000),
        new ByteArrayInputStream(exact),
        (p, d) -> new Admission("{}", "safe", null));
    assertThatThrownBy(
            () ->
                registry.push(
                    new PushRequest("m", "2", "onnx", "t", 1000),
                    new ByteArrayInputStream(artifact(1001, 9)),
                    (p, d) -> new Admission("{}", "safe", null)))
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
                    (p, d) -> {
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
    registry.approve("m", "1", "approver", null);
    registry.approve("m", "2", "approver", null);
    registry.deploy("m", "1", "t", "deploy", null);
    registry.deploy("m", "2", "t", "deploy", null);
    assertThat(registry.deployment("m").orElseThrow().version()).isEqualTo("2");
    assertThat(registry.rollbackTarget("m")).hasValue("1");
    assertThat(registry.undeploy("m", "t", null).version()).isEqualTo("2");
    assertThat(registry.deployment("m")).isEmpty();
    assertThatThrownBy(() -> registry.undeploy("m", "t", null))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> registry.deploy("m", "3", "t", "deploy", null))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void requireDeployable_otherFormat_refusesDeployCanaryAndRollback_butOpens() throws Exception {
    push("m", "1", artifact(10, 20));
    byte[] weights = artifact(64, 21);
    registry.push(
        new PushRequest("m", "2", "safetensors", "tester", 10_000),
        new ByteArrayInputStream(weights),
        (plaintext, sha) -> new Admission("{}", "safe", null));
    registry.approve("m", "1", "approver", null);
    registry.approve("m", "2", "approver", null);
    registry.deploy("m", "1", "t", "deploy", null);
    String refusal = "format safetensors cannot be served; only onnx versions deploy";
    assertThatThrownBy(() -> registry.requireDeployable("m", "2"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining(refusal);
    assertThatThrownBy(() -> registry.deploy("m", "2", "t", "deploy", null))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining(refusal);
    assertThatThrownBy(() -> registry.deploy("m", "2", "t", "rollback", null))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining(refusal);
    assertThatThrownBy(() -> registry.startCanary("m", "2", 10, "t", null))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining(refusal);
    assertThat(registry.deployment("m").orElseThrow().version()).isEqualTo("1");
    assertThat(registry.open("m", "2")).isEqualTo(weights);
  }

  @Test
  void approve_byPublisher_isForbidden_andDraftsCannotDeploy() throws Exception {
    push("m", "1", artifact(10, 12));
    assertThatThrownBy(() -> registry.approve("m", "1", "tester", null))
        .isInstanceOf(io.bulwark.core.ForbiddenException.class)
        .hasMessageContaining("separation of duties");
    assertThatThrownBy(() -> registry.deploy("m", "1", "x", "deploy", null))
        .isInstanceOf(ConflictException.class);
    ModelVersion approved = registry.approve("m", "1", "reviewer", "looks right");
    assertThat(approved.state()).isEqualTo(VersionState.APPROVED);
    assertThat(approved.approvedBy()).isEqualTo("reviewer");
    assertThatThrownBy(() -> registry.approve("m", "1", "reviewer", null))
        .isInstanceOf(ConflictException.class);
    assertThat(registry.events("m"))
        .extracting(ModelEvent::action, ModelEvent::actor, ModelEvent::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "push",
                "tester",
                "unsigned, admitted because its namespace allows unsigned models"),
            org.assertj.core.groups.Tuple.tuple("approve", "reviewer", "looks right"));
  }

  @Test
  void retire_destroysTheDataKey_soEvenAnEarlierCopyOfTheBlobCannotBeDecrypted() throws Exception {
    byte[] model = artifact(50_000, 13);
    ModelVersion v = push("m", "1", model);
    Path blob;
    try (Stream<Path> s = Files.list(dir.resolve("blobs"))) {
      blob = s.findFirst().orElseThrow();
    }
    Path stolenCopy = dir.resolve("stolen.sealed");
    Files.copy(blob, stolenCopy);

    byte[] wrappedBefore =
        db.read(
            c -> {
              try (var st = c.createStatement();
                  var rs = st.executeQuery("SELECT wrapped_key FROM model_versions")) {
                rs.next();
                return rs.getBytes(1);
              }
            });
    ModelVersion retired = registry.retire("m", "1", "officer", "end of life");
    // The wrapped key is gone from the database files themselves (no free page, no WAL image).
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f :
          files.filter(p -> p.getFileName().toString().startsWith("bulwark.db")).toList()) {
        assertThat(Bytes.indexOf(Files.readAllBytes(f), wrappedBefore))
            .as(f.toString())
            .isEqualTo(-1);
      }
    }
    assertThat(retired.state()).isEqualTo(VersionState.RETIRED);
    assertThat(blob).doesNotExist();
    assertThatThrownBy(() -> registry.open("m", "1")).isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> registry.deploy("m", "1", "x", "deploy", null))
        .isInstanceOf(ConflictException.class);

    // No wrapped key for the version survives anywhere in the database ...
    List<byte[]> keys =
        db.read(
            c -> {
              List<byte[]> out = new java.util.ArrayList<>();
              try (var st = c.createStatement();
                  var rs = st.executeQuery("SELECT wrapped_key FROM model_versions")) {
                while (rs.next()) {
                  out.add(rs.getBytes(1));
                }
              }
              return out;
            });
    assertThat(keys).allMatch(k -> k.length == 0);
    // ... so the copy cannot be opened, even by someone holding the key-encryption key.
    var sealer =
        ArtifactSealers.tinkStreaming(KeyEncryptionKeys.localKeyset(dir.resolve("kek.json")));
    assertThatThrownBy(
            () ->
                sealer.open(
                    Files.newInputStream(stolenCopy),
                    new io.bulwark.crypto.WrappedKey("local:00000000", new byte[32]),
                    ModelRegistry.artifactAad("m", "1"),
                    ModelRegistry.keyAad("m", "1", "onnx", v.sha256()),
                    1_000_000))
        .isInstanceOf(ArtifactIntegrityException.class);
    assertThat(registry.events("m"))
        .extracting(ModelEvent::action)
        .containsExactly("push", "retire");
  }
}
