package io.bulwark.inference.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.inference.DataType;
import io.bulwark.inference.LoadedModel;
import io.bulwark.inference.ModelLoadException;
import io.bulwark.inference.OnnxOptions;
import io.bulwark.inference.Tensor;
import io.bulwark.inference.TensorSpec;
import io.bulwark.testing.OnnxElementType;
import io.bulwark.testing.OnnxModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OnnxRuntimeEngineTest {
  private static OnnxRuntimeEngine engine;

  @BeforeAll
  static void createEngine() {
    engine = OnnxRuntimeEngine.create(OnnxOptions.defaults());
  }

  @AfterAll
  static void closeEngine() {
    engine.close();
  }

  static OnnxElementType onnxType(DataType type) {
    return switch (type) {
      case BOOL -> OnnxElementType.BOOL;
      case UINT8 -> OnnxElementType.UINT8;
      case UINT16 -> OnnxElementType.UINT16;
      case UINT32 -> OnnxElementType.UINT32;
      case UINT64 -> OnnxElementType.UINT64;
      case INT8 -> OnnxElementType.INT8;
      case INT16 -> OnnxElementType.INT16;
      case INT32 -> OnnxElementType.INT32;
      case INT64 -> OnnxElementType.INT64;
      case FP16 -> OnnxElementType.FLOAT16;
      case FP32 -> OnnxElementType.FLOAT;
      case FP64 -> OnnxElementType.DOUBLE;
      case BF16 -> OnnxElementType.BFLOAT16;
      case BYTES -> OnnxElementType.STRING;
    };
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"UINT16", "UINT32", "UINT64"},
      mode = EnumSource.Mode.EXCLUDE)
  void load_identityOfEachSupportedType_mapsTypeAndDynamicShape(DataType type) throws Exception {
    try (LoadedModel model =
        engine.load("identity", "1", OnnxModels.identity(onnxType(type), OnnxModels.DYNAMIC, 3))) {
      assertThat(model.signature().inputs())
          .containsExactly(new TensorSpec("x", type, List.of(-1L, 3L)));
      assertThat(model.signature().outputs())
          .containsExactly(new TensorSpec("y", type, List.of(-1L, 3L)));
      assertThat(model.name()).isEqualTo("identity");
      assertThat(model.version()).isEqualTo("1");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"UINT16", "UINT32", "UINT64"})
  void load_unsignedWiderThanByte_refusedNamingInput(DataType type) {
    assertThatThrownBy(() -> engine.load("unsigned", "1", OnnxModels.identity(onnxType(type), 2)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith(
            "input 'x' has element type " + type.name().toLowerCase(Locale.ROOT))
        .hasMessageContaining("cannot");
  }

  @Test
  void load_uint32Fixture_refused() {
    assertThatThrownBy(() -> engine.load("unsigned", "1", OnnxModels.uint32Input()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(
            "input 'x' has element type uint32, which ONNX Runtime's Java API cannot handle;"
                + " Bulwark cannot serve this model");
  }

  @Test
  void load_garbage_notAValidModel() {
    byte[] garbage = "this is not an ONNX model".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> engine.load("garbage", "1", garbage))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("not a valid ONNX model");
  }

  @Test
  void load_truncatedModel_notAValidModel() {
    byte[] model = OnnxModels.addAndSubtract();

    assertThatThrownBy(() -> engine.load("truncated", "1", Arrays.copyOf(model, model.length - 10)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("not a valid ONNX model");
  }

  @Test
  void load_empty_notAValidModel() {
    assertThatThrownBy(() -> engine.load("empty", "1", new byte[0]))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith("not a valid ONNX model");
  }

  @Test
  void load_failure_keepsOnnxRuntimeDetailOnlyInCause() {
    assertThatThrownBy(() -> engine.load("garbage", "1", new byte[] {1, 2, 3, 4, 5}))
        .isInstanceOfSatisfying(
            ModelLoadException.class,
            e -> {
              assertThat(e.getMessage()).doesNotContain("ORT", "onnxruntime", "\n");
              assertThat(e.getCause()).isNotNull();
            });
  }

  @Test
  void load_externalDataPathTraversal_refused() {
    assertThatThrownBy(() -> engine.load("traversal", "1", OnnxModels.externalDataPathTraversal()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("external data");
  }

  @Test
  void load_externalDataAbsolutePath_refused() {
    assertThatThrownBy(() -> engine.load("absolute", "1", OnnxModels.externalData("/etc/passwd")))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("external data");
  }

  /**
   * Regression: ONNX Runtime 1.29, given a model from memory, reads an external-data location
   * relative to the working directory when graph optimizations are off, and the weights then carry
   * the file's bytes into every inference result.
   */
  @ParameterizedTest
  @EnumSource(OnnxOptions.GraphOptimization.class)
  void load_externalDataInsideWorkingDirectory_neverReadsTheFile(
      OnnxOptions.GraphOptimization level) throws Exception {
    // The location must stay inside the working directory: ONNX Runtime refuses ones that leave it.
    Path cwd = Path.of("").toAbsolutePath();
    Path dir = Files.createTempDirectory(cwd, "external-data-test-");
    Path secret = dir.resolve("secret.bin");
    Files.write(secret, "SECRET-0123456789-SECRET".getBytes(StandardCharsets.US_ASCII));
    String location = cwd.relativize(secret).toString();
    try (OnnxRuntimeEngine unoptimized =
        OnnxRuntimeEngine.create(OnnxOptions.builder().graphOptimization(level).build())) {
      for (byte[] model :
          List.of(OnnxModels.externalData(location), OnnxModels.externalDataInConstant(location))) {
        assertThatThrownBy(() -> unoptimized.load("inside", "1", model))
            .isInstanceOf(ModelLoadException.class)
            .hasMessageContaining("external data")
            .hasMessageNotContaining("SECRET");
      }
    } finally {
      Files.delete(secret);
      Files.delete(dir);
    }
  }

  @Test
  void load_customOperator_refused() {
    assertThatThrownBy(() -> engine.load("custom", "1", OnnxModels.customOperator()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("operator")
        .hasMessageContaining("custom operator libraries");
  }

  @Test
  void load_sequenceInput_refusedNamingInput() {
    assertThatThrownBy(() -> engine.load("seq", "1", OnnxModels.sequenceInput()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith("input 'seq' is a sequence, not a tensor");
  }

  @Test
  void load_onlyNonTensorOutputs_refused() {
    assertThatThrownBy(() -> engine.load("seq", "1", OnnxModels.sequenceOutputOnly()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith("the model has no tensor output");
  }

  @Test
  void load_zipMapOutput_leavesItOutOfSignature() throws Exception {
    try (LoadedModel model = engine.load("zipmap", "1", OnnxModels.zipMapOutput())) {
      assertThat(model.signature().outputs())
          .containsExactly(new TensorSpec("label_scores", DataType.FP32, List.of(-1L, 2L)));

      Tensor probabilities = Fixtures.fp32("probabilities", new long[] {1, 2}, 0.25f, 0.75f);
      List<Tensor> all = model.infer(List.of(probabilities), Set.of());
      assertThat(all).extracting(Tensor::name).containsExactly("label_scores");
      assertThat(Fixtures.floats(all.get(0))).containsExactly(0.25f, 0.75f);
      assertThatThrownBy(() -> model.infer(List.of(probabilities), Set.of("zipmap")))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage("unknown output 'zipmap'");
    }
  }

  @Test
  void load_invalidName_rejectedBeforeOnnxRuntime() {
    assertThatThrownBy(() -> engine.load("../evil", "1", OnnxModels.addAndSubtract()))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void load_eachOptimizationLevelAndThreadSetting_loadsAndRuns() throws Exception {
    for (OnnxOptions.GraphOptimization level : OnnxOptions.GraphOptimization.values()) {
      OnnxOptions options =
          new OnnxOptions(1, 2, level, level != OnnxOptions.GraphOptimization.ALL);
      try (OnnxRuntimeEngine custom = OnnxRuntimeEngine.create(options);
          LoadedModel model = custom.load("add", "1", OnnxModels.addAndSubtract())) {
        List<Tensor> out =
            model.infer(
                List.of(
                    Fixtures.fp32("a", new long[] {1, 3}, 1, 2, 3),
                    Fixtures.fp32("b", new long[] {1, 3}, 10, 20, 30)),
                Set.of("sum"));
        assertThat(Fixtures.floats(out.get(0))).containsExactly(11, 22, 33);
      }
    }
  }

  @Test
  void close_closesOpenModels() throws Exception {
    OnnxRuntimeEngine own = OnnxRuntimeEngine.create(OnnxOptions.defaults());
    LoadedModel model = own.load("add", "1", OnnxModels.addAndSubtract());
    assertThat(own.openModels()).isEqualTo(1);

    own.close();

    assertThat(own.openModels()).isZero();
    assertThat(((OnnxRuntimeModel) model).isClosed()).isTrue();
    assertThatThrownBy(() -> own.load("add", "1", OnnxModels.addAndSubtract()))
        .isInstanceOf(IllegalStateException.class);
  }
}
