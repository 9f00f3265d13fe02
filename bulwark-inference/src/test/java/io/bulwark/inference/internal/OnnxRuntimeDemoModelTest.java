package io.bulwark.inference.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.bulwark.core.ModelNames;
import io.bulwark.demo.DemoModel;
import io.bulwark.inference.DataType;
import io.bulwark.inference.LoadedModel;
import io.bulwark.inference.OnnxOptions;
import io.bulwark.inference.Tensor;
import io.bulwark.inference.TensorSpec;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo model that {@code bulwark serve --demo} deploys runs on this engine as documented. */
class OnnxRuntimeDemoModelTest {
  private static OnnxRuntimeEngine engine;
  private static LoadedModel model;

  @BeforeAll
  static void load() throws Exception {
    engine = OnnxRuntimeEngine.create(OnnxOptions.defaults());
    model = engine.load(DemoModel.name(), DemoModel.version(), DemoModel.onnxBytes());
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  @Test
  void nameAndVersion_areValidForTheRegistry() {
    assertThat(ModelNames.isValidName(DemoModel.name())).isTrue();
    assertThat(ModelNames.isValidVersion(DemoModel.version())).isTrue();
  }

  @Test
  void signature_isOnePlainFp32TensorInAndOut() {
    assertThat(model.signature().inputs())
        .containsExactly(new TensorSpec(DemoModel.inputName(), DataType.FP32, List.of(-1L, 4L)));
    assertThat(model.signature().outputs())
        .containsExactly(new TensorSpec(DemoModel.outputName(), DataType.FP32, List.of(-1L, 3L)));
    assertThat(DataType.fromWireName(DemoModel.inputDatatype())).contains(DataType.FP32);
    assertThat(DataType.fromWireName(DemoModel.outputDatatype())).contains(DataType.FP32);
  }

  @Test
  void sampleInput_classifiedAsSampleLabelWithTheTrainersScores() {
    Tensor input =
        Fixtures.fp32(DemoModel.inputName(), DemoModel.sampleShape(), DemoModel.sampleInput());

    List<Tensor> out = model.infer(List.of(input), Set.of());

    assertThat(out).hasSize(1);
    assertThat(out.get(0).shape()).containsExactly(1, DemoModel.labels().size());
    float[] scores = Fixtures.floats(out.get(0));
    int best = 0;
    for (int i = 1; i < scores.length; i++) {
      if (scores[i] > scores[best]) {
        best = i;
      }
    }
    assertThat(DemoModel.labels().get(best)).isEqualTo(DemoModel.sampleLabel());
    assertThat(scores[best]).isGreaterThan(0.9f);
    float[] expected = DemoModel.sampleScores();
    for (int i = 0; i < scores.length; i++) {
      assertThat(scores[i]).isCloseTo(expected[i], within(1e-5f));
    }
  }

  @Test
  void batch_eachRowIsAProbabilityDistribution() {
    float[] sample = DemoModel.sampleInput();
    float[] rows = new float[sample.length * 3];
    for (int r = 0; r < 3; r++) {
      System.arraycopy(sample, 0, rows, r * sample.length, sample.length);
    }
    // A second applicant with a high income, no debt, an old account and no late payments.
    List<String> features = DemoModel.featureNames();
    int row = sample.length;
    rows[row + features.indexOf("income")] = 140f;
    rows[row + features.indexOf("debt_ratio")] = 0.05f;
    rows[row + features.indexOf("account_age")] = 25f;
    rows[row + features.indexOf("late_payments")] = 0f;

    Tensor out =
        model
            .infer(
                List.of(Fixtures.fp32(DemoModel.inputName(), new long[] {3, sample.length}, rows)),
                Set.of(DemoModel.outputName()))
            .get(0);

    float[] scores = Fixtures.floats(out);
    int labels = DemoModel.labels().size();
    for (int r = 0; r < 3; r++) {
      float sum = 0;
      for (int i = 0; i < labels; i++) {
        sum += scores[r * labels + i];
      }
      assertThat(sum).isCloseTo(1f, within(1e-5f));
    }
    assertThat(scores[labels + DemoModel.labels().indexOf("low")]).isGreaterThan(0.9f);
  }
}
