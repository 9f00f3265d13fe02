package io.bulwark.scanning.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.bulwark.scanning.Finding;
import io.bulwark.scanning.ScanLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Classifies every file of the public pickle corpus ({@code ../shared/vectors/pickle}, or the
 * {@code bulwark.vectors} system property) as {@code EXPECTED_reference_scan.jsonl} says: ALLOW
 * means no findings, any REJECT means at least one finding or not recognised (the aggregate scanner
 * refuses unrecognised files). A file is expected ALLOW only if all its lines say ALLOW.
 */
class PickleScannerConformanceTest {

  /**
   * Where our policy is deliberately stricter than the reference scan. The reference walker ignores
   * FRAME boundaries; the corpus README says a scanner must reject this file.
   */
  private static final Set<String> STRICTER_THAN_REFERENCE =
      Set.of("fickling-derived/fickling_frame_boundary_divergence.pkl");

  private final PickleScanner scanner = new PickleScanner();

  private static Path corpus() {
    String dir = System.getProperty("bulwark.vectors", "../shared/vectors");
    return Path.of(dir).resolve("pickle");
  }

  @Test
  void scan_referenceCorpus_matchesExpectations() throws IOException {
    Path corpus = corpus();
    Path expected = corpus.resolve("EXPECTED_reference_scan.jsonl");
    assumeTrue(
        Files.isRegularFile(expected),
        "pickle vectors not found at " + corpus + " (set -Dbulwark.vectors); skipping");

    Map<String, Boolean> allowByFile = readExpectations(expected);
    int allowMatched = 0;
    int rejectMatched = 0;
    List<String> mismatches = new ArrayList<>();
    for (Map.Entry<String, Boolean> e : allowByFile.entrySet()) {
      Path file = corpus.resolve(e.getKey());
      boolean expectAllow = e.getValue() && !STRICTER_THAN_REFERENCE.contains(e.getKey());
      byte[] head;
      try (InputStream in = Files.newInputStream(file)) {
        head = in.readNBytes(64);
      }
      boolean recognised = scanner.recognises(file, head);
      List<Finding> findings =
          recognised
              ? scanner.scan(file.getParent(), file, e.getKey(), ScanLimits.defaults())
              : List.of();
      boolean allowed = recognised && findings.isEmpty();
      if (allowed == expectAllow) {
        if (expectAllow) {
          allowMatched++;
        } else {
          rejectMatched++;
        }
      } else {
        mismatches.add(
            e.getKey() + " expected " + (expectAllow ? "ALLOW" : "REJECT") + " got " + findings);
      }
    }
    System.out.printf(
        "pickle conformance: %d ALLOW matched, %d REJECT matched, %d mismatches%n",
        allowMatched, rejectMatched, mismatches.size());
    assertThat(mismatches).isEmpty();
    assertThat(allowMatched).isPositive();
    assertThat(rejectMatched).isPositive();
  }

  /** file → whether every line for it says ALLOW. */
  private static Map<String, Boolean> readExpectations(Path jsonl) throws IOException {
    Map<String, Boolean> result = new LinkedHashMap<>();
    try (JsonParser p = new JsonFactory().createParser(jsonl.toFile())) {
      while (p.nextToken() == JsonToken.START_OBJECT) {
        String file = null;
        String verdict = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          p.nextToken();
          switch (field) {
            case "file" -> file = p.getText();
            case "verdict" -> verdict = p.getText();
            default -> p.skipChildren();
          }
        }
        assertThat(file).as("file field").isNotNull();
        assertThat(verdict).as("verdict field").isNotNull();
        boolean allow = "ALLOW".equals(verdict);
        result.merge(file, allow, Boolean::logicalAnd);
      }
    }
    return result;
  }
}
