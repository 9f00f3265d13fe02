package io.bulwark.audit.internal;

import io.bulwark.audit.Merkle;
import java.util.ArrayList;
import java.util.List;

/** A {@link HashStore} in memory: for verifying an export and for tests. */
public final class MemoryHashStore implements HashStore {
  private final List<List<byte[]>> levels = new ArrayList<>();

  /** Appends a leaf by its hash, adding every subtree hash it completes. */
  public void append(byte[] leafHash) {
    byte[] h = leafHash;
    int level = 0;
    while (true) {
      if (levels.size() == level) {
        levels.add(new ArrayList<>());
      }
      List<byte[]> row = levels.get(level);
      row.add(h);
      if (row.size() % 2 != 0) {
        return;
      }
      h = Merkle.nodeHash(row.get(row.size() - 2), h);
      level++;
    }
  }

  @Override
  public long size() {
    return levels.isEmpty() ? 0 : levels.get(0).size();
  }

  @Override
  public byte[] node(int level, long index) {
    return levels.get(level).get(Math.toIntExact(index));
  }

  /** The root of the first {@code size} leaves. */
  public byte[] root(long size) {
    return TreeMath.root(this, size);
  }
}
