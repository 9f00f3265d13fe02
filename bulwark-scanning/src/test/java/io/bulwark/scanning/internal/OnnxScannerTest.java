package io.bulwark.scanning.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.bulwark.scanning.Finding;
import io.bulwark.scanning.ScanLimits;
import io.bulwark.testing.OnnxElementType;
import io.bulwark.testing.OnnxModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxScannerTest {
  private static final ScanLimits LIMITS = ScanLimits.defaults();
  private final OnnxScanner scanner = new OnnxScanner();

  @TempDir Path dir;

  private List<String> rules(byte[] model) throws IOException {
    return rules(model, dir, LIMITS);
  }

  private List<String> rules(byte[] model, @Nullable Path root, ScanLimits limits)
      throws IOException {
    return scanner.scanModel(model, root, "model.onnx", limits).findings().stream()
        .map(Finding::rule)
        .toList();
  }

  private static ScanLimits limits(long fileBytes, int nodes, int initializers) {
    return new ScanLimits(fileBytes, 10, nodes, initializers, 10, 10, 10);
  }

  private void weights(String name, int size) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.write(file, new byte[size]);
  }

  @Test
  void scanModel_identity_noFindings() throws IOException {
    assertThat(rules(OnnxModels.identity(OnnxElementType.FLOAT, 2))).isEmpty();
  }

  @Test
  void scanModel_mlDomain_noFindings() throws IOException {
    assertThat(rules(OnnxModels.zipMapOutput())).isEmpty();
  }

  @Test
  void scanModel_externalDataInsidePackage_acceptedAndReported() throws IOException {
    weights("weights.bin", 16);
    OnnxScanner.Result result =
        scanner.scanModel(OnnxModels.externalData("weights.bin"), dir, "model.onnx", LIMITS);
    assertThat(result.findings()).isEmpty();
    assertThat(result.externalDataFiles())
        .containsExactly(dir.toAbsolutePath().normalize().resolve("weights.bin"));
  }

  @Test
  void scanModel_externalDataInSubdirectory_accepted() throws IOException {
    weights("data/weights.bin", 16);
    assertThat(rules(OnnxModels.externalData("data/weights.bin"))).isEmpty();
  }

  @Test
  void scanModel_pathTraversal_traversal() throws IOException {
    assertThat(rules(OnnxModels.externalDataPathTraversal()))
        .containsExactly("onnx.external-data.traversal");
  }

  @Test
  void scanModel_nestedTraversalThatStaysInside_traversal() throws IOException {
    weights("sub/x", 1);
    weights("weights.bin", 16);
    assertThat(rules(OnnxModels.externalData("sub/../weights.bin")))
        .containsExactly("onnx.external-data.traversal");
  }

  @Test
  void scanModel_absoluteLocations_absolute() throws IOException {
    for (String location : List.of("/etc/passwd", "C:/Windows/win.ini", "c:x")) {
      assertThat(rules(OnnxModels.externalData(location)))
          .as(location)
          .containsExactly("onnx.external-data.absolute");
    }
  }

  @Test
  void scanModel_backslashNulOrEmpty_invalid() throws IOException {
    for (String location : List.of("..\\..\\etc\\passwd", "w\0.bin", "", "file:weights")) {
      assertThat(rules(OnnxModels.externalData(location)))
          .as(location)
          .containsExactly("onnx.external-data.invalid");
    }
  }

  @Test
  void scanModel_missingFile_missing() throws IOException {
    assertThat(rules(OnnxModels.externalData("weights.bin")))
        .containsExactly("onnx.external-data.missing");
  }

  @Test
  void scanModel_locationIsDirectory_notRegular() throws IOException {
    Files.createDirectory(dir.resolve("data"));
    assertThat(rules(OnnxModels.externalData("data")))
        .containsExactly("onnx.external-data.not-regular");
  }

  @Test
  void scanModel_symlinkToOutside_symlink(@TempDir Path outside) throws IOException {
    Path secret = Files.write(outside.resolve("secret"), new byte[16]);
    Files.createSymbolicLink(dir.resolve("weights.bin"), secret);
    assertThat(rules(OnnxModels.externalData("weights.bin")))
        .containsExactly("onnx.external-data.symlink");
  }

  @Test
  void scanModel_symlinkedDirectoryOnPath_symlink(@TempDir Path outside) throws IOException {
    Files.write(outside.resolve("weights.bin"), new byte[16]);
    Files.createSymbolicLink(dir.resolve("data"), outside);
    assertThat(rules(OnnxModels.externalData("data/weights.bin")))
        .containsExactly("onnx.external-data.symlink");
  }

  @Test
  void scanModel_hardLink_hardlink(@TempDir Path outside) throws IOException {
    Path secret = Files.write(outside.resolve("secret"), new byte[16]);
    Files.createLink(dir.resolve("weights.bin"), secret);
    assertThat(rules(OnnxModels.externalData("weights.bin")))
        .containsExactly("onnx.external-data.hardlink");
  }

  @Test
  void scanModel_readBeyondFileEnd_range() throws IOException {
    weights("weights.bin", 15);
    assertThat(rules(OnnxModels.externalData("weights.bin")))
        .containsExactly("onnx.external-data.range");
  }

  @Test
  void scanModel_noPackage_noPackage() throws IOException {
    weights("weights.bin", 16);
    assertThat(rules(OnnxModels.externalData("weights.bin"), null, LIMITS))
        .containsExactly("onnx.external-data.no-package");
  }

  @Test
  void scanModel_traversalInConstantAttribute_traversal() throws IOException {
    assertThat(rules(OnnxModels.externalDataInConstant("../../etc/passwd")))
        .containsExactly("onnx.external-data.traversal");
  }

  @Test
  void scanModel_traversalInSubgraph_traversal() throws IOException {
    assertThat(rules(nested(1, externalTensor("../secret"))))
        .contains("onnx.external-data.traversal");
  }

  @Test
  void scanModel_traversalInSparseInitializer_traversal() throws IOException {
    GraphProto graph =
        GraphProto.newBuilder()
            .addNode(node("Identity", ""))
            .addSparseInitializer(
                SparseTensorProto.newBuilder()
                    .setValues(externalTensor("../secret"))
                    .setIndices(TensorProto.newBuilder().setName("i")))
            .build();
    assertThat(rules(model(graph).build().toByteArray()))
        .containsExactly("onnx.external-data.traversal");
  }

  @Test
  void scanModel_dataLocationExternalWithoutLocation_invalid() throws IOException {
    TensorProto tensor =
        TensorProto.newBuilder()
            .setName("w")
            .setDataLocation(TensorProto.DataLocation.EXTERNAL)
            .build();
    GraphProto graph =
        GraphProto.newBuilder().addNode(node("Identity", "")).addInitializer(tensor).build();
    assertThat(rules(model(graph).build().toByteArray()))
        .containsExactly("onnx.external-data.invalid");
  }

  @Test
  void scanModel_customOperator_customDomain() throws IOException {
    assertThat(rules(OnnxModels.customOperator())).contains("onnx.custom-domain");
  }

  @Test
  void scanModel_customDomainAllowlisted_noFindings() throws IOException {
    OnnxScanner permissive =
        new OnnxScanner(java.util.Set.of("", "ai.onnx", "ai.onnx.ml", "com.example.evil"));
    assertThat(permissive.scanModel(OnnxModels.customOperator(), dir, "m", LIMITS).findings())
        .isEmpty();
  }

  @Test
  void scanModel_epContextNode_epContextAndCustomDomain() throws IOException {
    NodeProto ep =
        node("EPContext", "com.microsoft").toBuilder()
            .addAttribute(
                AttributeProto.newBuilder()
                    .setName("ep_cache_context")
                    .setType(AttributeProto.AttributeType.STRING)
                    .setS(com.google.protobuf.ByteString.copyFromUtf8("/tmp/cache.bin")))
            .build();
    GraphProto graph = GraphProto.newBuilder().addNode(ep).build();
    assertThat(rules(model(graph).build().toByteArray()))
        .contains("onnx.epcontext", "onnx.custom-domain");
  }

  @Test
  void scanModel_localFunctionOfAllowedOperators_noFindings() throws IOException {
    byte[] model =
        model(GraphProto.newBuilder().addNode(node("MyFn", "com.local")).build())
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.local").setVersion(1))
            .addFunctions(function(node("Relu", "")))
            .build()
            .toByteArray();
    assertThat(rules(model)).isEmpty();
  }

  @Test
  void scanModel_localFunctionWithCustomOperator_customDomain() throws IOException {
    byte[] model =
        model(GraphProto.newBuilder().addNode(node("MyFn", "com.local")).build())
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.local").setVersion(1))
            .addFunctions(function(node("Backdoor", "com.example.evil")))
            .build()
            .toByteArray();
    assertThat(rules(model)).containsExactly("onnx.custom-domain");
  }

  @Test
  void scanModel_callToUndefinedLocalFunction_customDomain() throws IOException {
    byte[] model =
        model(GraphProto.newBuilder().addNode(node("Other", "com.local")).build())
            .addFunctions(function(node("Relu", "")))
            .build()
            .toByteArray();
    assertThat(rules(model)).containsExactly("onnx.custom-domain");
  }

  @Test
  void scanModel_nodesAtAndAboveLimit_limitOnlyAbove() throws IOException {
    byte[] twoNodes = OnnxModels.addAndSubtract();
    assertThat(rules(twoNodes, dir, limits(1 << 20, 2, 10))).isEmpty();
    assertThat(rules(twoNodes, dir, limits(1 << 20, 1, 10))).containsExactly("onnx.limit");
  }

  @Test
  void scanModel_initializersAtAndAboveLimit_limitOnlyAbove() throws IOException {
    GraphProto graph =
        GraphProto.newBuilder()
            .addNode(node("Identity", ""))
            .addInitializer(TensorProto.newBuilder().setName("a"))
            .addSparseInitializer(
                SparseTensorProto.newBuilder().setValues(TensorProto.newBuilder().setName("b")))
            .build();
    byte[] model = model(graph).build().toByteArray();
    assertThat(rules(model, dir, limits(1 << 20, 10, 2))).isEmpty();
    assertThat(rules(model, dir, limits(1 << 20, 10, 1))).containsExactly("onnx.limit");
  }

  @Test
  void scanModel_fileBytesAtAndAboveLimit_limitOnlyAbove() throws IOException {
    byte[] model = OnnxModels.identity(OnnxElementType.FLOAT, 2);
    assertThat(rules(model, dir, limits(model.length, 10, 10))).isEmpty();
    assertThat(rules(model, dir, limits(model.length - 1, 10, 10))).containsExactly("onnx.limit");
  }

  @Test
  void scanFile_fileBytesAboveLimit_limit() throws IOException {
    byte[] model = OnnxModels.identity(OnnxElementType.FLOAT, 2);
    Path file = Files.write(dir.resolve("m.onnx"), model);
    assertThat(scanner.scan(dir, file, "m.onnx", limits(model.length, 10, 10))).isEmpty();
    assertThat(scanner.scan(dir, file, "m.onnx", limits(model.length - 1, 10, 10)))
        .extracting(Finding::rule)
        .containsExactly("onnx.limit");
  }

  @Test
  void scanModel_nestingAtAndAboveDepthLimit_limitOnlyAbove() throws IOException {
    // graph, node and attribute each add a level: 20 subgraph levels put the innermost node at 62
    assertThat(rules(nested(20, null))).isEmpty();
    assertThat(rules(nested(21, null))).containsExactly("onnx.limit");
  }

  @Test
  void scanModel_truncated_malformed() throws IOException {
    byte[] model = OnnxModels.identity(OnnxElementType.FLOAT, 2);
    assertThat(rules(Arrays.copyOf(model, model.length - 3))).containsExactly("onnx.malformed");
  }

  @Test
  void scanModel_graphWithWrongWireType_malformed() throws IOException {
    // field 7 (graph) as a varint
    assertThat(rules(new byte[] {0x38, 0x01})).containsExactly("onnx.malformed");
  }

  @Test
  void recognises_onnxSuffixAnyCase_true() {
    assertThat(scanner.recognises(Path.of("a/Model.ONNX"), new byte[0])).isTrue();
    assertThat(scanner.recognises(Path.of("a/model.onnx.bin"), new byte[0])).isFalse();
  }

  private static NodeProto node(String op, String domain) {
    return NodeProto.newBuilder()
        .setOpType(op)
        .setDomain(domain)
        .addInput("x")
        .addOutput("y")
        .build();
  }

  private static TensorProto externalTensor(String location) {
    return TensorProto.newBuilder()
        .setName("w")
        .setDataType(1)
        .addDims(4)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
        .build();
  }

  private static FunctionProto function(NodeProto body) {
    return FunctionProto.newBuilder()
        .setName("MyFn")
        .setDomain("com.local")
        .addInput("x")
        .addOutput("y")
        .addNode(body)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
        .build();
  }

  private static ModelProto.Builder model(GraphProto graph) {
    return ModelProto.newBuilder()
        .setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
        .setGraph(graph);
  }

  /** {@code levels} If nodes, each holding the next in its then_branch. */
  private static byte[] nested(int levels, @Nullable TensorProto innermostInitializer) {
    GraphProto.Builder inner = GraphProto.newBuilder().addNode(node("Identity", ""));
    if (innermostInitializer != null) {
      inner.addInitializer(innermostInitializer);
    }
    GraphProto graph = inner.build();
    for (int i = 0; i < levels; i++) {
      NodeProto ifNode =
          node("If", "").toBuilder()
              .addAttribute(
                  AttributeProto.newBuilder()
                      .setName("then_branch")
                      .setType(AttributeProto.AttributeType.GRAPH)
                      .setG(graph))
              .build();
      graph = GraphProto.newBuilder().addNode(ifNode).build();
    }
    return model(graph).build().toByteArray();
  }
}
