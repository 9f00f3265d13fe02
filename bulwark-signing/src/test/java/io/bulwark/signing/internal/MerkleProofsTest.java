package io.bulwark.signing.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.signing.VerificationException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Inclusion proofs against trees built here with the RFC 6962 definitions. */
class MerkleProofsTest {
  private static byte[] leaf(int i) {
    return SigstoreKeyless.sha256((byte) 0, new byte[] {(byte) i});
  }

  private static byte[] node(byte[] l, byte[] r) {
    MessageDigest d = SigstoreKeyless.sha256Digest();
    d.update((byte) 1);
    d.update(l);
    d.update(r);
    return d.digest();
  }

  private static int split(int n) {
    int k = 1;
    while (k * 2 < n) {
      k *= 2;
    }
    return k;
  }

  /** MTH(D[from:to]). */
  private static byte[] root(int from, int to) {
    if (to - from == 1) {
      return leaf(from);
    }
    int k = split(to - from);
    return node(root(from, from + k), root(from + k, to));
  }

  /** PATH(m, D[from:to]), leaf to root. */
  private static List<byte[]> path(int m, int from, int to) {
    List<byte[]> out = new ArrayList<>();
    if (to - from == 1) {
      return out;
    }
    int k = split(to - from);
    if (m < k) {
      out.addAll(path(m, from, from + k));
      out.add(root(from + k, to));
    } else {
      out.addAll(path(m - k, from + k, to));
      out.add(root(from, from + k));
    }
    return out;
  }

  @Test
  void rootFromInclusion_everyLeafOfSmallTrees_matchesRoot() throws Exception {
    for (int size = 1; size <= 17; size++) {
      for (int i = 0; i < size; i++) {
        byte[] computed = MerkleProofs.rootFromInclusion(i, size, leaf(i), path(i, 0, size));
        assertThat(computed).as("leaf %d of %d", i, size).isEqualTo(root(0, size));
      }
    }
  }

  @Test
  void rootFromInclusion_wrongIndex_doesNotMatchRoot() throws Exception {
    byte[] computed = MerkleProofs.rootFromInclusion(4, 13, leaf(5), path(5, 0, 13));
    assertThat(computed).isNotEqualTo(root(0, 13));
  }

  @Test
  void rootFromInclusion_indexOutsideTree_throws() {
    assertThatThrownBy(() -> MerkleProofs.rootFromInclusion(13, 13, leaf(0), List.of()))
        .isInstanceOf(VerificationException.class);
  }

  @Test
  void rootFromInclusion_extraHash_throws() {
    List<byte[]> p = new ArrayList<>(path(3, 0, 8));
    p.add(leaf(0));
    assertThatThrownBy(() -> MerkleProofs.rootFromInclusion(3, 8, leaf(3), p))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("too long");
  }

  @Test
  void rootFromInclusion_missingHash_throws() {
    List<byte[]> p = new ArrayList<>(path(3, 0, 8));
    p.remove(p.size() - 1);
    assertThatThrownBy(() -> MerkleProofs.rootFromInclusion(3, 8, leaf(3), p))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("too short");
  }
}
