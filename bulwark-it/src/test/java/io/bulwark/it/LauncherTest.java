package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@code ./bulwark} launcher at the repository root, run as a user would run it. The build has
 * just produced the jar, so the launcher must use it without rebuilding.
 */
class LauncherTest {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Path LAUNCHER = REPO.resolve("bulwark");

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) throws IOException, InterruptedException {
    assumeTrue(
        Files.exists(REPO.resolve("bulwark-cli/target/bulwark.jar")),
        "bulwark-cli/target/bulwark.jar has not been built; run ./mvnw verify");
    List<String> command = new java.util.ArrayList<>(List.of("bash", LAUNCHER.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(REPO.resolve("bulwark-it").toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().remove("BULWARK_API_KEY");
    pb.environment().remove("BULWARK_URL");
    Path out = Files.createTempFile("launcher", ".out");
    Path err = Files.createTempFile("launcher", ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("launcher did not finish");
    }
    Run r =
        new Run(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    return r;
  }

  @Test
  void version_fromAnotherDirectory_runsTheBuiltJar() throws Exception {
    Run r = run("--version");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).containsIgnoringCase("bulwark");
    assertThat(r.err()).doesNotContain("Building Bulwark");
  }

  @Test
  void clientCommand_withoutApiKey_exits2WithAClearMessage() throws Exception {
    Run r = run("model", "list");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("no API key");
  }
}
