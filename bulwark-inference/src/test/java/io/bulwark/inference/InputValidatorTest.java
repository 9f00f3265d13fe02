package io.bulwark.inference;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.LimitExceededException;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputValidatorTest {
  private static final ModelSignature SIGNATURE =
      new ModelSignature(
          List.of(
              new TensorSpec("a", DataType.FP32, List.of(-1L, 3L)),
              new TensorSpec("b", DataType.INT64, List.of(2L))),
          List.of(new TensorSpec("y", DataType.FP32, List.of(-1L, 3L))));

  private static Tensor fp32(String name, long... shape) {
    return Tensor.ofFixed(
        name, DataType.FP32, shape, ByteBuffer.allocate((int) Tensor.elementCount(shape) * 4));
  }

  private static Tensor int64(String name, long... shape) {
    return Tensor.ofFixed(
        name, DataType.INT64, shape, ByteBuffer.allocate((int) Tensor.elementCount(shape) * 8));
  }

  @Test
  void validate_matchingInputsInAnyOrder_passes() {
    assertThatCode(
            () -> InputValidator.validate(SIGNATURE, List.of(int64("b", 2), fp32("a", 5, 3)), 100))
        .doesNotThrowAnyException();
  }

  @Test
  void validate_missingInput_namesIt() {
    assertThatThrownBy(() -> InputValidator.validate(SIGNATURE, List.of(fp32("a", 1, 3)), 100))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("missing input 'b'");
  }

  @Test
  void validate_unexpectedInput_namesItAndTheModelsInputs() {
    List<Tensor> inputs = List.of(fp32("a", 1, 3), int64("b", 2), fp32("c", 1));

    assertThatThrownBy(() -> InputValidator.validate(SIGNATURE, inputs, 100))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("unexpected input 'c'; the model's inputs are 'a', 'b'");
  }

  @Test
  void validate_duplicateInput_namesIt() {
    List<Tensor> inputs = List.of(fp32("a", 1, 3), int64("b", 2), fp32("a", 1, 3));

    assertThatThrownBy(() -> InputValidator.validate(SIGNATURE, inputs, 100))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("duplicate input 'a'");
  }

  @Test
  void validate_wrongDatatype_namesBothTypes() {
    List<Tensor> inputs = List.of(int64("a", 1, 3), int64("b", 2));

    assertThatThrownBy(() -> InputValidator.validate(SIGNATURE, inputs, 100))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("input 'a' has datatype INT64, model expects FP32");
  }

  @Test
  void validate_wrongRank_showsDeclaredShapeWithDynamicDimensions() {
    List<Tensor> inputs = List.of(fp32("a", 3), int64("b", 2));

    assertThatThrownBy(() -> InputValidator.validate(SIGNATURE, inputs, 100))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("input 'a' has shape [3], model expects [-1, 3] (-1 is any size)");
  }

  @Test
  void validate_wrongFixedDimension_showsBothShapes() {
    List<Tensor> inputs = List.of(fp32("a", 2, 4), int64("b", 2));

    assertThatThrownBy(() -> InputValidator.validate(SIGNATURE, inputs, 100))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("input 'a' has shape [2, 4], model expects [-1, 3] (-1 is any size)");
  }

  @Test
  void validate_elementsAtLimit_passes() {
    // 3 * 3 + 2 = 11 elements
    List<Tensor> inputs = List.of(fp32("a", 3, 3), int64("b", 2));

    assertThatCode(() -> InputValidator.validate(SIGNATURE, inputs, 11)).doesNotThrowAnyException();
  }

  @Test
  void validate_elementsOneAboveLimit_throwsLimitExceeded() {
    List<Tensor> inputs = List.of(fp32("a", 3, 3), int64("b", 2));

    assertThatThrownBy(() -> InputValidator.validate(SIGNATURE, inputs, 10))
        .isInstanceOfSatisfying(
            LimitExceededException.class,
            e -> {
              org.assertj.core.api.Assertions.assertThat(e.limit())
                  .isEqualTo("limits.max_tensor_elements");
              org.assertj.core.api.Assertions.assertThat(e.max()).isEqualTo(10);
            })
        .hasMessage("input tensors exceeds the limit limits.max_tensor_elements = 10");
  }

  @Test
  void validate_emptyTensorWithHugeDimension_throwsLimitExceeded() {
    ModelSignature any =
        new ModelSignature(
            List.of(new TensorSpec("x", DataType.FP32, List.of(-1L, -1L))),
            List.of(new TensorSpec("y", DataType.FP32, List.of(-1L))));
    // [0, 11] holds no element, yet a reduction over axis 0 would output 11 of them.
    assertThatCode(() -> InputValidator.validate(any, List.of(fp32("x", 0, 10)), 10))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> InputValidator.validate(any, List.of(fp32("x", 0, 11)), 10))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageContaining("dimension 11 of input 'x'");
  }

  @Test
  void validate_controlCharactersInName_areNotEchoed() {
    List<Tensor> inputs = List.of(fp32("a", 1, 3), int64("b", 2), fp32("x\nforged log line", 1));

    assertThatThrownBy(() -> InputValidator.validate(SIGNATURE, inputs, 100))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("unexpected input 'x?forged log line'");
  }

  @Test
  void validate_manyModelInputs_listsOnlyTheFirstFew() {
    List<TensorSpec> specs =
        java.util.stream.IntStream.range(0, 20)
            .mapToObj(i -> new TensorSpec("in" + i, DataType.FP32, List.of(1L)))
            .toList();
    ModelSignature many = new ModelSignature(specs, specs);

    assertThatThrownBy(() -> InputValidator.validate(many, List.of(fp32("zzz", 1)), 100))
        .hasMessageEndingWith("'in6', 'in7' and 12 more");
  }

  @Test
  void validate_nonPositiveLimit_throwsIllegalArgument() {
    assertThatThrownBy(() -> InputValidator.validate(SIGNATURE, List.of(), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
