package io.bulwark.audit.internal;

import io.bulwark.audit.ConsistencyProof;
import io.bulwark.audit.InclusionProof;
import io.bulwark.audit.Merkle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 6962 section 2.1 over a {@link HashStore}: MTH of any range, PATH and PROOF. Every range the
 * recursion asks for starts at a multiple of its largest power-of-two part, so each left subtree is
 * a stored node and a proof costs O(log n) reads.
 */
public final class TreeMath {
  private TreeMath() {}

  /** The root of the first {@code size} leaves of {@code store}. */
  public static byte[] root(HashStore store, long size) {
    checkSize(store, size);
    return size == 0 ? Merkle.emptyRoot() : mth(store, 0, size);
  }

  /** The inclusion proof of leaf {@code index} in the tree of {@code size} leaves. */
  public static InclusionProof inclusion(HashStore store, long index, long size) {
    checkSize(store, size);
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("index must be below the tree size");
    }
    List<byte[]> out = new ArrayList<>();
    path(store, index, 0, size, out);
    return new InclusionProof(index, size, out);
  }

  /** The consistency proof between the trees of {@code size1} and {@code size2} leaves. */
  public static ConsistencyProof consistency(HashStore store, long size1, long size2) {
    checkSize(store, size2);
    if (size1 < 0 || size1 > size2) {
      throw new IllegalArgumentException("sizes must satisfy 0 <= size1 <= size2");
    }
    List<byte[]> out = new ArrayList<>();
    if (size1 > 0 && size1 < size2) {
      subproof(store, size1, 0, size2, true, out);
    }
    return new ConsistencyProof(size1, size2, out);
  }

  private static void path(HashStore store, long m, long start, long n, List<byte[]> out) {
    if (n == 1) {
      return;
    }
    long k = Long.highestOneBit(n - 1);
    if (m < k) {
      path(store, m, start, k, out);
      out.add(mth(store, start + k, n - k));
    } else {
      path(store, m - k, start + k, n - k, out);
      out.add(mth(store, start, k));
    }
  }

  private static void subproof(
      HashStore store, long m, long start, long n, boolean complete, List<byte[]> out) {
    if (m == n) {
      if (!complete) {
        out.add(mth(store, start, n));
      }
      return;
    }
    long k = Long.highestOneBit(n - 1);
    if (m <= k) {
      subproof(store, m, start, k, complete, out);
      out.add(mth(store, start + k, n - k));
    } else {
      subproof(store, m - k, start + k, n - k, false, out);
      out.add(mth(store, start, k));
    }
  }

  private static byte[] mth(HashStore store, long start, long n) {
    try {
      if (Long.bitCount(n) == 1 && start % n == 0) {
        return store.node(Long.numberOfTrailingZeros(n), start / n);
      }
      long k = Long.highestOneBit(n - 1);
      return Merkle.nodeHash(mth(store, start, k), mth(store, start + k, n - k));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void checkSize(HashStore store, long size) {
    if (size < 0 || size > store.size()) {
      throw new IllegalArgumentException("tree size " + size + " is beyond the log");
    }
  }
}
