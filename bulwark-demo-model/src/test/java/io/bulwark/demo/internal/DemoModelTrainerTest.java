package io.bulwark.demo.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.demo.DemoModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

class DemoModelTrainerTest {

  @Test
  void build_twice_sameBytes() {
    DemoModelTrainer.Artifacts first = DemoModelTrainer.build();
    DemoModelTrainer.Artifacts second = DemoModelTrainer.build();

    assertThat(second.onnx().toByteArray()).isEqualTo(first.onnx().toByteArray());
    assertThat(second.properties()).isEqualTo(first.properties());
  }

  @Test
  void build_matchesShippedResources() throws IOException {
    DemoModelTrainer.Artifacts built = DemoModelTrainer.build();

    assertThat(DemoModel.onnxBytes()).isEqualTo(built.onnx().toByteArray());
    try (InputStream in = DemoModel.class.getResourceAsStream(DemoModelTrainer.METADATA_FILE)) {
      assertThat(in).isNotNull();
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo(built.properties());
    }
  }

  @Test
  void build_export_carriesNoProvenance() {
    DemoModelTrainer.Artifacts built = DemoModelTrainer.build();

    assertThat(built.onnx().getMetadataPropsList()).isEmpty();
    assertThat(built.onnx().getDocString()).doesNotContain("trained-at", "java-version");
  }

  @Test
  void generate_labelsAreBalancedEnoughToLearn() {
    MutableDataset<Label> data = DemoModelTrainer.generate(new Random(1), 3000, "test");

    Map<String, Long> counts =
        data.getData().stream()
            .map(Example::getOutput)
            .map(Label::getLabel)
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    assertThat(counts).containsOnlyKeys("low", "medium", "high");
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isGreaterThan(300L));
  }
}
