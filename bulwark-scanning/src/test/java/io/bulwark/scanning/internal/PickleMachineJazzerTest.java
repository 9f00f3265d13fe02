package io.bulwark.scanning.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bulwark.scanning.ScanLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the pickle machine, the npy header reader and the whole scanner (zip,
 * npy and raw paths). A normal test run replays the seeds under {@code
 * PickleMachineJazzerTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes for real. Any input may be refused,
 * but only as findings: the only exception allowed out is {@link IOException}.
 */
class PickleMachineJazzerTest {
  private static final ScanLimits LIMITS =
      new ScanLimits(1 << 20, 10, 10, 10, 100_000, 64, 1 << 16);

  @FuzzTest(maxDuration = "30s")
  void run_anyBytes_returnsProblemsOrNone(FuzzedDataProvider data) throws IOException {
    byte[] pickle = data.consumeRemainingAsBytes();
    PickleMachine.run(
        new PickleInput(new ByteArrayInputStream(pickle), pickle.length), 100_000, 10_000, 10_000);
  }

  @FuzzTest(maxDuration = "30s")
  void readNpyHeader_anyBytes_returnsOrRefuses(FuzzedDataProvider data) throws IOException {
    byte[] prefix = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    byte[] rest = data.consumeRemainingAsBytes();
    byte[] file = new byte[prefix.length + rest.length];
    System.arraycopy(prefix, 0, file, 0, prefix.length);
    System.arraycopy(rest, 0, file, prefix.length, rest.length);
    try {
      NpyHeader.read(new ByteArrayInputStream(file), file.length);
    } catch (NpyHeader.MalformedException expected) {
      // a refusal is a correct answer to hostile input
    }
  }

  @FuzzTest(maxDuration = "30s")
  void scan_anyFile_returnsFindingsOrNone(FuzzedDataProvider data) throws IOException {
    String name = data.pickValue(new String[] {"m.pkl", "m.pt", "m.npy", "m.npz"});
    byte[] content = data.consumeRemainingAsBytes();
    Path dir = Files.createTempDirectory("pickle-fuzz");
    Path file = dir.resolve(name);
    try {
      Files.write(file, content);
      new PickleScanner().scan(dir, file, name, LIMITS);
    } finally {
      Files.deleteIfExists(file);
      Files.delete(dir);
    }
  }
}
