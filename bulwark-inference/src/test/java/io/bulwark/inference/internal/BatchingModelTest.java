package io.bulwark.inference.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.UnavailableException;
import io.bulwark.demo.DemoModel;
import io.bulwark.inference.Batching;
import io.bulwark.inference.DataType;
import io.bulwark.inference.InferenceSettings;
import io.bulwark.inference.LoadedModel;
import io.bulwark.inference.ModelLoadException;
import io.bulwark.inference.ModelSettings;
import io.bulwark.inference.OnnxOptions;
import io.bulwark.inference.Tensor;
import io.bulwark.testing.OnnxElementType;
import io.bulwark.testing.OnnxModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BatchingModelTest {
  /** Long enough that only a full batch, or close(), ever ends the wait. */
  private static final long FOREVER = TimeUnit.HOURS.toNanos(1);

  private OnnxRuntimeEngine engine;
  private ExecutorService threads;

  @BeforeEach
  void start() {
    engine = OnnxRuntimeEngine.create(OnnxOptions.defaults());
    threads = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stop() {
    threads.shutdownNow();
    engine.close();
  }

  private OnnxRuntimeModel plain(String name, byte[] bytes) throws ModelLoadException {
    return (OnnxRuntimeModel) engine.load(name, "1", bytes);
  }

  private static BatchingModel batching(OnnxRuntimeModel model, int max, long delayNanos)
      throws ModelLoadException {
    return BatchingModel.start(model, max, delayNanos, 64, m -> {});
  }

  private static float[] row(int caller, int rows) {
    float[] v = new float[rows * 3];
    for (int i = 0; i < v.length; i++) {
      v[i] = caller * 1000 + i;
    }
    return v;
  }

  private static List<Tensor> pair(int caller, int rows) {
    float[] a = row(caller, rows);
    float[] b = new float[a.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = 0.5f * i - caller;
    }
    return List.of(
        Fixtures.fp32("a", new long[] {rows, 3}, a), Fixtures.fp32("b", new long[] {rows, 3}, b));
  }

  private List<Future<List<Tensor>>> submitAll(List<Callable<List<Tensor>>> calls) {
    List<Future<List<Tensor>>> futures = new ArrayList<>();
    for (Callable<List<Tensor>> call : calls) {
      futures.add(threads.submit(call));
    }
    return futures;
  }

  private static Throwable failureOf(Future<?> future) throws InterruptedException {
    try {
      future.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the call did not end", e);
    }
    throw new AssertionError("the call succeeded");
  }

  private static void awaitQueued(BatchingModel model, int calls) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (model.queuedCalls() < calls) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + model.queuedCalls() + " calls queued");
      }
      Thread.sleep(5);
    }
  }

  @Test
  void infer_fullBatchOfCallers_eachGetsItsOwnRowsInOneRun() throws Exception {
    OnnxRuntimeModel alone = plain("add-and-subtract", OnnxModels.addAndSubtract());
    BatchingModel model = batching(alone, 6, FOREVER);
    List<Callable<List<Tensor>>> calls = new ArrayList<>();
    int[] rows = {1, 2, 3};
    for (int c = 0; c < rows.length; c++) {
      List<Tensor> inputs = pair(c, rows[c]);
      calls.add(() -> model.infer(inputs, Set.of()));
    }

    List<Future<List<Tensor>>> futures = submitAll(calls);

    for (int c = 0; c < rows.length; c++) {
      List<Tensor> got = futures.get(c).get(30, TimeUnit.SECONDS);
      List<Tensor> expected = alone.infer(pair(c, rows[c]), Set.of());
      assertThat(got).hasSize(2);
      for (int o = 0; o < 2; o++) {
        assertThat(got.get(o).name()).isEqualTo(expected.get(o).name());
        assertThat(got.get(o).shape()).containsExactly(rows[c], 3);
        assertThat(Fixtures.floats(got.get(o))).containsExactly(Fixtures.floats(expected.get(o)));
      }
    }
    // Six rows fill the batch: one run, started without waiting out the (hour-long) delay.
    assertThat(model.runs()).isEqualTo(1);
  }

  @Test
  void infer_demoModelBatched_matchesUnbatched() throws Exception {
    OnnxRuntimeModel alone = plain(DemoModel.name(), DemoModel.onnxBytes());
    BatchingModel model = batching(alone, 4, FOREVER);
    int features = DemoModel.featureNames().size();
    Random random = new Random(11);
    List<List<Tensor>> inputs = new ArrayList<>();
    List<Callable<List<Tensor>>> calls = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      float[] v = new float[features];
      for (int i = 0; i < features; i++) {
        v[i] = random.nextFloat() * 4;
      }
      List<Tensor> in = List.of(Fixtures.fp32(DemoModel.inputName(), new long[] {1, features}, v));
      inputs.add(in);
      calls.add(() -> model.infer(in, Set.of()));
    }

    List<Future<List<Tensor>>> futures = submitAll(calls);

    for (int c = 0; c < 4; c++) {
      Tensor got = futures.get(c).get(30, TimeUnit.SECONDS).get(0);
      Tensor expected = alone.infer(inputs.get(c), Set.of()).get(0);
      assertThat(got.shape()).containsExactly(expected.shape());
      assertThat(Fixtures.floats(got)).containsExactly(Fixtures.floats(expected));
    }
    assertThat(model.runs()).isEqualTo(1);
  }

  @Test
  void infer_differentShapesAndOutputs_runInSeparateBatches() throws Exception {
    OnnxRuntimeModel alone =
        plain("add-and-subtract", OnnxModels.addAndSubtract()); // outputs differ: sum vs difference
    BatchingModel model = batching(alone, 2, FOREVER);
    List<Tensor> first = pair(1, 1);
    List<Tensor> second = pair(2, 1);
    List<Tensor> third = pair(3, 1);
    List<Tensor> fourth = pair(4, 1);

    List<Future<List<Tensor>>> futures =
        submitAll(
            List.of(
                () -> model.infer(first, Set.of("sum")),
                () -> model.infer(second, Set.of("difference")),
                () -> model.infer(third, Set.of("sum")),
                () -> model.infer(fourth, Set.of("difference"))));

    assertThat(Fixtures.floats(futures.get(0).get(30, TimeUnit.SECONDS).get(0)))
        .containsExactly(Fixtures.floats(alone.infer(first, Set.of("sum")).get(0)));
    assertThat(Fixtures.floats(futures.get(1).get(30, TimeUnit.SECONDS).get(0)))
        .containsExactly(Fixtures.floats(alone.infer(second, Set.of("difference")).get(0)));
    assertThat(futures.get(2).get(30, TimeUnit.SECONDS).get(0).name()).isEqualTo("sum");
    assertThat(futures.get(3).get(30, TimeUnit.SECONDS).get(0).name()).isEqualTo("difference");
    assertThat(model.runs()).isEqualTo(2);
  }

  @Test
  void infer_differentInnerDimensions_neverJoin() throws Exception {
    OnnxRuntimeModel alone =
        plain(
            "identity",
            OnnxModels.identity(OnnxElementType.FLOAT, OnnxModels.DYNAMIC, OnnxModels.DYNAMIC));
    BatchingModel model = batching(alone, 2, FOREVER);
    Tensor three = Fixtures.fp32("x", new long[] {1, 3}, 1, 2, 3);
    Tensor four = Fixtures.fp32("x", new long[] {1, 4}, 4, 5, 6, 7);
    Tensor threeAgain = Fixtures.fp32("x", new long[] {1, 3}, 8, 9, 10);
    Tensor fourAgain = Fixtures.fp32("x", new long[] {1, 4}, 11, 12, 13, 14);

    List<Future<List<Tensor>>> futures =
        submitAll(
            List.of(
                () -> model.infer(List.of(three), Set.of()),
                () -> model.infer(List.of(four), Set.of()),
                () -> model.infer(List.of(threeAgain), Set.of()),
                () -> model.infer(List.of(fourAgain), Set.of())));

    assertThat(Fixtures.floats(futures.get(0).get(30, TimeUnit.SECONDS).get(0)))
        .containsExactly(1, 2, 3);
    assertThat(Fixtures.floats(futures.get(1).get(30, TimeUnit.SECONDS).get(0)))
        .containsExactly(4, 5, 6, 7);
    assertThat(Fixtures.floats(futures.get(2).get(30, TimeUnit.SECONDS).get(0)))
        .containsExactly(8, 9, 10);
    assertThat(Fixtures.floats(futures.get(3).get(30, TimeUnit.SECONDS).get(0)))
        .containsExactly(11, 12, 13, 14);
    assertThat(model.runs()).isEqualTo(2);
  }

  @Test
  void infer_loneCall_waitsTheDelayAndNoLonger() throws Exception {
    long delay = TimeUnit.MILLISECONDS.toNanos(30);
    BatchingModel model =
        batching(plain("add-and-subtract", OnnxModels.addAndSubtract()), 8, delay);

    long start = System.nanoTime();
    List<Tensor> out =
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> model.infer(pair(1, 1), Set.of()));
    long waited = System.nanoTime() - start;

    assertThat(out).hasSize(2);
    // It waited for company (at least the delay), then ran alone rather than waiting on.
    assertThat(waited).isGreaterThanOrEqualTo(delay);
    assertThat(model.runs()).isEqualTo(1);
  }

  @Test
  void infer_callAsLargeAsABatch_runsAtOnce() throws Exception {
    BatchingModel model =
        batching(plain("add-and-subtract", OnnxModels.addAndSubtract()), 2, FOREVER);

    List<Tensor> out =
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> model.infer(pair(1, 2), Set.of()));

    assertThat(out.get(0).shape()).containsExactly(2, 3);
    assertThat(model.runs()).isZero();
  }

  @Test
  void infer_invalidShape_failsAloneBeforeJoining() throws Exception {
    BatchingModel model =
        batching(plain("add-and-subtract", OnnxModels.addAndSubtract()), 2, FOREVER);
    List<Tensor> bad =
        List.of(
            Fixtures.fp32("a", new long[] {1, 2}, 1, 2),
            Fixtures.fp32("b", new long[] {1, 2}, 3, 4));

    assertThatThrownBy(() -> model.infer(bad, Set.of()))
        .isInstanceOf(InvalidRequestException.class);
    assertThat(model.queuedCalls()).isZero();
  }

  @Test
  void infer_oneCallerSendsAnInvalidValue_onlyThatCallerFails() throws Exception {
    BatchingModel model = batching(plain("lookup", OnnxModels.lookup()), 3, FOREVER);

    List<Future<List<Tensor>>> futures =
        submitAll(
            List.of(
                () -> model.infer(List.of(ids(1)), Set.of()),
                () -> model.infer(List.of(ids(9)), Set.of()),
                () -> model.infer(List.of(ids(3)), Set.of())));

    assertThat(Fixtures.floats(futures.get(0).get(30, TimeUnit.SECONDS).get(0)))
        .containsExactly(10, 11);
    assertThat(failureOf(futures.get(1))).isInstanceOf(InvalidRequestException.class);
    assertThat(Fixtures.floats(futures.get(2).get(30, TimeUnit.SECONDS).get(0)))
        .containsExactly(30, 31);
  }

  private static Tensor ids(long... ids) {
    ByteBuffer data = ByteBuffer.allocate(ids.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long id : ids) {
      data.putLong(id);
    }
    data.flip();
    return Tensor.ofFixed("ids", DataType.INT64, new long[] {ids.length}, data);
  }

  @Test
  void infer_modelDropsTheBatchDimension_failsEveryCallerWithoutData() throws Exception {
    BatchingModel model = batching(plain("unique", OnnxModels.uniqueValues(3)), 2, FOREVER);

    List<Future<List<Tensor>>> futures =
        submitAll(
            List.of(
                () ->
                    model.infer(List.of(Fixtures.fp32("x", new long[] {1, 3}, 1, 2, 3)), Set.of()),
                () ->
                    model.infer(
                        List.of(Fixtures.fp32("x", new long[] {1, 3}, 4, 5, 6)), Set.of())));

    for (Future<List<Tensor>> future : futures) {
      assertThat(failureOf(future))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("does not keep the batch dimension");
    }
  }

  @Test
  void close_withQueuedCallers_failsEachUnavailable() throws Exception {
    BatchingModel model =
        batching(plain("add-and-subtract", OnnxModels.addAndSubtract()), 8, FOREVER);
    List<Future<List<Tensor>>> futures =
        submitAll(
            List.of(
                () -> model.infer(pair(1, 1), Set.of()),
                () -> model.infer(pair(2, 1), Set.of()),
                () -> model.infer(pair(3, 1), Set.of())));
    awaitQueued(model, 3);

    model.close();

    for (Future<List<Tensor>> future : futures) {
      assertThat(failureOf(future)).isInstanceOf(UnavailableException.class);
    }
    assertThat(model.isClosed()).isTrue();
    assertThatThrownBy(() -> model.infer(pair(4, 1), Set.of()))
        .isInstanceOf(UnavailableException.class);
  }

  @Test
  void infer_queueFull_refusesUnavailable() throws Exception {
    OnnxRuntimeModel alone =
        plain(
            "identity",
            OnnxModels.identity(OnnxElementType.FLOAT, OnnxModels.DYNAMIC, OnnxModels.DYNAMIC));
    BatchingModel model = BatchingModel.start(alone, 2, FOREVER, 3, m -> {});
    List<Callable<List<Tensor>>> calls = new ArrayList<>();
    for (int width = 1; width <= 3; width++) {
      // Each width waits in its own group, so none of them fills a batch.
      Tensor x = Fixtures.fp32("x", new long[] {1, width}, new float[width]);
      calls.add(() -> model.infer(List.of(x), Set.of()));
    }
    List<Future<List<Tensor>>> futures = submitAll(calls);
    awaitQueued(model, 3);

    assertThatThrownBy(
            () -> model.infer(List.of(Fixtures.fp32("x", new long[] {1, 4}, 1, 2, 3, 4)), Set.of()))
        .isInstanceOf(UnavailableException.class)
        .hasMessageContaining("too many calls waiting");

    model.close();
    for (Future<List<Tensor>> future : futures) {
      assertThat(failureOf(future)).isInstanceOf(UnavailableException.class);
    }
  }

  @Test
  void infer_waitingCallerInterrupted_leavesTheQueue() throws Exception {
    BatchingModel model =
        batching(plain("add-and-subtract", OnnxModels.addAndSubtract()), 8, FOREVER);
    CountDownLatch entered = new CountDownLatch(1);
    Future<List<Tensor>> waiting =
        threads.submit(
            () -> {
              entered.countDown();
              return model.infer(pair(1, 1), Set.of());
            });
    entered.await();
    awaitQueued(model, 1);

    waiting.cancel(true);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (model.queuedCalls() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(model.queuedCalls()).isZero();
  }

  @Test
  void infer_manyConcurrentCallers_neverReceiveAnotherCallersRows() throws Exception {
    OnnxRuntimeModel alone = plain("add-and-subtract", OnnxModels.addAndSubtract());
    BatchingModel model = batching(alone, 16, TimeUnit.MICROSECONDS.toNanos(500));
    int callers = 32;
    int callsEach = 300;
    List<Callable<List<Tensor>>> work = new ArrayList<>();
    for (int t = 0; t < callers; t++) {
      int caller = t;
      work.add(
          () -> {
            Random random = new Random(caller);
            for (int i = 0; i < callsEach; i++) {
              int id = caller * callsEach + i;
              int rows = 1 + random.nextInt(3);
              List<Tensor> inputs = pair(id, rows);
              Set<String> outputs = random.nextBoolean() ? Set.of() : Set.of("difference");
              List<Tensor> out = model.infer(inputs, outputs);
              float[] a = Fixtures.floats(inputs.get(0));
              float[] b = Fixtures.floats(inputs.get(1));
              float[] difference = Fixtures.floats(out.get(out.size() - 1));
              assertThat(out.get(out.size() - 1).shape()).containsExactly(rows, 3);
              for (int k = 0; k < a.length; k++) {
                if (difference[k] != a[k] - b[k]) {
                  throw new AssertionError("caller " + id + " received rows not its own");
                }
              }
              if (out.size() == 2) {
                float[] sum = Fixtures.floats(out.get(0));
                for (int k = 0; k < a.length; k++) {
                  if (sum[k] != a[k] + b[k]) {
                    throw new AssertionError("caller " + id + " received rows not its own");
                  }
                }
              }
            }
            return List.of();
          });
    }

    for (Future<List<Tensor>> future : submitAll(work)) {
      future.get(120, TimeUnit.SECONDS);
    }
    assertThat(model.runs()).isLessThan((long) callers * callsEach);
  }

  @Test
  void load_batchingOnAFixedBatchDimension_refusedNamingTheInput() {
    OnnxRuntimeEngine batched =
        OnnxRuntimeEngine.create(
            new InferenceSettings(
                OnnxOptions.defaults(),
                Map.of("fixed", new ModelSettings(OnnxOptions.defaults(), new Batching(4, 1000)))));
    try {
      assertThatThrownBy(
              () -> batched.load("fixed", "1", OnnxModels.identity(OnnxElementType.FLOAT, 2, 3)))
          .isInstanceOf(ModelLoadException.class)
          .hasMessageContaining("input 'x' has a fixed first dimension of 2");
      assertThat(batched.openModels()).isZero();
    } finally {
      batched.close();
    }
  }

  @Test
  void load_batchingConfiguredForTheModel_batchesOnlyThatModel() throws Exception {
    OnnxRuntimeEngine batched =
        OnnxRuntimeEngine.create(
            new InferenceSettings(
                OnnxOptions.defaults(),
                Map.of(
                    "batched",
                    new ModelSettings(
                        OnnxOptions.builder().intraOpThreads(1).build(), new Batching(4, 1000)))));
    try {
      LoadedModel one = batched.load("batched", "1", OnnxModels.addAndSubtract());
      LoadedModel other = batched.load("other", "1", OnnxModels.addAndSubtract());

      assertThat(one).isInstanceOf(BatchingModel.class);
      assertThat(other).isInstanceOf(OnnxRuntimeModel.class);
      assertThat(Fixtures.floats(one.infer(pair(1, 1), Set.of("sum")).get(0)))
          .containsExactly(Fixtures.floats(other.infer(pair(1, 1), Set.of("sum")).get(0)));
    } finally {
      batched.close();
    }
  }

  @Test
  void close_engine_closesItsBatchingModels() throws Exception {
    OnnxRuntimeEngine batched =
        OnnxRuntimeEngine.create(
            new InferenceSettings(
                OnnxOptions.defaults(),
                Map.of("batched", new ModelSettings(OnnxOptions.defaults(), new Batching(4, 0)))));
    BatchingModel model = (BatchingModel) batched.load("batched", "1", OnnxModels.addAndSubtract());

    batched.close();

    assertThat(model.isClosed()).isTrue();
    assertThat(batched.openModels()).isZero();
    assertThatThrownBy(() -> model.infer(pair(1, 1), Set.of()))
        .isInstanceOf(UnavailableException.class);
  }
}
