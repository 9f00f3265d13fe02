package io.bulwark.inference.internal;

import io.bulwark.core.BulwarkException;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.Strings;
import io.bulwark.core.UnavailableException;
import io.bulwark.inference.Batching;
import io.bulwark.inference.DataType;
import io.bulwark.inference.LoadedModel;
import io.bulwark.inference.ModelLoadException;
import io.bulwark.inference.ModelSignature;
import io.bulwark.inference.Tensor;
import io.bulwark.inference.TensorSpec;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A model whose concurrent calls are joined along the first dimension into shared ONNX Runtime
 * runs, as {@link Batching} describes.
 *
 * <p>Each call is checked against the signature on its caller's thread before it joins a queue, so
 * an invalid call fails alone. Calls join only calls with the same requested outputs and the same
 * input types and shapes apart from the first dimension. One platform thread per model forms the
 * batches and runs them: a virtual thread would pin its carrier for the whole native run.
 *
 * <p>If ONNX Runtime refuses a joined run as invalid input, each call of the batch is run again on
 * its own, so that a value one caller sent (a token id out of range, say) fails that caller only.
 * Any other failure of a joined run fails every call of the batch. Before handing out rows, every
 * output of a joined run must have exactly as many rows as the batch: a model that does not keep
 * the batch dimension fails every call instead of returning one caller's rows to another.
 *
 * <p>Each caller's outputs are copies of its own rows, never views into the joined result. {@link
 * #close()} fails every queued call with {@link UnavailableException}; a batch already running
 * completes.
 */
final class BatchingModel implements LoadedModel {
  /**
   * Calls whose inputs hold more bytes than this together are not joined: the joined copy would
   * double the memory of already large requests for little gain.
   */
  static final long MAX_BATCH_BYTES = 64L << 20;

  private final OnnxRuntimeModel model;
  private final int maxBatchSize;
  private final long maxDelayNanos;
  private final int maxQueued;
  private final Consumer<BatchingModel> onClose;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  /** Waiting calls by what they may join, oldest first; guarded by {@link #lock}. */
  private final Map<BatchKey, Group> groups = new LinkedHashMap<>();

  private int queued;
  private boolean closed;
  private final AtomicLong runs = new AtomicLong();

  private BatchingModel(
      OnnxRuntimeModel model,
      int maxBatchSize,
      long maxDelayNanos,
      int maxQueued,
      Consumer<BatchingModel> onClose) {
    this.model = model;
    this.maxBatchSize = maxBatchSize;
    this.maxDelayNanos = maxDelayNanos;
    this.maxQueued = maxQueued;
    this.onClose = onClose;
  }

  /**
   * Wraps {@code model} and starts its dispatching thread.
   *
   * @throws ModelLoadException if an input or output of the model lacks a dynamic first dimension
   */
  static BatchingModel start(
      OnnxRuntimeModel model, Batching batching, Consumer<BatchingModel> onClose)
      throws ModelLoadException {
    return start(
        model,
        batching.maxBatchSize(),
        TimeUnit.MICROSECONDS.toNanos(batching.maxQueueDelayMicros()),
        batching.maxQueuedCalls(),
        onClose);
  }

  /** As {@link #start(OnnxRuntimeModel, Batching, Consumer)}, with any delay (for tests). */
  static BatchingModel start(
      OnnxRuntimeModel model,
      int maxBatchSize,
      long maxDelayNanos,
      int maxQueued,
      Consumer<BatchingModel> onClose)
      throws ModelLoadException {
    checkBatchable(model.signature());
    BatchingModel batcher =
        new BatchingModel(model, maxBatchSize, maxDelayNanos, maxQueued, onClose);
    Thread.ofPlatform()
        .daemon()
        .name("bulwark-batcher-" + model.name() + "-" + model.version())
        .start(batcher::dispatch);
    return batcher;
  }

  static void checkBatchable(ModelSignature signature) throws ModelLoadException {
    if (signature.inputs().isEmpty()) {
      throw new ModelLoadException(
          "batching is on for this model, but it has no inputs to join into a batch");
    }
    for (TensorSpec spec : signature.inputs()) {
      checkBatchDimension("input", spec);
    }
    for (TensorSpec spec : signature.outputs()) {
      checkBatchDimension("output", spec);
    }
  }

  private static void checkBatchDimension(String role, TensorSpec spec) throws ModelLoadException {
    if (spec.shape().isEmpty() || spec.shape().get(0) != -1) {
      throw new ModelLoadException(
          "batching is on for this model, but "
              + role
              + " '"
              + Strings.printable(spec.name())
              + "' has "
              + (spec.shape().isEmpty()
                  ? "no dimensions"
                  : "a fixed first dimension of " + spec.shape().get(0))
              + "; batching needs every input and output to have a dynamic first dimension (the"
              + " batch)");
    }
  }

  @Override
  public String name() {
    return model.name();
  }

  @Override
  public String version() {
    return model.version();
  }

  @Override
  public ModelSignature signature() {
    return model.signature();
  }

  @Override
  public List<Tensor> infer(List<Tensor> inputs, Set<String> outputs) {
    Set<String> requested = model.check(inputs, outputs);
    List<Tensor> ordered = inSignatureOrder(inputs);
    long rows = rows(ordered);
    long bytes = bytes(ordered);
    if (rows <= 0 || rows >= maxBatchSize || bytes > MAX_BATCH_BYTES) {
      // Nothing to gain from waiting for others: run now, as an unbatched model would.
      return model.runChecked(inputs, requested);
    }
    Call call = new Call(key(ordered, requested), ordered, requested, rows, bytes);
    enqueue(call);
    return await(call);
  }

  private List<Tensor> inSignatureOrder(List<Tensor> inputs) {
    Map<String, Tensor> byName = new HashMap<>();
    for (Tensor t : inputs) {
      byName.put(t.name(), t);
    }
    List<Tensor> ordered = new ArrayList<>(inputs.size());
    for (TensorSpec spec : model.signature().inputs()) {
      Tensor t = byName.get(spec.name());
      if (t == null) {
        // The validator has already required every input; this is a defect, not a bad request.
        throw new IllegalStateException("input '" + Strings.printable(spec.name()) + "' missing");
      }
      ordered.add(t);
    }
    return ordered;
  }

  /** The rows of a call, or -1 if its inputs disagree on the first dimension. */
  private static long rows(List<Tensor> inputs) {
    long rows = -1;
    for (Tensor t : inputs) {
      long first = t.shape()[0];
      if (rows != -1 && first != rows) {
        return -1;
      }
      rows = first;
    }
    return rows;
  }

  private static long bytes(List<Tensor> inputs) {
    long bytes = 0;
    for (Tensor t : inputs) {
      if (t.datatype() == DataType.BYTES) {
        for (byte[] e : t.bytesElements()) {
          bytes += e.length;
        }
      } else {
        bytes += t.data().remaining();
      }
    }
    return bytes;
  }

  private static BatchKey key(List<Tensor> inputs, Set<String> requested) {
    List<InputKey> keys = new ArrayList<>(inputs.size());
    for (Tensor t : inputs) {
      long[] shape = t.shape();
      List<Long> inner = new ArrayList<>(shape.length - 1);
      for (int i = 1; i < shape.length; i++) {
        inner.add(shape[i]);
      }
      keys.add(new InputKey(t.name(), t.datatype(), inner));
    }
    return new BatchKey(keys, List.copyOf(requested));
  }

  private void enqueue(Call call) {
    lock.lock();
    try {
      if (closed) {
        throw noLongerLoaded();
      }
      if (queued >= maxQueued) {
        throw new UnavailableException(
            "model '"
                + name()
                + "' version '"
                + version()
                + "' has too many calls waiting; retry later");
      }
      groups.computeIfAbsent(call.key, k -> new Group()).add(call);
      queued++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private List<Tensor> await(Call call) {
    try {
      return call.result.get();
    } catch (InterruptedException e) {
      withdraw(call);
      Thread.currentThread().interrupt();
      throw new UnavailableException("the call was interrupted while waiting for its batch", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("batched run failed", cause);
    }
  }

  private void withdraw(Call call) {
    lock.lock();
    try {
      Group group = groups.get(call.key);
      if (group != null && group.calls.remove(call)) {
        group.rows -= call.rows;
        queued--;
        if (group.calls.isEmpty()) {
          groups.remove(call.key);
        }
      }
    } finally {
      lock.unlock();
    }
    call.result.cancel(false);
  }

  private void dispatch() {
    while (true) {
      List<Call> batch = nextBatch();
      if (batch == null) {
        return;
      }
      try {
        runBatch(batch);
      } catch (RuntimeException | Error e) {
        // The thread must outlive any failure, or every later caller of this model would wait
        // forever; the callers of this batch learn of it.
        for (Call call : batch) {
          call.result.completeExceptionally(failure(e));
        }
      }
    }
  }

  /** Waits for a batch that is full or whose oldest call has waited long enough; null if closed. */
  private @Nullable List<Call> nextBatch() {
    lock.lock();
    try {
      while (true) {
        if (closed) {
          return null;
        }
        long now = System.nanoTime();
        Map.Entry<BatchKey, Group> due = null;
        long wait = Long.MAX_VALUE;
        // Of the groups that are full or have waited long enough, the one whose oldest call came
        // first: a shape that stays busy cannot keep another shape's waiting calls behind it.
        for (Map.Entry<BatchKey, Group> entry : groups.entrySet()) {
          Group group = entry.getValue();
          long left = group.oldest() + maxDelayNanos - now;
          boolean ready = group.rows >= maxBatchSize || left <= 0;
          if (ready && (due == null || group.oldest() - due.getValue().oldest() < 0)) {
            due = entry;
          }
          wait = Math.min(wait, left);
        }
        if (due != null) {
          return take(due.getKey(), due.getValue());
        }
        try {
          if (wait == Long.MAX_VALUE) {
            changed.await();
          } else {
            changed.awaitNanos(wait);
          }
        } catch (InterruptedException e) {
          // Only close() ends this thread; it sets the flag checked above.
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Takes the oldest calls of {@code group} that fit one batch; the lock is held. */
  private List<Call> take(BatchKey key, Group group) {
    List<Call> batch = new ArrayList<>();
    long rows = 0;
    long bytes = 0;
    Iterator<Call> it = group.calls.iterator();
    while (it.hasNext()) {
      Call call = it.next();
      if (!batch.isEmpty()
          && (rows + call.rows > maxBatchSize || bytes + call.bytes > MAX_BATCH_BYTES)) {
        break;
      }
      it.remove();
      batch.add(call);
      rows += call.rows;
      bytes += call.bytes;
    }
    group.rows -= rows;
    queued -= batch.size();
    if (group.calls.isEmpty()) {
      groups.remove(key);
    }
    return batch;
  }

  private void runBatch(List<Call> taken) {
    List<Call> batch = new ArrayList<>(taken.size());
    for (Call call : taken) {
      if (!call.result.isDone()) {
        batch.add(call);
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    runs.incrementAndGet();
    if (batch.size() == 1) {
      runAlone(batch.get(0));
      return;
    }
    List<Tensor> out;
    List<ByteBuffer> borrowed = new ArrayList<>();
    try {
      out = model.runChecked(join(batch, model.inputBuffers(), borrowed), batch.get(0).requested);
    } catch (InvalidRequestException e) {
      // Valid calls can make an invalid batch only through their values; find whose.
      for (Call call : batch) {
        runs.incrementAndGet();
        runAlone(call);
      }
      return;
    } catch (RuntimeException e) {
      for (Call call : batch) {
        call.result.completeExceptionally(failure(e));
      }
      return;
    } finally {
      // The run has ended and its tensors are closed: the joined inputs' buffers may serve again.
      borrowed.forEach(model.inputBuffers()::give);
    }
    long total = 0;
    for (Call call : batch) {
      total += call.rows;
    }
    for (Tensor output : out) {
      if (output.rank() == 0 || output.shape()[0] != total) {
        String message =
            "model '"
                + name()
                + "' version '"
                + version()
                + "' does not keep the batch dimension (output '"
                + Strings.printable(output.name())
                + "' has shape "
                + Arrays.toString(output.shape())
                + " for a batch of "
                + total
                + " rows); it cannot be served with batching";
        for (Call call : batch) {
          call.result.completeExceptionally(new IllegalStateException(message));
        }
        return;
      }
    }
    long offset = 0;
    for (Call call : batch) {
      List<Tensor> mine = new ArrayList<>(out.size());
      for (Tensor output : out) {
        mine.add(rows(output, offset, call.rows, total));
      }
      offset += call.rows;
      call.result.complete(mine);
    }
  }

  private void runAlone(Call call) {
    try {
      call.result.complete(model.runChecked(call.inputs, call.requested));
    } catch (RuntimeException e) {
      call.result.completeExceptionally(e);
    }
  }

  /** One exception per caller: an exception object is mutable and must not be shared. */
  private static RuntimeException failure(Throwable e) {
    if (e instanceof InvalidRequestException) {
      return new InvalidRequestException(String.valueOf(e.getMessage()), e);
    }
    if (e instanceof UnavailableException) {
      return new UnavailableException(String.valueOf(e.getMessage()), e);
    }
    if (e instanceof BulwarkException) {
      return new IllegalStateException("the batched run failed", e);
    }
    return new IllegalStateException(String.valueOf(e.getMessage()), e);
  }

  private static List<Tensor> join(
      List<Call> batch, DirectBuffers buffers, List<ByteBuffer> borrowed) {
    Call first = batch.get(0);
    long total = 0;
    for (Call call : batch) {
      total += call.rows;
    }
    List<Tensor> joined = new ArrayList<>(first.inputs.size());
    for (int i = 0; i < first.inputs.size(); i++) {
      Tensor head = first.inputs.get(i);
      long[] shape = head.shape();
      shape[0] = total;
      if (head.datatype() == DataType.BYTES) {
        List<byte[]> elements = new ArrayList<>();
        for (Call call : batch) {
          elements.addAll(call.inputs.get(i).bytesElements());
        }
        joined.add(Tensor.ofBytes(head.name(), shape, elements));
      } else {
        long size = 0;
        for (Call call : batch) {
          size += call.inputs.get(i).data().remaining();
        }
        // Direct and from the model's pool, so that ONNX Runtime reads it in place.
        ByteBuffer data = buffers.take(Math.toIntExact(size));
        borrowed.add(data);
        for (Call call : batch) {
          data.put(call.inputs.get(i).data());
        }
        data.flip();
        joined.add(Tensor.ofFixed(head.name(), head.datatype(), shape, data));
      }
    }
    return joined;
  }

  /** A copy of rows {@code [offset, offset + count)} of {@code output}, which has {@code total}. */
  private static Tensor rows(Tensor output, long offset, long count, long total) {
    long[] shape = output.shape();
    long perRow = output.elementCount() / total;
    shape[0] = count;
    int from = Math.toIntExact(offset * perRow);
    int to = Math.toIntExact((offset + count) * perRow);
    if (output.datatype() == DataType.BYTES) {
      return Tensor.ofBytes(
          output.name(), shape, new ArrayList<>(output.bytesElements().subList(from, to)));
    }
    int size = output.datatype().byteSize();
    byte[] copy = new byte[(to - from) * size];
    output.data().position(from * size).get(copy);
    return Tensor.ofFixed(output.name(), output.datatype(), shape, ByteBuffer.wrap(copy));
  }

  @Override
  public void close() {
    List<Call> abandoned = new ArrayList<>();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (Group group : groups.values()) {
        abandoned.addAll(group.calls);
      }
      groups.clear();
      queued = 0;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    for (Call call : abandoned) {
      call.result.completeExceptionally(noLongerLoaded());
    }
    try {
      model.close();
    } finally {
      onClose.accept(this);
    }
  }

  private UnavailableException noLongerLoaded() {
    return new UnavailableException(
        "model '" + name() + "' version '" + version() + "' is no longer loaded");
  }

  /** Calls waiting for a batch, for tests. */
  int queuedCalls() {
    lock.lock();
    try {
      return queued;
    } finally {
      lock.unlock();
    }
  }

  /** ONNX Runtime runs started by the dispatching thread, for tests. */
  long runs() {
    return runs.get();
  }

  boolean isClosed() {
    return model.isClosed();
  }

  @Override
  public String toString() {
    return "BatchingModel[" + name() + ", " + version() + ", max " + maxBatchSize + " rows]";
  }

  private record InputKey(String name, DataType datatype, List<Long> inner) {}

  private record BatchKey(List<InputKey> inputs, List<String> outputs) {}

  private static final class Group {
    final ArrayDeque<Call> calls = new ArrayDeque<>();
    long rows;

    void add(Call call) {
      calls.add(call);
      rows += call.rows;
    }

    long oldest() {
      Call head = calls.peekFirst();
      return head == null ? Long.MAX_VALUE : head.enqueued;
    }
  }

  private static final class Call {
    final BatchKey key;
    final List<Tensor> inputs;
    final Set<String> requested;
    final long rows;
    final long bytes;
    final long enqueued = System.nanoTime();
    final CompletableFuture<List<Tensor>> result = new CompletableFuture<>();

    Call(BatchKey key, List<Tensor> inputs, Set<String> requested, long rows, long bytes) {
      this.key = key;
      this.inputs = inputs;
      this.requested = new LinkedHashSet<>(requested);
      this.rows = rows;
      this.bytes = bytes;
    }
  }
}
