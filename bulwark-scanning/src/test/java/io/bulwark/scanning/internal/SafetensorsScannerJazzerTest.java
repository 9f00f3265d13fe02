package io.bulwark.scanning.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bulwark.scanning.ScanLimits;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Coverage-guided fuzzing of the safetensors header validation. The scanner reports problems as
 * findings and must not throw at all on in-memory input.
 */
class SafetensorsScannerJazzerTest {
  private static final SafetensorsScanner SCANNER = new SafetensorsScanner();
  private static final ScanLimits LIMITS = new ScanLimits(1 << 20, 10, 10, 10, 10, 10, 1 << 16);

  @FuzzTest(maxDuration = "30s")
  void scanBytes_anyBytes_neverThrows(FuzzedDataProvider data) {
    if (data.consumeBoolean()) {
      // a well-formed length prefix makes the fuzzer reach the JSON quickly
      int dataBytes = data.consumeInt(0, 64);
      byte[] header = data.consumeRemainingAsBytes();
      ByteBuffer file =
          ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
      file.putLong(header.length).put(header);
      SCANNER.scanBytes(file.array(), "fuzz.safetensors", LIMITS);
    } else {
      SCANNER.scanBytes(data.consumeRemainingAsBytes(), "fuzz.safetensors", LIMITS);
    }
  }
}
