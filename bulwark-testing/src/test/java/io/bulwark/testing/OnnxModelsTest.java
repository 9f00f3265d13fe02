package io.bulwark.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OnnxModelsTest {

  @ParameterizedTest
  @EnumSource(OnnxElementType.class)
  void identity_anyType_declaresTypeAndShape(OnnxElementType type) throws Exception {
    ModelProto model = ModelProto.parseFrom(OnnxModels.identity(type, OnnxModels.DYNAMIC, 3));

    ValueInfoProto input = model.getGraph().getInput(0);
    assertThat(input.getName()).isEqualTo("x");
    assertThat(input.getType().getTensorType().getElemType()).isEqualTo(type.code());
    List<TensorShapeProto.Dimension> dims = input.getType().getTensorType().getShape().getDimList();
    assertThat(dims).hasSize(2);
    assertThat(dims.get(0).getDimParam()).isEqualTo("dim0");
    assertThat(dims.get(1).getDimValue()).isEqualTo(3);
    assertThat(model.getGraph().getOutput(0).getName()).isEqualTo("y");
    assertThat(model.getGraph().getNode(0).getOpType()).isEqualTo("Identity");
  }

  @Test
  void identity_noDimensions_isScalar() throws Exception {
    ModelProto model = ModelProto.parseFrom(OnnxModels.identity(OnnxElementType.INT64));

    ValueInfoProto input = model.getGraph().getInput(0);
    assertThat(input.getType().getTensorType().hasShape()).isTrue();
    assertThat(input.getType().getTensorType().getShape().getDimCount()).isZero();
  }

  @Test
  void identity_invalidDimension_throws() {
    assertThatThrownBy(() -> OnnxModels.identity(OnnxElementType.FLOAT, -2))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void identity_sameArguments_sameBytes() {
    assertThat(OnnxModels.identity(OnnxElementType.FLOAT16, 2))
        .isEqualTo(OnnxModels.identity(OnnxElementType.FLOAT16, 2));
  }

  @Test
  void addAndSubtract_hasTwoInputsAndTwoOutputs() throws Exception {
    ModelProto model = ModelProto.parseFrom(OnnxModels.addAndSubtract());

    assertThat(model.getGraph().getInputList())
        .extracting(ValueInfoProto::getName)
        .containsExactly("a", "b");
    assertThat(model.getGraph().getOutputList())
        .extracting(ValueInfoProto::getName)
        .containsExactly("sum", "difference");
  }

  @Test
  void externalDataPathTraversal_initializerPointsOutside() throws Exception {
    ModelProto model = ModelProto.parseFrom(OnnxModels.externalDataPathTraversal());

    TensorProto w = model.getGraph().getInitializer(0);
    assertThat(w.getDataLocation()).isEqualTo(TensorProto.DataLocation.EXTERNAL);
    assertThat(w.getExternalDataList())
        .anySatisfy(
            e -> {
              assertThat(e.getKey()).isEqualTo("location");
              assertThat(e.getValue()).isEqualTo("../../etc/passwd");
            });
    assertThat(w.hasRawData()).isFalse();
  }

  @Test
  void uint32Input_declaresUint32() throws Exception {
    ModelProto model = ModelProto.parseFrom(OnnxModels.uint32Input());

    assertThat(model.getGraph().getInput(0).getType().getTensorType().getElemType()).isEqualTo(12);
  }

  @Test
  void zipMapOutput_secondOutputIsSequenceOfMaps() throws Exception {
    ModelProto model = ModelProto.parseFrom(OnnxModels.zipMapOutput());

    assertThat(model.getGraph().getOutput(0).getType().hasTensorType()).isTrue();
    assertThat(model.getGraph().getOutput(1).getType().getSequenceType().getElemType().hasMapType())
        .isTrue();
    assertThat(model.getOpsetImportList()).anyMatch(o -> o.getDomain().equals("ai.onnx.ml"));
  }

  @Test
  void sequenceInput_inputIsSequence() throws Exception {
    ModelProto model = ModelProto.parseFrom(OnnxModels.sequenceInput());

    assertThat(model.getGraph().getInput(0).getType().hasSequenceType()).isTrue();
  }

  @Test
  void sequenceOutputOnly_onlyOutputIsSequence() throws Exception {
    ModelProto model = ModelProto.parseFrom(OnnxModels.sequenceOutputOnly());

    assertThat(model.getGraph().getOutputList()).hasSize(1);
    assertThat(model.getGraph().getOutput(0).getType().hasSequenceType()).isTrue();
  }

  @Test
  void customOperator_importsForeignDomain() throws Exception {
    ModelProto model = ModelProto.parseFrom(OnnxModels.customOperator());

    assertThat(model.getGraph().getNode(0).getDomain()).isEqualTo("com.example.evil");
    assertThat(model.getOpsetImportList()).anyMatch(o -> o.getDomain().equals("com.example.evil"));
  }
}
