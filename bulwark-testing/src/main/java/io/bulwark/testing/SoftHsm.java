package io.bulwark.testing;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Real SoftHSM2 tokens for tests. Skips when SoftHSM2 is not installed, except under {@code
 * CI=true}, where a missing install must fail the build instead of silently dropping the tests.
 *
 * <p>SoftHSM2 reads {@code SOFTHSM2_CONF} once, when SunPKCS11 first initialises the library in
 * this JVM, so the token directory is created once per JVM (fresh for every run, under {@code
 * target/}); test classes keep apart by initialising tokens with their own labels.
 */
public final class SoftHsm {
  public static final Path LIBRARY =
      Path.of(System.getProperty("bulwark.softhsm2.library", "/usr/lib/softhsm/libsofthsm2.so"));
  public static final String USER_PIN = "1234";
  public static final String SO_PIN = "5678";

  private static final Pattern SLOT = Pattern.compile("reassigned to slot (\\d+)");

  private static @Nullable Path tokenDirectory;

  private SoftHsm() {}

  /**
   * Aborts the calling test (so that the reason shows per test; Surefire hides aborts in
   * {@code @BeforeAll}) or, under {@code CI=true}, fails it, unless SoftHSM2 is usable here.
   */
  public static void require() {
    String util = findOnPath("softhsm2-util");
    require(util != null, "softhsm2-util not found on PATH (apt-get install softhsm2)");
    require(Files.isRegularFile(LIBRARY), "SoftHSM2 library " + LIBRARY + " not found");
    String expectedConf = System.getProperty("bulwark.softhsm2.conf");
    // Only ever write the file the build pointed both at, never a developer's own SoftHSM2 setup.
    require(
        expectedConf != null && expectedConf.equals(System.getenv("SOFTHSM2_CONF")),
        "SOFTHSM2_CONF must equal system property bulwark.softhsm2.conf (run through Maven)");
  }

  /** Initialises a fresh token labelled {@code label} with {@link #USER_PIN}; returns its slot. */
  public static synchronized long initToken(String label) throws IOException, InterruptedException {
    require();
    String util = findOnPath("softhsm2-util");
    String conf = System.getenv("SOFTHSM2_CONF");
    if (util == null || conf == null) {
      throw new IllegalStateException("checked by require()");
    }
    Path confFile = Path.of(conf);
    if (tokenDirectory == null) {
      Files.createDirectories(confFile.getParent());
      Path dir = Files.createTempDirectory(confFile.getParent(), "softhsm2-tokens-");
      Files.writeString(
          confFile,
          "directories.tokendir = "
              + dir
              + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
      tokenDirectory = dir;
    }
    ProcessBuilder builder =
        new ProcessBuilder(
                util,
                "--init-token",
                "--free",
                "--label",
                label,
                "--pin",
                USER_PIN,
                "--so-pin",
                SO_PIN)
            .redirectErrorStream(true);
    builder.environment().put("SOFTHSM2_CONF", conf);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      fail("softhsm2-util --init-token failed: " + output);
    }
    Matcher m = SLOT.matcher(output);
    if (!m.find()) {
      fail("no slot id in softhsm2-util output: " + output);
    }
    return Long.parseLong(m.group(1));
  }

  private static void require(boolean condition, String message) {
    if (!condition && "true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(message + "; CI=true, so this fails instead of skipping (.ci/run installs softhsm2)");
    }
    assumeTrue(condition, message + "; skipping the PKCS#11 tests");
  }

  private static @Nullable String findOnPath(String name) {
    String path = System.getenv("PATH");
    for (String dir : List.of((path == null ? "" : path).split(File.pathSeparator, -1))) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name).toString();
      }
    }
    return null;
  }
}
