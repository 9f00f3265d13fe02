package io.bulwark.audit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared conformance vectors ({@code -Dbulwark.vectors}, default {@code ../shared/vectors}).
 */
public final class Vectors {
  private Vectors() {}

  /** {@code ct/<sub>} of the vectors, or the test is skipped when they are absent. */
  public static Path ct(String sub) {
    Path dir =
        Path.of(System.getProperty("bulwark.vectors", "../shared/vectors"))
            .resolve("ct")
            .resolve(sub);
    assumeTrue(
        Files.isDirectory(dir),
        "CT vectors not found at " + dir.toAbsolutePath() + "; set -Dbulwark.vectors=DIR");
    return dir;
  }
}
