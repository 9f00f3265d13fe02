package io.bulwark.security.jwt.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bulwark.security.jwt.InvalidKeySetException;
import io.bulwark.security.jwt.JwkSet;
import io.bulwark.security.jwt.TokenPolicy;
import io.bulwark.security.jwt.TokenRejectedException;
import io.bulwark.security.jwt.TokenValidator;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;

/**
 * Coverage-guided fuzzing of the token and JWK Set parsers. In a normal run this replays seeds
 * only; {@code JAZZER_FUZZ=1} fuzzes for real. Hostile input may only be refused with the checked
 * exception of each parser, never with a runtime exception or an error.
 */
class TokenParserJazzerTest {
  /**
   * Created on first use, not when the class loads: classes loaded before Jazzer's agent starts get
   * no coverage instrumentation, and the fuzzer would then run blind.
   */
  private static final class Holder {
    static final TokenValidator VALIDATOR = validator();
  }

  private static TokenValidator validator() {
    try {
      ECPublicKey key = (ECPublicKey) TestTokens.ecKeyPair("secp256r1").getPublic();
      JwkSet keys =
          JwkSet.parse(
              TestTokens.set(TestTokens.ecJwk(key, "P-256", 32, "k1", ""))
                  .getBytes(StandardCharsets.UTF_8));
      return TokenValidator.create(
          keys,
          TokenPolicy.builder(TestTokens.ISSUER, TestTokens.AUDIENCE)
              .requiredType("at+jwt")
              .build());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void validate_anyString_failsOnlyWithTokenRejected(FuzzedDataProvider data) {
    boolean structured = data.consumeBoolean();
    String token;
    if (structured) {
      // Well-formed outer shape so that the fuzzer reaches the header and claims parsers.
      String header = data.consumeString(300);
      String claims = data.consumeString(600);
      token =
          TestTokens.b64(header)
              + "."
              + TestTokens.b64(claims)
              + "."
              + TestTokens.b64(data.consumeRemainingAsBytes());
    } else {
      token = data.consumeRemainingAsString();
    }
    try {
      Holder.VALIDATOR.validate(token, Instant.ofEpochSecond(TestTokens.NOW));
    } catch (TokenRejectedException expected) {
      // hostile input is refused
    }
  }

  @FuzzTest(maxDuration = "30s")
  void parseJwkSet_anyBytes_failsOnlyWithInvalidKeySet(FuzzedDataProvider data) {
    boolean symmetric = data.consumeBoolean();
    byte[] json = data.consumeRemainingAsBytes();
    try {
      if (symmetric) {
        JwkSet.parseAllowingSymmetricKeys(json);
      } else {
        JwkSet.parse(json);
      }
    } catch (InvalidKeySetException expected) {
      // hostile input is refused
    }
  }
}
