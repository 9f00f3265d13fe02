package io.bulwark.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchMainTest {

  /**
   * The smoke mode every build runs: the demo model only, nothing downloaded, a few seconds. It
   * proves that each kind of measurement still produces its row, not what the figures are.
   */
  @Test
  void run_smoke_producesEveryRowWithoutFailedRequests(@TempDir Path emptyCache) throws Exception {
    String tables = BenchMain.run(Mode.SMOKE, emptyCache);

    assertThat(tables)
        .contains("(a) Raw ONNX Runtime", "| credit-risk |")
        .contains("(b) Transport", "| credit-risk | 1.1 | 8 |", "| credit-risk | 2 | 8 |")
        .contains(
            "(c) Bulwark end to end", "| credit-risk | json | 1 |", "| credit-risk | binary | 8 |")
        .contains("(d) Model open", "(e) Audit", "durable audited events/s")
        .containsPattern("\\| 256 \\| [0-9]+ \\| [0-9]+ \\| [0-9]+ \\|")
        .contains("authenticateApiKey", "rateLimit", "policyCached", "policyUncached")
        .containsPattern("\\| pipeline \\| [0-9.]+ \\| [0-9.]+ \\|")
        .containsPattern("\\| pipeline16 \\| [0-9.]+ \\| [0-9.]+ \\|")
        .containsPattern("\\| modelCall \\| [0-9.]+ \\| [0-9.]+ \\|")
        .containsPattern("\\| auditAppend \\| [0-9.]+ \\| [0-9.]+ \\|")
        .contains("### Targets", "≥ 70%", "≤ 1.5×", "soak at concurrency 64")
        .doesNotContain("failed");
    assertThat(tables.lines().filter(l -> l.startsWith("| credit-risk |")))
        .as("every load row of the demo model ends with 0 errors")
        .filteredOn(l -> l.contains(" | json | ") || l.contains(" | binary | "))
        .allSatisfy(l -> assertThat(l).endsWith("| 0 |"));
  }

  @Test
  void writeBetweenMarkers_keepsTheProseAroundTheTables(@TempDir Path dir) throws Exception {
    Path page = dir.resolve("performance.md");
    Files.writeString(
        page, "# Intro\n" + BenchMain.BEGIN + "\nold\n" + BenchMain.END + "\nAfter\n");

    BenchMain.writeBetweenMarkers(page, "new tables\n");

    assertThat(Files.readString(page))
        .isEqualTo(
            "# Intro\n" + BenchMain.BEGIN + "\n\nnew tables\n" + BenchMain.END + "\nAfter\n");
  }

  @Test
  void runSoak_short_reportsRequestsAndMemorySamples(@TempDir Path emptyCache) throws Exception {
    String tables = BenchMain.runSoak(emptyCache, java.time.Duration.ofSeconds(3));

    assertThat(tables)
        .contains("Soak: credit-risk", "Soak: memory")
        .containsPattern("\\| [0-9]+ \\| [0-9.]+ \\| 0 \\|")
        .containsPattern("\\| [0-9]+ \\| [0-9]+ \\| [0-9]+ \\|");
  }

  @Test
  void runAudit_smoke_measuresDurableAppends() throws Exception {
    String tables = BenchMain.runAudit(Mode.SMOKE);

    assertThat(tables)
        .contains("(e) Audit", "≥ 20,000 events/s")
        .containsPattern("\\| 256 \\| [0-9]+ \\| [0-9]+ \\| [0-9]+ \\|")
        .doesNotContain("(a) Raw", "failed");
  }
}
