package io.bulwark.scanning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Classifies every ONNX and safetensors vector in {@code ../shared/vectors} (property {@code
 * bulwark.vectors}) as its {@code EXPECTED.json} says: an entry starting with {@code OK} must be
 * safe, anything else unsafe. Skipped when the vectors are absent.
 */
class ConformanceVectorsTest {
  private final ArtifactScanner scanner = ArtifactScanner.withDefaults(ScanLimits.defaults());

  private static Path vectors(String kind) {
    Path base = Path.of(System.getProperty("bulwark.vectors", "../shared/vectors"));
    Path dir = base.resolve(kind);
    assumeTrue(
        Files.isRegularFile(dir.resolve("EXPECTED.json")),
        "conformance vectors not found at " + dir.toAbsolutePath() + "; set -Dbulwark.vectors");
    return dir;
  }

  private static Map<String, String> expected(Path dir) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (JsonParser p = new JsonFactory().createParser(dir.resolve("EXPECTED.json").toFile())) {
      assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        out.put(name, p.getText());
      }
    }
    return out;
  }

  private List<String> mismatches(Path dir) throws IOException {
    List<String> wrong = new ArrayList<>();
    Map<String, String> expected = expected(dir);
    assertThat(expected).isNotEmpty();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      Verdict want = e.getValue().startsWith("OK") ? Verdict.SAFE : Verdict.UNSAFE;
      ScanReport report = scanner.scan(dir.resolve(e.getKey()));
      if (report.verdict() != want) {
        wrong.add(e.getKey() + " expected " + want + " got " + report.findings());
      }
    }
    return wrong;
  }

  @Test
  void scan_onnxVectors_classifiedAsExpected() throws IOException {
    assertThat(mismatches(vectors("onnx"))).isEmpty();
  }

  @Test
  void scan_onnxVectorPackages_classifiedAsExpected() throws IOException {
    Path dir = vectors("onnx");
    assertThat(scanner.scan(dir.resolve("benign_external")).verdict()).isEqualTo(Verdict.SAFE);
    for (String unsafe : List.of("traversal_absolute", "traversal_dotdot", "traversal_nested")) {
      assertThat(scanner.scan(dir.resolve(unsafe)).verdict()).as(unsafe).isEqualTo(Verdict.UNSAFE);
    }
  }

  @Test
  void scan_safetensorsVectors_classifiedAsExpected() throws IOException {
    assertThat(mismatches(vectors("safetensors"))).isEmpty();
  }
}
