package io.bulwark.signing.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bulwark.signing.VerificationException;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the trusted root parser and of inclusion proof verification. In a
 * normal run this replays seeds only; {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class SigstoreJazzerTest {
  @FuzzTest(maxDuration = "30s")
  void parseTrustedRoot_anyBytes_failsOnlyWithIllegalArgument(FuzzedDataProvider data) {
    try {
      SigstoreTrustedRoot.parse(data.consumeRemainingAsBytes());
    } catch (IllegalArgumentException expected) {
      // a malformed trusted root is refused
    }
  }

  @FuzzTest(maxDuration = "30s")
  void rootFromInclusion_anyProof_failsOnlyWithVerificationException(FuzzedDataProvider data) {
    long index = data.consumeLong();
    long size = data.consumeLong();
    List<byte[]> path = new ArrayList<>();
    int n = data.consumeInt(0, 70);
    for (int i = 0; i < n; i++) {
      path.add(data.consumeBytes(32));
    }
    try {
      MerkleProofs.rootFromInclusion(index, size, new byte[32], path);
    } catch (VerificationException expected) {
      // a proof of the wrong shape is refused
    }
  }
}
