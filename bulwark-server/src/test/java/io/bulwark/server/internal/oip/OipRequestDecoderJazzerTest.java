package io.bulwark.server.internal.oip;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.LimitExceededException;
import io.bulwark.core.Limits;

/**
 * Coverage-guided fuzzing of the inference request decoder. In a normal test run this replays the
 * seeds under {@code OipRequestDecoderJazzerTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes for real.
 * The decoder may refuse any input, but only with the two client-error exceptions.
 */
class OipRequestDecoderJazzerTest {
  private static final OipRequestDecoder DECODER =
      new OipRequestDecoder(
          Limits.defaults()
              .withMaxRequestBytes(1 << 20)
              .withMaxTensorElements(1 << 16)
              .withMaxJsonDepth(16));

  @FuzzTest(maxDuration = "30s")
  void decode_anyBytes_failsOnlyWithClientErrors(FuzzedDataProvider data) {
    String header = data.consumeBoolean() ? String.valueOf(data.consumeInt(-2, 4096)) : null;
    byte[] body = data.consumeRemainingAsBytes();
    try {
      DECODER.decode(body, header);
    } catch (InvalidRequestException | LimitExceededException expected) {
      // a refusal is a correct answer to hostile input
    }
  }
}
