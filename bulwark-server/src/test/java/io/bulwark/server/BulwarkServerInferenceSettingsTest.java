package io.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.InferenceConfig;
import io.bulwark.core.InferenceConfig.GraphOptimization;
import io.bulwark.core.InferenceConfig.Session;
import io.bulwark.inference.Batching;
import io.bulwark.inference.InferenceSettings;
import io.bulwark.inference.ModelSettings;
import io.bulwark.inference.OnnxOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BulwarkServerInferenceSettingsTest {
  @Test
  void inferenceSettings_everyFieldCarriedToTheEngine() {
    InferenceConfig config =
        new InferenceConfig(
            new Session(3, 2, GraphOptimization.EXTENDED, false),
            Map.of(
                "minilm",
                new InferenceConfig.Model(new Session(1, 0, GraphOptimization.NONE, true), 8, 2000),
                "plain",
                InferenceConfig.Model.unbatched(Session.defaults())));

    InferenceSettings settings = BulwarkServer.inferenceSettings(config);

    assertThat(settings.defaults())
        .isEqualTo(new OnnxOptions(3, 2, OnnxOptions.GraphOptimization.EXTENDED, false));
    assertThat(settings.forModel("minilm"))
        .isEqualTo(
            new ModelSettings(
                new OnnxOptions(1, 0, OnnxOptions.GraphOptimization.NONE, true),
                new Batching(8, 2000)));
    assertThat(settings.forModel("plain")).isEqualTo(ModelSettings.of(OnnxOptions.defaults()));
    assertThat(settings.forModel("unnamed").batchingIfOn()).isEmpty();
  }

  @Test
  void inferenceSettings_limitsOfCoreAndEngineAgree() {
    // The configuration is checked against core's limits; the engine must accept all of them.
    Session most =
        new Session(
            InferenceConfig.MAX_THREADS, InferenceConfig.MAX_THREADS, GraphOptimization.ALL, true);
    InferenceConfig config =
        new InferenceConfig(
            most,
            Map.of(
                "m",
                new InferenceConfig.Model(
                    most, InferenceConfig.MAX_BATCH_SIZE, InferenceConfig.MAX_QUEUE_DELAY_MICROS)));

    assertThat(BulwarkServer.inferenceSettings(config).forModel("m").batchingIfOn()).isPresent();
    assertThat(InferenceConfig.MAX_THREADS).isEqualTo(OnnxOptions.MAX_THREADS);
  }
}
