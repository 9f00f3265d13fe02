package io.bulwark.demo.internal;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.StringJoiner;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Trains the demo credit-risk classifier on generated data and writes {@code demo-classifier.onnx}
 * and {@code demo-classifier.properties} into the directory given as the only argument. Runs during
 * the build (see this module's pom), never in the server.
 *
 * <p>The data, the training and the export are deterministic (fixed seeds, one thread), and the
 * export is stripped of Tribuo's provenance metadata, which would record the build's time, host,
 * user and paths: the same sources give the same bytes on every build. The build fails if the model
 * classifies fewer than {@value #MIN_ACCURACY_PERCENT}% of a held-out set correctly or is not
 * confident about the sample input.
 */
public final class DemoModelTrainer {
  static final String MODEL_FILE = "demo-classifier.onnx";
  static final String METADATA_FILE = "demo-classifier.properties";

  static final String NAME = "credit-risk";
  static final String VERSION = "1";
  static final String ONNX_DOMAIN = "io.bulwark.demo";
  static final String DOC_STRING =
      "Bulwark demo credit-risk classifier: multinomial logistic regression trained by Tribuo on"
          + " generated data. See io.bulwark.demo.DemoModel.";

  static final long DATA_SEED = 20_261_122L;
  static final long TRAINING_SEED = 42L;
  static final int TRAIN_SIZE = 3000;
  static final int TEST_SIZE = 1000;
  static final int EPOCHS = 25;
  static final int MIN_ACCURACY_PERCENT = 85;
  static final double MIN_SAMPLE_CONFIDENCE = 0.9;

  static final String LOW = "low";
  static final String MEDIUM = "medium";
  static final String HIGH = "high";

  /**
   * Features in the order this class generates them. The model orders its input columns by name
   * (Tribuo's feature map is sorted), and the metadata records that order.
   */
  static final String[] FEATURES = {"income", "debt_ratio", "account_age", "late_payments"};

  /**
   * A clearly risky applicant, in {@link #FEATURES} order: income 22 (thousands a year), debt ratio
   * 0.92, an account opened half a year ago, 7 late payments in the last year.
   */
  static final double[] SAMPLE = {22.0, 0.92, 0.5, 7.0};

  static final String SAMPLE_LABEL = HIGH;

  /**
   * Tribuo logs every training run at INFO; the build output should stay quiet. Held in a field
   * because the logging framework keeps loggers only weakly, and would forget the level.
   */
  private static final Logger TRIBUO_LOGGER = Logger.getLogger("org.tribuo");

  private DemoModelTrainer() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: DemoModelTrainer OUTPUT_DIRECTORY");
    }
    Path dir = Path.of(args[0]);
    Artifacts artifacts = build();
    Files.createDirectories(dir);
    Files.write(dir.resolve(MODEL_FILE), artifacts.onnx().toByteArray());
    Files.write(
        dir.resolve(METADATA_FILE), artifacts.properties().getBytes(StandardCharsets.UTF_8));
  }

  /** The generated files' contents. */
  record Artifacts(OnnxMl.ModelProto onnx, String properties) {}

  static Artifacts build() {
    TRIBUO_LOGGER.setLevel(Level.WARNING);

    Random random = new Random(DATA_SEED);
    MutableDataset<Label> train = generate(random, TRAIN_SIZE, "training");
    MutableDataset<Label> test = generate(random, TEST_SIZE, "test");

    LinearSGDTrainer trainer =
        new LinearSGDTrainer(
            new LogMulticlass(), new AdaGrad(0.5, 0.1), EPOCHS, -1, 1, TRAINING_SEED);
    LinearSGDModel model = trainer.train(train);

    double accuracy = new LabelEvaluator().evaluate(model, test).accuracy();
    if (accuracy * 100 < MIN_ACCURACY_PERCENT) {
      throw new IllegalStateException(
          "demo model accuracy " + accuracy + " is below " + MIN_ACCURACY_PERCENT + "%");
    }

    List<String> featureOrder = featureOrder(model.getFeatureIDMap());
    List<String> labels = labels(model.getOutputIDInfo());
    double[] sample = reorder(SAMPLE, featureOrder);
    Prediction<Label> prediction =
        model.predict(new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, FEATURES, SAMPLE));
    if (!prediction.getOutput().getLabel().equals(SAMPLE_LABEL)
        || prediction.getOutput().getScore() < MIN_SAMPLE_CONFIDENCE) {
      throw new IllegalStateException("the demo sample is not confidently " + SAMPLE_LABEL);
    }
    List<Double> sampleScores = new ArrayList<>();
    for (String label : labels) {
      Label scored = prediction.getOutputScores().get(label);
      if (scored == null) {
        throw new IllegalStateException("no score for label " + label);
      }
      sampleScores.add(scored.getScore());
    }

    OnnxMl.ModelProto onnx =
        model.exportONNXModel(ONNX_DOMAIN, 1).toBuilder()
            // Tribuo's provenance (in the metadata and the doc string) holds the build's times,
            // JVM and OS: not for a shipped artifact, and it would change the bytes every build.
            .clearMetadataProps()
            .setDocString(DOC_STRING)
            .build();
    OnnxMl.GraphProto graph = onnx.getGraph();
    if (graph.getInputCount() != 1 || graph.getOutputCount() != 1) {
      throw new IllegalStateException(
          "expected one input and one output, Tribuo exported "
              + graph.getInputCount()
              + " and "
              + graph.getOutputCount());
    }

    StringBuilder properties = new StringBuilder();
    properties.append(
        "# Generated by io.bulwark.demo.internal.DemoModelTrainer during the build; do not edit.\n");
    property(properties, "name", NAME);
    property(properties, "version", VERSION);
    describe(properties, "input", graph.getInput(0));
    describe(properties, "output", graph.getOutput(0));
    property(properties, "features", String.join(",", featureOrder));
    property(properties, "labels", String.join(",", labels));
    property(properties, "sample.input", joinFloats(sample));
    property(properties, "sample.label", SAMPLE_LABEL);
    property(properties, "sample.scores", joinFloats(sampleScores));
    property(properties, "test.accuracy", String.format(Locale.ROOT, "%.3f", accuracy));
    return new Artifacts(onnx, properties.toString());
  }

  /**
   * Draws applicants and labels them by a noisy risk score: high debt and late payments raise the
   * risk, income and an old account lower it.
   */
  static MutableDataset<Label> generate(Random random, int size, String description) {
    LabelFactory factory = new LabelFactory();
    MutableDataset<Label> data =
        new MutableDataset<>(
            new SimpleDataSourceProvenance("bulwark demo credit-risk " + description, factory),
            factory);
    for (int i = 0; i < size; i++) {
      double income = 15 + 135 * random.nextDouble();
      double debtRatio = 0.05 + 0.95 * random.nextDouble();
      double accountAge = 30 * StrictMath.pow(random.nextDouble(), 1.5);
      double latePayments = StrictMath.floor(12 * StrictMath.pow(random.nextDouble(), 3));
      double score =
          3.0 * debtRatio
              - 0.025 * income
              - 0.08 * accountAge
              + 0.6 * latePayments
              + 0.3 * random.nextGaussian();
      String label = score < 0.0 ? LOW : score < 2.0 ? MEDIUM : HIGH;
      double[] values = {income, debtRatio, accountAge, latePayments};
      data.add(new ArrayExample<>(new Label(label), FEATURES, values));
    }
    return data;
  }

  private static List<String> featureOrder(ImmutableFeatureMap features) {
    List<String> names = new ArrayList<>();
    for (int id = 0; id < features.size(); id++) {
      names.add(features.get(id).getName());
    }
    if (names.size() != FEATURES.length) {
      throw new IllegalStateException("the model has " + names.size() + " features");
    }
    return names;
  }

  private static List<String> labels(ImmutableOutputInfo<Label> outputs) {
    List<String> labels = new ArrayList<>();
    for (int id = 0; id < outputs.size(); id++) {
      labels.add(outputs.getOutput(id).getLabel());
    }
    return labels;
  }

  private static double[] reorder(double[] values, List<String> order) {
    double[] out = new double[values.length];
    for (int i = 0; i < FEATURES.length; i++) {
      out[order.indexOf(FEATURES[i])] = values[i];
    }
    return out;
  }

  private static void describe(StringBuilder out, String prefix, OnnxMl.ValueInfoProto value) {
    OnnxMl.TypeProto.Tensor tensor = value.getType().getTensorType();
    if (!value.getType().hasTensorType()
        || tensor.getElemType() != OnnxMl.TensorProto.DataType.FLOAT_VALUE) {
      throw new IllegalStateException(prefix + " '" + value.getName() + "' is not an FP32 tensor");
    }
    StringJoiner shape = new StringJoiner(",");
    for (OnnxMl.TensorShapeProto.Dimension d : tensor.getShape().getDimList()) {
      shape.add(d.hasDimValue() ? Long.toString(d.getDimValue()) : "-1");
    }
    property(out, prefix + ".name", value.getName());
    property(out, prefix + ".datatype", "FP32");
    property(out, prefix + ".shape", shape.toString());
  }

  private static String joinFloats(double[] values) {
    StringJoiner out = new StringJoiner(",");
    for (double v : values) {
      out.add(Float.toString((float) v));
    }
    return out.toString();
  }

  private static String joinFloats(List<Double> values) {
    StringJoiner out = new StringJoiner(",");
    for (double v : values) {
      out.add(Float.toString((float) v));
    }
    return out.toString();
  }

  private static void property(StringBuilder out, String key, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '\\') {
        throw new IllegalStateException("property " + key + " needs escaping: not expected");
      }
    }
    out.append(key).append('=').append(value).append('\n');
  }
}
