package io.bulwark.signing.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bulwark.signing.VerificationException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;

/**
 * Coverage-guided fuzzing of the bundle and statement parsers and the ECDSA encoding check. In a
 * normal run this replays seeds only; {@code JAZZER_FUZZ=1} fuzzes for real. Malformed input may
 * only be refused with the checked exception of each parser.
 */
class OmsCodecJazzerTest {
  private static final BigInteger P256_ORDER =
      new BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);

  @FuzzTest(maxDuration = "30s")
  void parse_anyBytes_failsOnlyWithVerificationException(FuzzedDataProvider data) {
    boolean bundle = data.consumeBoolean();
    byte[] json = data.consumeRemainingAsBytes();
    try {
      if (bundle) {
        OmsCodec.parseBundle(json);
      } else {
        OmsCodec.parseStatement(json, 100);
      }
    } catch (VerificationException expected) {
      // malformed input is refused
    }
  }

  @FuzzTest(maxDuration = "30s")
  void checkEcdsaDer_anyBytes_failsOnlySignatureException(FuzzedDataProvider data) {
    try {
      StrictSignatures.checkEcdsaDer(data.consumeRemainingAsBytes(), P256_ORDER);
    } catch (GeneralSecurityException expected) {
      // malformed encodings are refused
    }
  }
}
