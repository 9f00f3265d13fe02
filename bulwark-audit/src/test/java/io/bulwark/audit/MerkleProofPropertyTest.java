package io.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.audit.internal.MemoryHashStore;
import io.bulwark.audit.internal.TreeMath;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Proofs from our tree verify for every size 1..300, and no single-bit mutation does. */
class MerkleProofPropertyTest {
  private static MemoryHashStore tree(int size) {
    MemoryHashStore s = new MemoryHashStore();
    for (int i = 0; i < size; i++) {
      s.append(Merkle.leafHash(ByteBuffer.allocate(4).putInt(i).array()));
    }
    return s;
  }

  @Property(tries = 300)
  void inclusion_anySizeAndIndex_verifiesAndEveryBitFlipFails(
      @ForAll @IntRange(min = 1, max = 300) int size, @ForAll @IntRange(min = 0, max = 299) int i)
      throws Exception {
    int index = i % size;
    MemoryHashStore s = tree(size);
    byte[] root = s.root(size);
    byte[] leaf = s.node(0, index);
    List<byte[]> proof = TreeMath.inclusion(s, index, size).hashes();
    Merkle.verifyInclusion(index, size, leaf, proof, root);
    for (int h = 0; h < proof.size(); h++) {
      for (int bit = 0; bit < 256; bit++) {
        List<byte[]> bad = flip(proof, h, bit);
        assertThatThrownBy(() -> Merkle.verifyInclusion(index, size, leaf, bad, root))
            .isInstanceOf(AuditVerificationException.class);
      }
    }
    for (int bit = 0; bit < 256; bit++) {
      byte[] badRoot = flip(root, bit);
      assertThatThrownBy(() -> Merkle.verifyInclusion(index, size, leaf, proof, badRoot))
          .isInstanceOf(AuditVerificationException.class);
    }
  }

  @Property(tries = 300)
  void consistency_anySizes_verifiesAndEveryBitFlipFails(
      @ForAll @IntRange(min = 1, max = 300) int size2, @ForAll @IntRange(min = 1, max = 300) int m)
      throws Exception {
    int size1 = 1 + (m - 1) % size2;
    MemoryHashStore s = tree(size2);
    byte[] root1 = s.root(size1);
    byte[] root2 = s.root(size2);
    List<byte[]> proof = TreeMath.consistency(s, size1, size2).hashes();
    assertThatCode(() -> Merkle.verifyConsistency(size1, size2, root1, root2, proof))
        .doesNotThrowAnyException();
    for (int h = 0; h < proof.size(); h++) {
      for (int bit = 0; bit < 256; bit++) {
        List<byte[]> bad = flip(proof, h, bit);
        assertThatThrownBy(() -> Merkle.verifyConsistency(size1, size2, root1, root2, bad))
            .isInstanceOf(AuditVerificationException.class);
      }
    }
    for (int bit = 0; bit < 256; bit++) {
      byte[] bad1 = flip(root1, bit);
      byte[] bad2 = flip(root2, bit);
      assertThatThrownBy(() -> Merkle.verifyConsistency(size1, size2, root1, bad2, proof))
          .isInstanceOf(AuditVerificationException.class);
      if (size1 < size2) {
        assertThatThrownBy(() -> Merkle.verifyConsistency(size1, size2, bad1, root2, proof))
            .isInstanceOf(AuditVerificationException.class);
      }
    }
  }

  private static List<byte[]> flip(List<byte[]> proof, int h, int bit) {
    List<byte[]> out = new ArrayList<>(proof);
    out.set(h, flip(proof.get(h), bit));
    return out;
  }

  private static byte[] flip(byte[] hash, int bit) {
    byte[] out = hash.clone();
    out[bit / 8] ^= (byte) (1 << (bit % 8));
    return out;
  }
}
