package io.bulwark.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelManifestTest {
  private static final Map<String, String> GOLDEN_MODELS =
      Map.of(
          "sample_model_file", "sample_model_file/file_model",
          "empty_model_file", "empty_model_file/empty_file_model",
          "sample_model_folder", "sample_model",
          "model_folder_with_empty_file", "empty_file_inside_model",
          "deep_model_folder", "deep_model");

  @Test
  void compute_payloadGoldens_reproducesResourcesAndSubject() throws Exception {
    Path goldens = ModelVerifierTest.oms().resolve("payload-goldens");
    ObjectMapper mapper = new ObjectMapper();
    for (Map.Entry<String, String> e : GOLDEN_MODELS.entrySet()) {
      JsonNode golden =
          mapper.readTree(
              goldens
                  .resolve("tests/_signing/testdata/signing/TestPayload")
                  .resolve(e.getKey())
                  .toFile());
      ModelManifest manifest =
          ModelManifest.compute(goldens.resolve("models").resolve(e.getValue()), List.of());
      List<String> expected = new ArrayList<>();
      for (JsonNode r : golden.at("/predicate/resources")) {
        expected.add(r.get("name").asText() + ":" + r.get("digest").asText());
      }
      assertThat(manifest.resources())
          .as(e.getKey())
          .extracting(r -> r.name() + ":" + r.sha256())
          .containsExactlyElementsOf(expected);
      assertThat(manifest.subjectDigest())
          .as(e.getKey())
          .isEqualTo(golden.at("/subject/0/digest/sha256").asText());
      assertThat(manifest.modelName()).isEqualTo(golden.at("/subject/0/name").asText());
    }
  }

  /**
   * The goldens of the "shards" serialisation (15 of the 21) describe a method this implementation
   * does not offer: a bundle that uses it is refused by name, never verified in part.
   */
  @Test
  void parseStatement_shardGoldens_refusedAsUnsupportedMethod() throws Exception {
    Path dir =
        ModelVerifierTest.oms()
            .resolve("payload-goldens/tests/_signing/testdata/signing/TestPayload");
    int refused = 0;
    try (var goldens = Files.list(dir)) {
      for (Path golden : goldens.filter(p -> p.toString().contains("shard")).toList()) {
        byte[] statement = Files.readAllBytes(golden);
        assertThatThrownBy(
                () -> io.bulwark.signing.internal.OmsCodec.parseStatement(statement, 100))
            .as(golden.getFileName().toString())
            .isInstanceOf(VerificationException.class)
            .hasMessageContaining("unsupported serialization method shards");
        refused++;
      }
    }
    assertThat(refused).isEqualTo(14);
  }

  @Test
  void compute_emptyDirectory_hasEmptyDigest(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    ModelManifest manifest = ModelManifest.compute(dir, List.of());
    assertThat(manifest.resources()).isEmpty();
    assertThat(manifest.subjectDigest())
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void compute_gitAndIgnoredPaths_areSkipped(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Files.createDirectories(dir.resolve(".git"));
    Files.writeString(dir.resolve(".git/HEAD"), "x");
    Files.writeString(dir.resolve("a"), "a");
    Files.writeString(dir.resolve("skip"), "s");
    assertThat(ModelManifest.compute(dir, List.of(dir.resolve("skip"))).resources())
        .extracting(ModelManifest.Resource::name)
        .containsExactly("a");
  }

  @Test
  void nameOrder_comparesByComponents() {
    ModelManifest m =
        new ModelManifest(
            "m",
            List.of(
                new ModelManifest.Resource("a.b", "0".repeat(64)),
                new ModelManifest.Resource("a/b", "1".repeat(64))));
    assertThat(m.resources())
        .extracting(ModelManifest.Resource::name)
        .containsExactly("a/b", "a.b");
  }
}
