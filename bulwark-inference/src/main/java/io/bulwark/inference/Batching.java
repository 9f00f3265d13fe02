package io.bulwark.inference;

import io.bulwark.core.InferenceConfig;

/**
 * Dynamic batching of one model, after Triton's {@code dynamic_batching}: concurrent calls whose
 * inputs differ only in their first dimension are joined along it into one ONNX Runtime run, and
 * each caller receives its own rows of every output.
 *
 * <p>A batch is run as soon as it holds {@code maxBatchSize} rows, or once its oldest call has
 * waited {@code maxQueueDelayMicros}; a call alone in the queue therefore waits at most that long.
 * At most {@link #QUEUED_BATCHES} full batches of calls may wait at once; a call beyond that is
 * refused with {@link io.bulwark.core.UnavailableException}, as an overloaded server refuses it.
 *
 * <p>Batching is correct only for models that compute each row of the first dimension from the same
 * row of the inputs alone (as classifiers and encoders do); the engine checks that every input and
 * output has a dynamic first dimension and that each run returns as many rows as it was given, but
 * it cannot see whether rows influence one another.
 *
 * @param maxBatchSize the most rows (sum of the first dimensions) one run may hold, {@value
 *     #MIN_BATCH_SIZE} to {@value #MAX_BATCH_SIZE}
 * @param maxQueueDelayMicros how long the oldest call of a batch may wait for others, 0 to {@value
 *     #MAX_QUEUE_DELAY_MICROS} microseconds
 */
public record Batching(int maxBatchSize, long maxQueueDelayMicros) {
  public static final int MIN_BATCH_SIZE = InferenceConfig.MIN_BATCH_SIZE;
  public static final int MAX_BATCH_SIZE = InferenceConfig.MAX_BATCH_SIZE;
  public static final long MAX_QUEUE_DELAY_MICROS = InferenceConfig.MAX_QUEUE_DELAY_MICROS;

  /** How many full batches of calls may wait at once before further calls are refused. */
  public static final int QUEUED_BATCHES = 16;

  public Batching {
    if (maxBatchSize < MIN_BATCH_SIZE || maxBatchSize > MAX_BATCH_SIZE) {
      throw new IllegalArgumentException(
          "maxBatchSize must be between "
              + MIN_BATCH_SIZE
              + " and "
              + MAX_BATCH_SIZE
              + ", was "
              + maxBatchSize);
    }
    if (maxQueueDelayMicros < 0 || maxQueueDelayMicros > MAX_QUEUE_DELAY_MICROS) {
      throw new IllegalArgumentException(
          "maxQueueDelayMicros must be between 0 and "
              + MAX_QUEUE_DELAY_MICROS
              + ", was "
              + maxQueueDelayMicros);
    }
  }

  /** The most calls that may wait for a batch at once. */
  public int maxQueuedCalls() {
    return maxBatchSize * QUEUED_BATCHES;
  }
}
