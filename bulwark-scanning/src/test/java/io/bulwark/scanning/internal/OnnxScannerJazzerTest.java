package io.bulwark.scanning.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bulwark.scanning.ScanLimits;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the protobuf reader and the ONNX rules. In a normal test run this
 * replays the seeds under {@code OnnxScannerJazzerTestInputs/} (if any); {@code JAZZER_FUZZ=1}
 * fuzzes for real. Any input may be unsafe, but the scanner may only fail with {@link IOException}.
 */
class OnnxScannerJazzerTest {
  private static final OnnxScanner SCANNER = new OnnxScanner();
  private static final ScanLimits LIMITS = new ScanLimits(1 << 20, 10, 1000, 1000, 10, 10, 10);
  private static final Path ROOT = Path.of(System.getProperty("java.io.tmpdir"), "no-such-package");

  @FuzzTest(maxDuration = "30s")
  void scanModel_anyBytes_failsOnlyWithIoException(FuzzedDataProvider data) {
    boolean withPackage = data.consumeBoolean();
    byte[] model = data.consumeRemainingAsBytes();
    try {
      SCANNER.scanModel(model, withPackage ? ROOT : null, "fuzz.onnx", LIMITS);
    } catch (IOException expected) {
      // an I/O failure while resolving external data is an acceptable answer
    }
  }

  @FuzzTest(maxDuration = "30s")
  void protobufReader_anyBytes_failsOnlyWithFormatException(FuzzedDataProvider data) {
    ProtobufReader in = new ProtobufReader(data.consumeRemainingAsBytes());
    try {
      while (in.hasMore()) {
        int tag = in.readTag();
        if (ProtobufReader.wireType(tag) == ProtobufReader.LENGTH_DELIMITED) {
          in.readMessage();
        } else {
          in.skip(tag);
        }
      }
    } catch (ProtobufFormatException expected) {
      // malformed input is refused
    }
  }
}
