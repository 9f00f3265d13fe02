package io.bulwark.audit;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The RFC 9162 consistency proof that the tree of {@code size2} extends the one of {@code size1}.
 */
public record ConsistencyProof(long size1, long size2, List<byte[]> hashes) {
  public ConsistencyProof {
    if (size1 < 0 || size2 < size1) {
      throw new IllegalArgumentException("sizes must satisfy 0 <= size1 <= size2");
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
