package io.bulwark.security.jwt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.security.jwt.InvalidKeySetException;
import io.bulwark.security.jwt.JwkSet;
import io.bulwark.security.jwt.JwsAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** JWK Set parsing: each limit just below and above, and each refusal. */
class JwkParserTest {
  private static ECPublicKey ec;

  @BeforeAll
  static void key() throws Exception {
    ec = (ECPublicKey) TestTokens.ecKeyPair("secp256r1").getPublic();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String ecJwk(String kid, String extra) {
    return TestTokens.ecJwk(ec, "P-256", 32, kid, extra);
  }

  private static String refusal(String json, boolean symmetric) {
    try {
      if (symmetric) {
        JwkSet.parseAllowingSymmetricKeys(utf8(json));
      } else {
        JwkSet.parse(utf8(json));
      }
    } catch (InvalidKeySetException e) {
      return String.valueOf(e.getMessage());
    }
    throw new AssertionError("key set was accepted");
  }

  @Test
  void parse_ecKey_derivesEs256() throws Exception {
    JwkSet set = JwkSet.parse(utf8(TestTokens.set(ecJwk("a", ",\"use\":\"sig\""))));
    assertThat(set.keys())
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.algorithm()).isEqualTo(JwsAlgorithm.ES256);
              assertThat(k.kid()).isEqualTo("a");
            });
    assertThat(set.byKid("a")).isPresent();
    assertThat(set.byKid("A")).isEmpty();
  }

  @Test
  void parse_sizeAtAndAboveLimit_acceptsThenRefuses() throws Exception {
    String json = TestTokens.set(ecJwk("a", ""));
    String fits = json + " ".repeat(JwkSet.MAX_BYTES - json.length());
    JwkSet.parse(utf8(fits));
    assertThat(refusal(fits + " ", false)).contains("larger than " + JwkSet.MAX_BYTES);
  }

  @Test
  void parse_keyCountAtAndAboveLimit_acceptsThenRefuses() throws Exception {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < JwkSet.MAX_KEYS; i++) {
      keys.add(ecJwk("k" + i, ""));
    }
    assertThat(JwkSet.parse(utf8(TestTokens.set(keys.toArray(String[]::new)))).keys())
        .hasSize(JwkSet.MAX_KEYS);
    keys.add(ecJwk("extra", ""));
    assertThat(refusal(TestTokens.set(keys.toArray(String[]::new)), false))
        .contains("more than " + JwkSet.MAX_KEYS);
  }

  @Test
  void parse_kidLengthAtAndAboveLimit_acceptsThenRefuses() throws Exception {
    JwkSet.parse(utf8(TestTokens.set(ecJwk("k".repeat(JwkParser.MAX_KID_CHARS), ""))));
    assertThat(refusal(TestTokens.set(ecJwk("k".repeat(JwkParser.MAX_KID_CHARS + 1), "")), false))
        .contains("kid must have");
  }

  @Test
  void parse_depthAtAndAboveLimit_acceptsThenRefuses() throws Exception {
    JwkSet.parse(utf8(TestTokens.set(ecJwk("a", ",\"key_ops\":[\"verify\"]"))));
    assertThat(refusal(TestTokens.set(ecJwk("a", ",\"x5c\":[[\"deep\"]]")), false))
        .contains("not a valid");
  }

  @Test
  void parse_rsaModulusAtAndBelowMinimum_acceptsThenRefuses() throws Exception {
    KeyPair ok = TestTokens.rsaKeyPair(2048);
    JwkSet.parse(utf8(TestTokens.set(TestTokens.rsaJwk((RSAPublicKey) ok.getPublic(), "r", ""))));
    KeyPair small = TestTokens.rsaKeyPair(2047);
    assertThat(
            refusal(
                TestTokens.set(TestTokens.rsaJwk((RSAPublicKey) small.getPublic(), "r", "")),
                false))
        .contains("shorter than 2048");
  }

  @Test
  void parse_hmacKeyAtAndBelowHashLength_acceptsThenRefuses() throws Exception {
    String k32 = TestTokens.b64(new byte[32]);
    String k31 = TestTokens.b64(new byte[31]);
    String jwk = "{\"kty\":\"oct\",\"alg\":\"HS256\",\"kid\":\"h\",\"k\":\"%s\"}";
    JwkSet.parseAllowingSymmetricKeys(utf8(TestTokens.set(jwk.formatted(k32))));
    assertThat(refusal(TestTokens.set(jwk.formatted(k31)), true)).contains("shorter than 32");
    assertThat(refusal(TestTokens.set(jwk.formatted(k32)), false)).contains("symmetric keys");
  }

  @Test
  void parse_unsafeOrAmbiguousKeys_refused() throws Exception {
    String hmac =
        "{\"kty\":\"oct\",\"alg\":\"HS256\",\"kid\":\"h\",\"k\":\""
            + TestTokens.b64(new byte[32])
            + "\"}";
    assertThat(refusal(TestTokens.set(hmac, ecJwk("a", "")), true)).contains("mixes");
    assertThat(refusal(TestTokens.set(ecJwk("a", ""), ecJwk("a", "")), false))
        .contains("duplicate kid");
    assertThat(refusal(TestTokens.set(ecJwk("a", ",\"d\":\"AA\"")), false)).contains("private");
    assertThat(refusal(TestTokens.set(ecJwk("a", ",\"use\":\"enc\"")), false)).contains("use");
    assertThat(refusal(TestTokens.set(ecJwk("a", ",\"key_ops\":[\"encrypt\"]")), false))
        .contains("key_ops");
    assertThat(refusal(TestTokens.set(ecJwk("a", ",\"alg\":\"ES384\"")), false))
        .contains("does not fit");
    assertThat(refusal(TestTokens.set(ecJwk("a", ",\"alg\":\"none\"")), false))
        .contains("not a supported");
    String offCurve =
        ecJwk("a", "")
            .replaceFirst("\"y\":\"[^\"]+\"", "\"y\":\"" + TestTokens.b64(new byte[32]) + "\"");
    assertThat(refusal(TestTokens.set(offCurve), false)).contains("not on curve");
    assertThat(refusal("{\"keys\":[]}", false)).contains("no keys");
    assertThat(refusal("{\"keys\":[],\"keys\":[]}", false)).contains("not a valid");
    assertThat(refusal("[]", false)).contains("not a valid");
  }

  @Test
  void parse_rsaExponentOne_refused() throws Exception {
    KeyPair ok = TestTokens.rsaKeyPair(2048);
    String jwk =
        TestTokens.rsaJwk((RSAPublicKey) ok.getPublic(), "r", "")
            .replace("\"e\":\"AQAB\"", "\"e\":\"AQ\"");
    assertThat(refusal(TestTokens.set(jwk), false)).contains("exponent");
  }

  @Test
  void of_mixedKeys_refused() throws Exception {
    JwkSet ecSet = JwkSet.parse(utf8(TestTokens.set(ecJwk("a", ""))));
    JwkSet hmacSet =
        JwkSet.parseAllowingSymmetricKeys(
            utf8(
                TestTokens.set(
                    "{\"kty\":\"oct\",\"alg\":\"HS256\",\"kid\":\"h\",\"k\":\""
                        + TestTokens.b64(new byte[32])
                        + "\"}")));
    List<io.bulwark.security.jwt.VerificationKey> both = new ArrayList<>(ecSet.keys());
    both.addAll(hmacSet.keys());
    assertThatThrownBy(() -> JwkSet.of(both)).isInstanceOf(IllegalArgumentException.class);
    assertThat(hmacSet.keys().get(0).toString()).doesNotContain("AAAAAAAA");
  }
}
