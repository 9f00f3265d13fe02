package io.bulwark.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.cli.Bulwark;
import io.bulwark.core.BulwarkConfig;
import io.bulwark.core.InferenceConfig;
import io.bulwark.core.InferenceConfig.GraphOptimization;
import io.bulwark.core.InferenceConfig.Session;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeConfigurationInferenceTest {
  @TempDir Path dir;

  private BulwarkConfig resolve(String json) throws Exception {
    Path file = Files.writeString(dir.resolve("bulwark.json"), json, StandardCharsets.UTF_8);
    return ServeConfiguration.resolve(new ServeConfiguration.Flags(file, null, null, null));
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertUsageError(String json) {
    return assertThatThrownBy(() -> resolve(json))
        .isInstanceOfSatisfying(
            CliException.class, e -> assertThat(e.exitCode()).isEqualTo(Bulwark.EXIT_USAGE));
  }

  private static String model(String fields) {
    return "{\"inference\": {\"models\": {\"minilm\": {" + fields + "}}}}";
  }

  @Test
  void resolve_noInferenceSection_defaultsWithoutBatching() throws Exception {
    BulwarkConfig config = resolve("{}");

    assertThat(config.inference()).isEqualTo(InferenceConfig.defaults());
  }

  @Test
  void resolve_fullInferenceSection_setsEveryField() throws Exception {
    BulwarkConfig config =
        resolve(
            """
            {"inference": {
               "onnx": {"intra_op_threads": 4, "inter_op_threads": 2,
                        "graph_optimization": "basic", "memory_arena": false},
               "models": {
                 "minilm": {"intra_op_threads": 2,
                            "batching": {"max_batch_size": 8, "max_queue_delay_us": 2000}},
                 "risk.scorer": {"graph_optimization": "none"}}}}
            """);

    Session defaults = new Session(4, 2, GraphOptimization.BASIC, false);
    assertThat(config.inference().onnx()).isEqualTo(defaults);
    // A model's session options start from inference.onnx and override only what they name.
    assertThat(config.inference().models().get("minilm"))
        .isEqualTo(
            new InferenceConfig.Model(new Session(2, 2, GraphOptimization.BASIC, false), 8, 2000));
    assertThat(config.inference().models().get("risk.scorer"))
        .isEqualTo(
            InferenceConfig.Model.unbatched(new Session(4, 2, GraphOptimization.NONE, false)));
  }

  @Test
  void resolve_batchingWithoutDelay_delayIsZero() throws Exception {
    BulwarkConfig config = resolve(model("\"batching\": {\"max_batch_size\": 4}"));

    assertThat(config.inference().models().get("minilm").maxQueueDelayMicros()).isZero();
    assertThat(config.inference().models().get("minilm").batching()).isTrue();
  }

  @Test
  void resolve_unknownInferenceField_namesIt() {
    assertUsageError("{\"inference\": {\"onnx\": {\"intra_threads\": 1}}}")
        .hasMessageContaining("unknown field")
        .hasMessageContaining("intra_threads")
        .hasMessageContaining("intra_op_threads");
  }

  @Test
  void resolve_unknownBatchingField_namesIt() {
    assertUsageError(model("\"batching\": {\"max_batch_size\": 4, \"preferred_batch_size\": [4]}"))
        .hasMessageContaining("unknown field")
        .hasMessageContaining("preferred_batch_size");
  }

  @Test
  void resolve_batchSizeAtTheLimits_accepted() throws Exception {
    assertThat(
            resolve(model("\"batching\": {\"max_batch_size\": 2}"))
                .inference()
                .models()
                .get("minilm")
                .maxBatchSize())
        .isEqualTo(2);
    assertThat(
            resolve(model("\"batching\": {\"max_batch_size\": 1024}"))
                .inference()
                .models()
                .get("minilm")
                .maxBatchSize())
        .isEqualTo(1024);
  }

  @Test
  void resolve_batchSizeOutsideTheLimits_namesField() {
    assertUsageError(model("\"batching\": {\"max_batch_size\": 1}"))
        .hasMessageContaining("inference.models.minilm.batching.max_batch_size must be 2-1024");
    assertUsageError(model("\"batching\": {\"max_batch_size\": 1025}"))
        .hasMessageContaining("inference.models.minilm.batching.max_batch_size must be 2-1024");
  }

  @Test
  void resolve_delayAtTheLimit_accepted() throws Exception {
    assertThat(
            resolve(model("\"batching\": {\"max_batch_size\": 2, \"max_queue_delay_us\": 100000}"))
                .inference()
                .models()
                .get("minilm")
                .maxQueueDelayMicros())
        .isEqualTo(100_000);
  }

  @Test
  void resolve_delayAboveTheLimit_namesField() {
    assertUsageError(model("\"batching\": {\"max_batch_size\": 2, \"max_queue_delay_us\": 100001}"))
        .hasMessageContaining(
            "inference.models.minilm.batching.max_queue_delay_us must be 0-100000, was 100001");
  }

  @Test
  void resolve_batchingWithoutBatchSize_namesField() {
    assertUsageError(model("\"batching\": {\"max_queue_delay_us\": 100}"))
        .hasMessageContaining("inference.models.minilm.batching.max_batch_size is required");
  }

  @Test
  void resolve_threadsAtAndAboveTheLimit() throws Exception {
    assertThat(
            resolve("{\"inference\": {\"onnx\": {\"intra_op_threads\": 1024}}}")
                .inference()
                .onnx()
                .intraOpThreads())
        .isEqualTo(1024);
    assertUsageError("{\"inference\": {\"onnx\": {\"inter_op_threads\": 1025}}}")
        .hasMessageContaining("inference.onnx.inter_op_threads must be 0-1024, was 1025");
    assertUsageError(model("\"intra_op_threads\": -1"))
        .hasMessageContaining("inference.models.minilm.intra_op_threads must be 0-1024");
  }

  @Test
  void resolve_unknownGraphOptimization_namesFieldAndChoices() {
    assertUsageError("{\"inference\": {\"onnx\": {\"graph_optimization\": \"ALL\"}}}")
        .hasMessageContaining("inference.onnx.graph_optimization must be one of none, basic");
  }

  @Test
  void resolve_invalidModelName_namesIt() {
    assertUsageError("{\"inference\": {\"models\": {\"../etc\": {}}}}")
        .hasMessageContaining("'../etc' is not a valid model name");
  }

  @Test
  void resolve_stringWhereBooleanBelongs_namesField() {
    assertUsageError("{\"inference\": {\"onnx\": {\"memory_arena\": \"true\"}}}")
        .hasMessageContaining("memory_arena");
  }
}
