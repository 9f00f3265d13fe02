package io.bulwark.signing.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.signing.VerificationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The limits on a keyless bundle's transparency-log material, just below and just above. */
class SigstoreKeylessLimitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SigstoreKeyless keyless;
  private byte[] bundle;

  @BeforeEach
  void readVectors() throws Exception {
    Path oms = Path.of(System.getProperty("bulwark.vectors", "../shared/vectors")).resolve("oms");
    assumeTrue(Files.isDirectory(oms), "OMS vectors not found at " + oms + "; skipping");
    keyless =
        new SigstoreKeyless(
            SigstoreTrustedRoot.parse(
                Files.readAllBytes(
                    oms.resolve("sigstore-trust/sigstore-python_prod_trusted_root.json"))),
            "stefanb@us.ibm.com",
            "https://sigstore.verify.ibm.com/oauth2");
    bundle =
        Files.readAllBytes(
            oms.resolve("model-transparency-scripts-tests/v1.0.0-sigstore/model.sig"));
  }

  private SigstoreKeyless.Signer verify(Consumer<ObjectNode> change) throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(bundle);
    change.accept((ObjectNode) root.path("verificationMaterial").path("tlogEntries").get(0));
    byte[] modified = JSON.writeValueAsBytes(root);
    return keyless.verify(modified, OmsCodec.parseBundle(modified));
  }

  private static Consumer<ObjectNode> proofHashes(int count) {
    return entry -> {
      ArrayNode hashes = (ArrayNode) entry.path("inclusionProof").get("hashes");
      while (hashes.size() < count) {
        hashes.add(hashes.get(0).asText());
      }
    };
  }

  private static Consumer<ObjectNode> checkpointOfLength(int length) {
    return entry -> {
      ObjectNode checkpoint = (ObjectNode) entry.path("inclusionProof").get("checkpoint");
      String note = checkpoint.get("envelope").asText();
      // An extra signature line from an unknown key is ignored, so it pads without harm.
      String prefix = "\u2014 other AAAA";
      int pad = length - note.length() - prefix.length() - 1;
      checkpoint.put("envelope", note + prefix + "A".repeat(pad) + "\n");
    };
  }

  @Test
  void verify_untouched_accepts() throws Exception {
    assertThat(verify(e -> {}).description()).startsWith("stefanb@us.ibm.com");
  }

  @Test
  void verify_proofAtHashLimit_isReadAndRefusedAsTooLong() {
    assertThatThrownBy(() -> verify(proofHashes(SigstoreKeyless.MAX_PROOF_HASHES)))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("inclusion proof is too long");
  }

  @Test
  void verify_proofOverHashLimit_throws() {
    assertThatThrownBy(() -> verify(proofHashes(SigstoreKeyless.MAX_PROOF_HASHES + 1)))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("malformed inclusion proof hashes");
  }

  @Test
  void verify_checkpointAtLimit_accepts() throws Exception {
    assertThat(verify(checkpointOfLength(SigstoreKeyless.MAX_CHECKPOINT_BYTES)).description())
        .startsWith("stefanb@us.ibm.com");
  }

  @Test
  void verify_checkpointOverLimit_throws() {
    assertThatThrownBy(() -> verify(checkpointOfLength(SigstoreKeyless.MAX_CHECKPOINT_BYTES + 1)))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("checkpoint is too large");
  }
}
