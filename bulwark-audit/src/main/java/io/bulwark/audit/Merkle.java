package io.bulwark.audit;

import io.bulwark.core.Digests;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The RFC 6962 / RFC 9162 (section 2) Merkle tree hash and the verification algorithms for
 * inclusion and consistency proofs (RFC 9162 sections 2.1.3.2 and 2.1.4.2). A proof either verifies
 * or the method throws; there is no boolean to forget.
 */
public final class Merkle {
  /** Length of every hash: SHA-256. */
  public static final int HASH_BYTES = 32;

  /** Longest proof any tree of at most 2^63 entries needs. */
  public static final int MAX_PROOF_HASHES = 64;

  private Merkle() {}

  /** {@code SHA-256(0x00 || leaf)}. */
  public static byte[] leafHash(byte[] leaf) {
    MessageDigest d = sha256();
    d.update((byte) 0);
    d.update(leaf);
    return d.digest();
  }

  /** {@code SHA-256(0x01 || left || right)}. */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest d = sha256();
    d.update((byte) 1);
    d.update(left);
    d.update(right);
    return d.digest();
  }

  /** The root of the empty tree, {@code SHA-256("")}. */
  public static byte[] emptyRoot() {
    return sha256().digest();
  }

  /**
   * Verifies that {@code leafHash} is the entry at {@code index} of the tree of {@code treeSize}
   * entries whose root is {@code root}.
   *
   * @throws AuditVerificationException if it is not
   */
  public static void verifyInclusion(
      long index, long treeSize, byte[] leafHash, List<byte[]> proof, byte[] root)
      throws AuditVerificationException {
    checkHash(leafHash, "leaf hash");
    checkHash(root, "root");
    if (index < 0 || treeSize <= index) {
      throw new AuditVerificationException("inclusion proof: index is not below the tree size");
    }
    if (proof.size() > MAX_PROOF_HASHES) {
      throw new AuditVerificationException("inclusion proof: too many hashes");
    }
    long fn = index;
    long sn = treeSize - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      checkHash(p, "proof hash");
      if (sn == 0) {
        throw new AuditVerificationException("inclusion proof: too many hashes for the tree size");
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = nodeHash(p, r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>>= 1;
            sn >>>= 1;
          }
        }
      } else {
        r = nodeHash(r, p);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    if (sn != 0) {
      throw new AuditVerificationException("inclusion proof: too few hashes for the tree size");
    }
    if (!MessageDigest.isEqual(r, root)) {
      throw new AuditVerificationException("inclusion proof: computed root does not match");
    }
  }

  /**
   * Verifies that the tree of {@code size2} entries with root {@code root2} is an append-only
   * extension of the tree of {@code size1} entries with root {@code root1}.
   *
   * @throws AuditVerificationException if it is not
   */
  public static void verifyConsistency(
      long size1, long size2, byte[] root1, byte[] root2, List<byte[]> proof)
      throws AuditVerificationException {
    if (size1 < 0 || size2 < size1) {
      throw new AuditVerificationException("consistency proof: sizes out of order");
    }
    if (proof.size() > MAX_PROOF_HASHES) {
      throw new AuditVerificationException("consistency proof: too many hashes");
    }
    for (byte[] p : proof) {
      checkHash(p, "proof hash");
    }
    if (size1 == 0) {
      // Every tree extends the empty one; a "proof" of it proves nothing, so none is accepted.
      throw new AuditVerificationException("consistency proof: from the empty tree is meaningless");
    }
    if (size1 == size2) {
      if (!proof.isEmpty()) {
        throw new AuditVerificationException("consistency proof: must be empty for equal sizes");
      }
      // As RFC 9162 and the reference verifier: equal sizes need equal roots, nothing more.
      if (!MessageDigest.isEqual(root1, root2)) {
        throw new AuditVerificationException("consistency proof: roots differ for equal sizes");
      }
      return;
    }
    if (proof.isEmpty()) {
      throw new AuditVerificationException("consistency proof: empty");
    }
    checkHash(root1, "first root");
    checkHash(root2, "second root");
    List<byte[]> path = new ArrayList<>(proof.size() + 1);
    if (Long.bitCount(size1) == 1) {
      path.add(root1);
    }
    path.addAll(proof);
    long fn = size1 - 1;
    long sn = size2 - 1;
    while ((fn & 1) == 1) {
      fn >>>= 1;
      sn >>>= 1;
    }
    byte[] fr = path.get(0);
    byte[] sr = path.get(0);
    for (int i = 1; i < path.size(); i++) {
      byte[] c = path.get(i);
      if (sn == 0) {
        throw new AuditVerificationException("consistency proof: too many hashes");
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        sr = nodeHash(sr, c);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    if (sn != 0) {
      throw new AuditVerificationException("consistency proof: too few hashes");
    }
    if (!MessageDigest.isEqual(fr, root1)) {
      throw new AuditVerificationException("consistency proof: first root does not match");
    }
    if (!MessageDigest.isEqual(sr, root2)) {
      throw new AuditVerificationException("consistency proof: second root does not match");
    }
  }

  static List<byte[]> copyHashes(List<byte[]> hashes) {
    List<byte[]> out = new ArrayList<>(hashes.size());
    for (byte[] h : hashes) {
      out.add(h.clone());
    }
    return List.copyOf(out);
  }

  private static void checkHash(byte[] hash, String what) throws AuditVerificationException {
    if (hash.length != HASH_BYTES) {
      throw new AuditVerificationException(what + " is not " + HASH_BYTES + " bytes");
    }
  }

  private static MessageDigest sha256() {
    return Digests.sha256();
  }
}
