package io.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.audit.internal.MemoryHashStore;
import io.bulwark.audit.internal.TreeMath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every inclusion and consistency vector of transparency-dev/merkle (RFC 6962/9162) gives its
 * expected result, and our tree reproduces the RFC 6962 reference tree and its proofs.
 */
class MerkleConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void verifyInclusion_everyVector_matchesExpectation() throws IOException {
    List<Path> files = jsonFiles(Vectors.ct("merkle").resolve("testdata/inclusion"));
    assertThat(files).hasSizeGreaterThan(90);
    for (Path f : files) {
      JsonNode v = JSON.readTree(f.toFile());
      boolean wantErr = v.path("wantErr").asBoolean();
      if (wantErr) {
        assertThat(
                catchThrowable(
                    () ->
                        Merkle.verifyInclusion(
                            v.path("leafIdx").asLong(),
                            v.path("treeSize").asLong(),
                            b64(v.path("leafHash")),
                            hashes(v.path("proof")),
                            b64(v.path("root")))))
            .as(f.toString())
            .isInstanceOf(AuditVerificationException.class);
      } else {
        assertThatCode(
                () ->
                    Merkle.verifyInclusion(
                        v.path("leafIdx").asLong(),
                        v.path("treeSize").asLong(),
                        b64(v.path("leafHash")),
                        hashes(v.path("proof")),
                        b64(v.path("root"))))
            .as(f.toString())
            .doesNotThrowAnyException();
      }
    }
  }

  @Test
  void verifyConsistency_everyVector_matchesExpectation() throws IOException {
    List<Path> files = jsonFiles(Vectors.ct("merkle").resolve("testdata/consistency"));
    assertThat(files).hasSizeGreaterThan(90);
    for (Path f : files) {
      JsonNode v = JSON.readTree(f.toFile());
      boolean wantErr = v.path("wantErr").asBoolean();
      if (wantErr) {
        assertThat(catchThrowable(() -> consistency(v)))
            .as(f.toString())
            .isInstanceOf(AuditVerificationException.class);
      } else {
        assertThatCode(() -> consistency(v)).as(f.toString()).doesNotThrowAnyException();
      }
    }
  }

  @Test
  void treeMath_referenceTree_reproducesRootsAndVerifiesEveryProof() throws Exception {
    JsonNode ref = JSON.readTree(Vectors.ct("merkle").resolve("reference_tree.json").toFile());
    MemoryHashStore store = new MemoryHashStore();
    HexFormat hex = HexFormat.of();
    int n = ref.path("leafInputsHex").size();
    for (int i = 0; i < n; i++) {
      byte[] leaf = hex.parseHex(ref.path("leafInputsHex").get(i).asText());
      byte[] hash = Merkle.leafHash(leaf);
      assertThat(hex.formatHex(hash)).isEqualTo(ref.path("leafHashesHex").get(i).asText());
      store.append(hash);
    }
    for (int size = 0; size <= n; size++) {
      assertThat(hex.formatHex(store.root(size)))
          .isEqualTo(ref.path("rootHashesBySizeHex").path(String.valueOf(size)).asText());
    }
    for (int size = 1; size <= n; size++) {
      for (int i = 0; i < size; i++) {
        InclusionProof p = TreeMath.inclusion(store, i, size);
        Merkle.verifyInclusion(i, size, store.node(0, i), p.hashes(), store.root(size));
      }
      for (int m = 1; m <= size; m++) {
        ConsistencyProof p = TreeMath.consistency(store, m, size);
        Merkle.verifyConsistency(m, size, store.root(m), store.root(size), p.hashes());
      }
    }
  }

  private static void consistency(JsonNode v) throws AuditVerificationException {
    Merkle.verifyConsistency(
        v.path("size1").asLong(),
        v.path("size2").asLong(),
        b64(v.path("root1")),
        b64(v.path("root2")),
        hashes(v.path("proof")));
  }

  private static byte[] b64(JsonNode n) {
    return n.isNull() || n.isMissingNode() ? new byte[0] : Base64.getDecoder().decode(n.asText());
  }

  private static List<byte[]> hashes(JsonNode arr) {
    List<byte[]> out = new ArrayList<>();
    arr.forEach(h -> out.add(b64(h)));
    return out;
  }

  private static List<Path> jsonFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }
}
