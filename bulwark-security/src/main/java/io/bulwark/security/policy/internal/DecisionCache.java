package io.bulwark.security.policy.internal;

import io.bulwark.security.policy.Decision;
import io.bulwark.security.policy.PolicyRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A bounded map from (request, policy version) to decision. Striped into segments, each an LRU
 * {@link LinkedHashMap} under its own lock, so that concurrent inference calls rarely contend; the
 * bound is therefore per segment ({@code capacity / SEGMENTS}, at least 1).
 *
 * <p>Keys hold the whole principal and resource views, not a hash of them: two principals whose
 * attributes collide in a hash must never share a decision.
 */
final class DecisionCache {
  static final int SEGMENTS = 16;

  /** What a decision depends on: the request and the version it was evaluated against. */
  record Key(PolicyRequest request, long policyVersion) {}

  private final @Nullable Segment[] segments;
  private final int capacity;

  DecisionCache(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity < 0");
    }
    this.capacity = capacity;
    int perSegment = Math.max(1, capacity / SEGMENTS);
    this.segments = new Segment[capacity == 0 ? 0 : SEGMENTS];
    for (int i = 0; i < segments.length; i++) {
      segments[i] = new Segment(perSegment);
    }
  }

  @Nullable Decision get(Key key) {
    Segment s = segment(key);
    if (s == null) {
      return null;
    }
    synchronized (s) {
      return s.get(key);
    }
  }

  void put(Key key, Decision decision) {
    Segment s = segment(key);
    if (s == null) {
      return;
    }
    synchronized (s) {
      s.put(key, decision);
    }
  }

  /** Entries held now; at most {@link #maxSize()}. */
  int size() {
    int n = 0;
    for (Segment s : segments) {
      if (s != null) {
        synchronized (s) {
          n += s.size();
        }
      }
    }
    return n;
  }

  int maxSize() {
    return capacity == 0 ? 0 : SEGMENTS * Math.max(1, capacity / SEGMENTS);
  }

  private @Nullable Segment segment(Key key) {
    if (segments.length == 0) {
      return null;
    }
    int h = key.hashCode();
    h ^= h >>> 16;
    return segments[Math.floorMod(h, segments.length)];
  }

  private static final class Segment extends LinkedHashMap<Key, Decision> {
    private static final long serialVersionUID = 1L;
    private final int max;

    Segment(int max) {
      super(16, 0.75f, true);
      this.max = max;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Decision> eldest) {
      return size() > max;
    }
  }
}
