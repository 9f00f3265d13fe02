package io.bulwark.inference.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.UnavailableException;
import io.bulwark.inference.DataType;
import io.bulwark.inference.LoadedModel;
import io.bulwark.inference.OnnxOptions;
import io.bulwark.inference.Tensor;
import io.bulwark.testing.OnnxElementType;
import io.bulwark.testing.OnnxModels;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OnnxRuntimeModelTest {
  private static OnnxRuntimeEngine engine;
  private static LoadedModel addAndSubtract;

  @BeforeAll
  static void load() throws Exception {
    engine = OnnxRuntimeEngine.create(OnnxOptions.defaults());
    addAndSubtract = engine.load("add-and-subtract", "1", OnnxModels.addAndSubtract());
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  private static List<Tensor> pair() {
    return List.of(
        Fixtures.fp32("a", new long[] {2, 3}, 1, 2, 3, 4, 5, 6),
        Fixtures.fp32("b", new long[] {2, 3}, 10, 20, 30, 40, 50, 60));
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"UINT16", "UINT32", "UINT64", "BYTES"},
      mode = EnumSource.Mode.EXCLUDE)
  void infer_identityOfEachFixedType_returnsSameBytesShapeAndType(DataType type) throws Exception {
    long[] shape = {2, 3};
    byte[] bytes = new byte[6 * type.byteSize()];
    new Random(7).nextBytes(bytes);
    if (type == DataType.BOOL) {
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] &= 1;
      }
    }
    try (LoadedModel model =
        engine.load(
            "identity",
            "1",
            OnnxModels.identity(
                OnnxRuntimeEngineTest.onnxType(type), OnnxModels.DYNAMIC, OnnxModels.DYNAMIC))) {
      List<Tensor> out =
          model.infer(List.of(Tensor.ofFixed("x", type, shape, ByteBuffer.wrap(bytes))), Set.of());

      assertThat(out).hasSize(1);
      assertThat(out.get(0).name()).isEqualTo("y");
      assertThat(out.get(0).datatype()).isEqualTo(type);
      assertThat(out.get(0).shape()).containsExactly(2, 3);
      assertThat(Fixtures.bytes(out.get(0))).isEqualTo(bytes);
    }
  }

  /**
   * Input buffers are reused between calls: a call with fewer elements after a larger one, and
   * concurrent calls of different sizes, each get exactly their own values back.
   */
  @Test
  void infer_reusedInputBuffers_neverCarryAnotherCallsBytes() throws Exception {
    try (LoadedModel model =
        engine.load(
            "identity",
            "1",
            OnnxModels.identity(OnnxElementType.FLOAT, OnnxModels.DYNAMIC, OnnxModels.DYNAMIC))) {
      java.util.concurrent.atomic.AtomicReference<Throwable> failure =
          new java.util.concurrent.atomic.AtomicReference<>();
      List<Thread> threads = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int seed = t;
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      Random random = new Random(seed);
                      try {
                        for (int i = 0; i < 200; i++) {
                          int columns = 1 + random.nextInt(700);
                          byte[] bytes = new byte[columns * 4];
                          random.nextBytes(bytes);
                          List<Tensor> out =
                              model.infer(
                                  List.of(
                                      Tensor.ofFixed(
                                          "x",
                                          DataType.FP32,
                                          new long[] {1, columns},
                                          ByteBuffer.wrap(bytes))),
                                  Set.of());
                          assertThat(Fixtures.bytes(out.get(0))).isEqualTo(bytes);
                        }
                      } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                      }
                    }));
      }
      for (Thread t : threads) {
        t.join();
      }
      assertThat(failure.get()).isNull();
    }
  }

  @Test
  void infer_fp16Values_keepTheirBits() throws Exception {
    // 1.0, -2.0, 65504 (largest half), NaN, -0.0 and a subnormal
    short[] halves = {0x3C00, (short) 0xC000, 0x7BFF, 0x7E00, (short) 0x8000, 0x0001};
    ByteBuffer data = ByteBuffer.allocate(12).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    data.asShortBuffer().put(halves);
    try (LoadedModel model =
        engine.load("half", "1", OnnxModels.identity(OnnxElementType.FLOAT16, 6))) {
      Tensor out =
          model
              .infer(List.of(Tensor.ofFixed("x", DataType.FP16, new long[] {6}, data)), Set.of())
              .get(0);

      short[] back = new short[6];
      out.data().asShortBuffer().get(back);
      assertThat(back).containsExactly(halves);
    }
  }

  @Test
  void infer_bytes_roundTripUtf8IncludingNulAndEmoji() throws Exception {
    List<byte[]> elements =
        List.of(
            "plain".getBytes(StandardCharsets.UTF_8),
            "nul\0inside".getBytes(StandardCharsets.UTF_8),
            "emoji \uD83D\uDE00".getBytes(StandardCharsets.UTF_8),
            new byte[0]);
    try (LoadedModel model =
        engine.load("strings", "1", OnnxModels.identity(OnnxElementType.STRING, 2, 2))) {
      Tensor out =
          model.infer(List.of(Tensor.ofBytes("x", new long[] {2, 2}, elements)), Set.of()).get(0);

      assertThat(out.datatype()).isEqualTo(DataType.BYTES);
      assertThat(out.shape()).containsExactly(2, 2);
      assertThat(out.bytesElements()).containsExactlyElementsOf(elements);
    }
  }

  @Test
  void infer_bytesNotUtf8_throwsInvalidRequest() throws Exception {
    List<byte[]> elements = List.of(new byte[] {'o', 'k'}, new byte[] {(byte) 0xC3, 0x28});
    try (LoadedModel model =
        engine.load("strings", "1", OnnxModels.identity(OnnxElementType.STRING, 2))) {
      assertThatThrownBy(
              () -> model.infer(List.of(Tensor.ofBytes("x", new long[] {2}, elements)), Set.of()))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage(
              "input 'x' element 1 is not valid UTF-8, which this model's string input requires");
    }
  }

  @Test
  void infer_scalar_roundTrips() throws Exception {
    ByteBuffer data = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, 42);
    try (LoadedModel model =
        engine.load("scalar", "1", OnnxModels.identity(OnnxElementType.INT64))) {
      Tensor out =
          model
              .infer(List.of(Tensor.ofFixed("x", DataType.INT64, new long[0], data)), Set.of())
              .get(0);

      assertThat(out.shape()).isEmpty();
      assertThat(out.data().getLong(0)).isEqualTo(42);
    }
  }

  @Test
  void infer_emptyBatch_returnsEmptyTensors() {
    List<Tensor> out =
        addAndSubtract.infer(
            List.of(Fixtures.fp32("a", new long[] {0, 3}), Fixtures.fp32("b", new long[] {0, 3})),
            Set.of());

    assertThat(out).extracting(Tensor::elementCount).containsExactly(0L, 0L);
    assertThat(out.get(0).shape()).containsExactly(0, 3);
  }

  @Test
  void infer_noOutputsRequested_returnsAllInSignatureOrder() {
    List<Tensor> out = addAndSubtract.infer(pair(), Set.of());

    assertThat(out).extracting(Tensor::name).containsExactly("sum", "difference");
    assertThat(out).extracting(Tensor::datatype).containsOnly(DataType.FP32);
    assertThat(Fixtures.floats(out.get(0))).containsExactly(11, 22, 33, 44, 55, 66);
    assertThat(Fixtures.floats(out.get(1))).containsExactly(-9, -18, -27, -36, -45, -54);
  }

  @Test
  void infer_subsetRequested_returnsOnlyThoseInRequestedOrder() {
    Set<String> one = Set.of("difference");
    Set<String> reversed = new LinkedHashSet<>(List.of("difference", "sum"));

    assertThat(addAndSubtract.infer(pair(), one))
        .extracting(Tensor::name)
        .containsExactly("difference");
    assertThat(addAndSubtract.infer(pair(), reversed))
        .extracting(Tensor::name)
        .containsExactly("difference", "sum");
  }

  @Test
  void infer_unknownOutput_throwsInvalidRequest() {
    assertThatThrownBy(() -> addAndSubtract.infer(pair(), Set.of("product")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("unknown output 'product'");
  }

  @Test
  void infer_directInputBuffers_sameResultAsHeap() {
    List<Tensor> direct =
        List.of(
            Fixtures.fp32Direct("a", new long[] {2, 3}, 1, 2, 3, 4, 5, 6),
            Fixtures.fp32Direct("b", new long[] {2, 3}, 10, 20, 30, 40, 50, 60));

    assertThat(Fixtures.floats(addAndSubtract.infer(direct, Set.of("sum")).get(0)))
        .containsExactly(Fixtures.floats(addAndSubtract.infer(pair(), Set.of("sum")).get(0)));
  }

  @Test
  void infer_inputsDisagreeOnNamedDimension_explainsBeforeRunning() {
    List<Tensor> inputs =
        List.of(
            Fixtures.fp32("a", new long[] {2, 3}, new float[6]),
            Fixtures.fp32("b", new long[] {4, 3}, new float[12]));

    assertThatThrownBy(() -> addAndSubtract.infer(inputs, Set.of()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "input 'b' has size 4 in dimension 0, but input 'a' has size 2 in dimension 0; the"
                + " model requires them to be equal (both are 'dim0')");
  }

  @Test
  void infer_inputsNotMatchingSignature_rejectedBeforeRunning() {
    List<Tensor> inputs = List.of(Fixtures.fp32("a", new long[] {1, 4}, new float[4]));

    assertThatThrownBy(() -> addAndSubtract.infer(inputs, Set.of()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("input 'a' has shape [1, 4], model expects [-1, 3]");
  }

  @Test
  void infer_manyThreadsAtOnce_eachGetsItsOwnResult() throws Exception {
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<float[]>> results = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        float v = i;
        results.add(
            pool.submit(
                () ->
                    Fixtures.floats(
                        addAndSubtract
                            .infer(
                                List.of(
                                    Fixtures.fp32("a", new long[] {1, 3}, v, v, v),
                                    Fixtures.fp32("b", new long[] {1, 3}, v, 0, -v)),
                                Set.of("sum"))
                            .get(0))));
      }
      for (int i = 0; i < results.size(); i++) {
        assertThat(results.get(i).get()).containsExactly(2f * i, i, 0);
      }
    }
  }

  @Test
  void close_thenInfer_throwsUnavailable() throws Exception {
    LoadedModel model = engine.load("add", "1", OnnxModels.addAndSubtract());
    model.close();
    model.close();

    assertThatThrownBy(() -> model.infer(pair(), Set.of()))
        .isInstanceOf(UnavailableException.class)
        .hasMessage("model 'add' version '1' is no longer loaded");
  }

  @Test
  void close_whileCallsRun_releasesSessionAfterLastCall() throws Exception {
    int before = engine.openModels();
    LoadedModel model = engine.load("add", "1", OnnxModels.addAndSubtract());
    assertThat(engine.openModels()).isEqualTo(before + 1);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        calls.add(
            pool.submit(
                () -> {
                  try {
                    model.infer(pair(), Set.of());
                  } catch (UnavailableException expectedAfterClose) {
                    // a call that starts after close is refused, never run on a freed session
                  }
                }));
      }
      model.close();
      for (Future<?> call : calls) {
        call.get();
      }
    }
    assertThat(engine.openModels()).isEqualTo(before);
  }
}
