package io.bulwark.inference.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct buffers for ONNX Runtime's inputs, kept between calls of one model instead of allocated
 * (and zeroed by the JDK) per input per call. Buffers come in power-of-two sizes from 1 KiB to
 * {@link #MAX_POOLED_BYTES}; each size keeps at most {@link #PER_SIZE} spare buffers and all sizes
 * together at most {@link #MAX_SPARE_BYTES}, so a model's pool holds a bounded amount of memory.
 * Larger inputs, and buffers beyond the bounds, are left to the garbage collector.
 *
 * <p>A buffer taken from the pool still holds an earlier call's bytes beyond its limit; the caller
 * fills it to its limit, and ONNX Runtime reads a tensor only up to the size its shape gives.
 */
final class DirectBuffers {
  /** The largest buffer kept for reuse. */
  static final int MAX_POOLED_BYTES = 16 << 20;

  /** Spare buffers kept per size. */
  static final int PER_SIZE = 16;

  /** Spare memory kept in all, per model. */
  static final long MAX_SPARE_BYTES = 64L << 20;

  private static final int MIN_SHIFT = 10;
  private static final int MAX_SHIFT = Integer.numberOfTrailingZeros(MAX_POOLED_BYTES);

  private final List<ConcurrentLinkedQueue<ByteBuffer>> spare = new ArrayList<>();
  private final AtomicLong spareBytes = new AtomicLong();
  private final AtomicIntegerArray spareCounts = new AtomicIntegerArray(MAX_SHIFT - MIN_SHIFT + 1);

  DirectBuffers() {
    for (int i = 0; i < spareCounts.length(); i++) {
      spare.add(new ConcurrentLinkedQueue<>());
    }
  }

  /** A native-order direct buffer whose position is 0 and whose limit is {@code bytes}. */
  ByteBuffer take(int bytes) {
    int size = sizeClass(bytes);
    if (size < 0) {
      return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }
    ByteBuffer buffer = spare.get(size).poll();
    if (buffer == null) {
      buffer = ByteBuffer.allocateDirect(1 << (size + MIN_SHIFT));
    } else {
      spareCounts.decrementAndGet(size);
      spareBytes.addAndGet(-buffer.capacity());
    }
    buffer.clear().limit(bytes);
    return buffer.order(ByteOrder.nativeOrder());
  }

  /** Returns {@code buffer}, which no tensor may use any more, for a later {@link #take}. */
  void give(ByteBuffer buffer) {
    int capacity = buffer.capacity();
    int size = sizeClass(capacity);
    if (size < 0 || (1 << (size + MIN_SHIFT)) != capacity) {
      return;
    }
    if (spareCounts.incrementAndGet(size) > PER_SIZE) {
      spareCounts.decrementAndGet(size);
      return;
    }
    if (spareBytes.addAndGet(capacity) > MAX_SPARE_BYTES) {
      spareBytes.addAndGet(-capacity);
      spareCounts.decrementAndGet(size);
      return;
    }
    spare.get(size).offer(buffer);
  }

  /** Spare buffers held now, for tests. */
  int spareBuffers() {
    int n = 0;
    for (int i = 0; i < spareCounts.length(); i++) {
      n += spareCounts.get(i);
    }
    return n;
  }

  /** The pool index for a buffer of {@code bytes}, or -1 if it is not pooled. */
  private static int sizeClass(int bytes) {
    if (bytes > MAX_POOLED_BYTES || bytes < 0) {
      return -1;
    }
    int shift = bytes <= 1 << MIN_SHIFT ? MIN_SHIFT : 32 - Integer.numberOfLeadingZeros(bytes - 1);
    return shift - MIN_SHIFT;
  }
}
