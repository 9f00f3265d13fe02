package io.bulwark.audit.internal;

import java.io.IOException;

/**
 * The hashes of every complete, aligned subtree: level 0 holds the leaf hashes, level k the hash of
 * leaves {@code [i*2^k, (i+1)*2^k)} at index i. This is the data of C2SP tlog-tiles without the
 * grouping into tiles, and enough to build any proof with O(log n) reads.
 */
interface HashStore {
  /** Number of leaves. */
  long size();

  /** The hash at {@code level}, {@code index}; the subtree must be complete. */
  byte[] node(int level, long index) throws IOException;
}
