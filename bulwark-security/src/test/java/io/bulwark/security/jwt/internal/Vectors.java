package io.bulwark.security.jwt.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared conformance vectors beside the repository ({@code -Dbulwark.vectors}, default {@code
 * ../shared/vectors}); tests that need them are skipped with a message when they are absent.
 */
final class Vectors {
  private Vectors() {}

  static Path jwtDir() {
    String configured = System.getProperty("bulwark.vectors");
    Path base =
        Path.of(
            configured == null || configured.isBlank() || configured.startsWith("${")
                ? "../../shared/vectors"
                : configured);
    if (!Files.isDirectory(base)) {
      base = Path.of("../shared/vectors");
    }
    Path dir = base.resolve("jwt");
    assumeTrue(
        Files.isDirectory(dir),
        "JWT vectors not found at " + dir.toAbsolutePath() + "; set -Dbulwark.vectors=DIR");
    return dir;
  }

  static JsonNode read(Path file) throws IOException {
    assumeTrue(Files.isRegularFile(file), "vector file missing: " + file);
    return new ObjectMapper().readTree(file.toFile());
  }
}
