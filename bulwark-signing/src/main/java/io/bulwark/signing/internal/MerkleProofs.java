package io.bulwark.signing.internal;

import io.bulwark.signing.VerificationException;
import java.security.MessageDigest;
import java.util.List;

/** RFC 6962 / RFC 9162 Merkle tree inclusion proofs (SHA-256). */
final class MerkleProofs {
  private MerkleProofs() {}

  /**
   * The root hash that {@code path} leads to from {@code leafHash} at {@code index} in a tree of
   * {@code size} leaves (RFC 9162 section 2.1.3.2).
   *
   * @throws VerificationException if the proof has the wrong shape for the index and size
   */
  static byte[] rootFromInclusion(long index, long size, byte[] leafHash, List<byte[]> path)
      throws VerificationException {
    if (index < 0 || index >= size) {
      throw new VerificationException("keyless: the inclusion proof index is outside the tree");
    }
    long fn = index;
    long sn = size - 1;
    byte[] r = leafHash;
    for (byte[] p : path) {
      if (sn == 0) {
        throw new VerificationException("keyless: the inclusion proof is too long");
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = node(p, r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        r = node(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      throw new VerificationException("keyless: the inclusion proof is too short");
    }
    return r;
  }

  private static byte[] node(byte[] left, byte[] right) {
    MessageDigest d = SigstoreKeyless.sha256Digest();
    d.update((byte) 1);
    d.update(left);
    d.update(right);
    return d.digest();
  }
}
