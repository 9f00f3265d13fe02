package io.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DemoModelTest {

  @Test
  void onnxBytes_fromResources_isFreshCopy() {
    byte[] first = DemoModel.onnxBytes();
    first[0] ^= 1;

    assertThat(DemoModel.onnxBytes()).isNotEqualTo(first).hasSameSizeAs(first);
  }

  @Test
  void nameAndVersion_areTheDemoDeployment() {
    assertThat(DemoModel.name()).isEqualTo("credit-risk");
    assertThat(DemoModel.version()).isEqualTo("1");
  }

  @Test
  void signature_isOneFp32BatchInAndOneFp32BatchOut() {
    assertThat(DemoModel.inputName()).isEqualTo("input");
    assertThat(DemoModel.inputDatatype()).isEqualTo("FP32");
    assertThat(DemoModel.inputShape()).containsExactly(-1, 4);
    assertThat(DemoModel.outputName()).isEqualTo("output");
    assertThat(DemoModel.outputDatatype()).isEqualTo("FP32");
    assertThat(DemoModel.outputShape()).containsExactly(-1, 3);
  }

  @Test
  void featuresAndLabels_matchTheShapes() {
    assertThat(DemoModel.featureNames())
        .containsExactlyInAnyOrder("income", "debt_ratio", "account_age", "late_payments");
    assertThat(DemoModel.labels()).containsExactlyInAnyOrder("low", "medium", "high");
    assertThat(DemoModel.sampleShape()).containsExactly(1, DemoModel.featureNames().size());
    assertThat(DemoModel.sampleInput()).hasSize(DemoModel.featureNames().size());
  }

  @Test
  void sampleScores_favourTheSampleLabelConfidently() {
    List<String> labels = DemoModel.labels();
    float[] scores = DemoModel.sampleScores();

    assertThat(DemoModel.sampleLabel()).isEqualTo("high");
    assertThat(scores[labels.indexOf(DemoModel.sampleLabel())]).isGreaterThan(0.9f);
  }

  @Test
  void sampleInput_isFreshCopy() {
    float[] sample = DemoModel.sampleInput();
    sample[0] = -1;

    assertThat(DemoModel.sampleInput()[0]).isNotEqualTo(-1);
  }
}
