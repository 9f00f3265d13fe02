package io.bulwark.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchingTest {
  @Test
  void new_batchSizeAtTheLimits_accepted() {
    assertThat(new Batching(Batching.MIN_BATCH_SIZE, 0).maxBatchSize()).isEqualTo(2);
    assertThat(new Batching(Batching.MAX_BATCH_SIZE, 0).maxQueuedCalls())
        .isEqualTo(Batching.MAX_BATCH_SIZE * Batching.QUEUED_BATCHES);
  }

  @Test
  void new_batchSizeOutsideTheLimits_throws() {
    assertThatThrownBy(() -> new Batching(Batching.MIN_BATCH_SIZE - 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBatchSize");
    assertThatThrownBy(() -> new Batching(Batching.MAX_BATCH_SIZE + 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBatchSize");
  }

  @Test
  void new_delayAtTheLimits_accepted() {
    assertThat(new Batching(2, Batching.MAX_QUEUE_DELAY_MICROS).maxQueueDelayMicros())
        .isEqualTo(100_000);
  }

  @Test
  void new_delayOutsideTheLimits_throws() {
    assertThatThrownBy(() -> new Batching(2, Batching.MAX_QUEUE_DELAY_MICROS + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxQueueDelayMicros");
    assertThatThrownBy(() -> new Batching(2, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxQueueDelayMicros");
  }

  @Test
  void forModel_namedAndUnnamed_returnTheirSettings() {
    OnnxOptions one = OnnxOptions.builder().intraOpThreads(1).build();
    ModelSettings named = new ModelSettings(one, new Batching(8, 2000));
    InferenceSettings settings =
        new InferenceSettings(OnnxOptions.defaults(), Map.of("minilm", named));

    assertThat(settings.forModel("minilm")).isEqualTo(named);
    assertThat(settings.forModel("other").onnx()).isEqualTo(OnnxOptions.defaults());
    assertThat(settings.forModel("other").batchingIfOn()).isEmpty();
  }

  @Test
  void new_invalidModelName_throws() {
    assertThatThrownBy(
            () ->
                new InferenceSettings(
                    OnnxOptions.defaults(),
                    Map.of("../x", ModelSettings.of(OnnxOptions.defaults()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a valid model name");
  }
}
