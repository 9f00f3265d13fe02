package io.bulwark.audit;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The RFC 9162 inclusion proof (audit path) of the entry at {@code index} in the tree of {@code
 * treeSize} entries: sibling hashes from the leaf up.
 */
public record InclusionProof(long index, long treeSize, List<byte[]> hashes) {
  public InclusionProof {
    if (index < 0 || treeSize <= index) {
      throw new IllegalArgumentException("index must be in [0, treeSize)");
    }
    hashes = Merkle.copyHashes(hashes);
  }

  /** The hashes in base64, as served over HTTP. */
  public List<String> hashesBase64() {
    List<String> out = new ArrayList<>(hashes.size());
    hashes.forEach(h -> out.add(Base64.getEncoder().encodeToString(h)));
    return out;
  }
}
