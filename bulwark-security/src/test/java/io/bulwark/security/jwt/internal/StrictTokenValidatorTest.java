package io.bulwark.security.jwt.internal;

import static io.bulwark.security.jwt.internal.TestTokens.AUDIENCE;
import static io.bulwark.security.jwt.internal.TestTokens.ISSUER;
import static io.bulwark.security.jwt.internal.TestTokens.NOW;
import static io.bulwark.security.jwt.internal.TestTokens.b64;
import static io.bulwark.security.jwt.internal.TestTokens.claims;
import static io.bulwark.security.jwt.internal.TestTokens.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.security.jwt.JwkSet;
import io.bulwark.security.jwt.JwsAlgorithm;
import io.bulwark.security.jwt.TokenPolicy;
import io.bulwark.security.jwt.TokenRejectedException;
import io.bulwark.security.jwt.TokenValidator;
import io.bulwark.security.jwt.VerifiedToken;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The validator with keys and tokens made here, including every limit just below and above. */
class StrictTokenValidatorTest {
  private static final String ES256 = "SHA256withECDSAinP1363Format";
  private static final String HEADER = "{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"at+jwt\"}";
  private static final Instant AT = Instant.ofEpochSecond(NOW);

  private static KeyPair ec;
  private static JwkSet keys;

  @BeforeAll
  static void keys() throws Exception {
    ec = TestTokens.ecKeyPair("secp256r1");
    keys =
        JwkSet.parse(
            TestTokens.set(TestTokens.ecJwk((ECPublicKey) ec.getPublic(), "P-256", 32, "k1", ""))
                .getBytes(StandardCharsets.UTF_8));
  }

  private static TokenPolicy.Builder policy() {
    return TokenPolicy.builder(ISSUER, AUDIENCE).requiredType("at+jwt");
  }

  private static VerifiedToken validate(TokenPolicy policy, String token, Instant now)
      throws TokenRejectedException {
    return TokenValidator.create(keys, policy).validate(token, now);
  }

  private static String token(String header, String claims) throws Exception {
    return sign(header, claims, ec.getPrivate(), ES256);
  }

  private static String rejection(TokenPolicy policy, String token, Instant now) {
    try {
      validate(policy, token, now);
    } catch (TokenRejectedException e) {
      return e.reason();
    }
    throw new AssertionError("token was accepted");
  }

  @Test
  void validate_wellFormedToken_returnsClaims() throws Exception {
    VerifiedToken t =
        validate(
            policy().build(),
            token(HEADER, claims(",\"roles\":[\"reader\"],\"n\":null,\"o\":{\"a\":1.5}")),
            AT);
    assertThat(t.subject()).isEqualTo("alice");
    assertThat(t.issuer()).isEqualTo(ISSUER);
    assertThat(t.audiences()).containsExactly(AUDIENCE);
    assertThat(t.kid()).isEqualTo("k1");
    assertThat(t.algorithm()).isEqualTo(JwsAlgorithm.ES256);
    assertThat(t.expiresAt()).isEqualTo(Instant.ofEpochSecond(NOW + 300));
    assertThat(t.claims()).containsEntry("roles", List.of("reader")).doesNotContainKey("n");
    assertThat(t.claims().get("o")).isEqualTo(Map.of("a", new java.math.BigDecimal("1.5")));
  }

  @Test
  void validate_tokenSizeAtAndAboveLimit_acceptsThenRejectsFirst() throws Exception {
    String t = token(HEADER, claims(""));
    validate(policy().maxTokenBytes(t.length()).build(), t, AT);
    assertThat(rejection(policy().maxTokenBytes(t.length() - 1).build(), t, AT))
        .isEqualTo("token is larger than " + (t.length() - 1) + " bytes");
    // Size is checked before anything else: garbage of the same length fails on size.
    String junk = "\u0000".repeat(t.length());
    assertThat(rejection(policy().maxTokenBytes(t.length() - 1).build(), junk, AT))
        .startsWith("token is larger");
  }

  @Test
  void validate_headerLengthAtAndAboveLimit_acceptsThenRejects() throws Exception {
    // 1536 JSON bytes encode to exactly 2048 characters, 1537 to 2050.
    String base = "{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"at+jwt\",\"p\":\"\"}";
    String fits = base.replace("\"p\":\"\"", "\"p\":\"" + "a".repeat(1536 - base.length()) + "\"");
    String over = base.replace("\"p\":\"\"", "\"p\":\"" + "a".repeat(1537 - base.length()) + "\"");
    TokenPolicy p = policy().maxTokenBytes(TokenPolicy.MAX_TOKEN_BYTES_LIMIT).build();
    validate(p, token(fits, claims("")), AT);
    assertThat(rejection(p, token(over, claims("")), AT)).startsWith("header is longer than 2048");
  }

  @Test
  void validate_headerDepthAtAndAboveLimit_acceptsThenRejects() throws Exception {
    String atLimit = "{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"at+jwt\",\"x\":[[[1]]]}";
    String above = "{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"at+jwt\",\"x\":[[[[1]]]]}";
    validate(policy().build(), token(atLimit, claims("")), AT);
    assertThat(rejection(policy().build(), token(above, claims("")), AT))
        .startsWith("header is not a valid");
  }

  @Test
  void validate_claimsDepthAtAndAboveLimit_acceptsThenRejects() throws Exception {
    String atLimit = ",\"x\":" + "[".repeat(7) + "1" + "]".repeat(7);
    String above = ",\"x\":" + "[".repeat(8) + "1" + "]".repeat(8);
    validate(policy().build(), token(HEADER, claims(atLimit)), AT);
    assertThat(rejection(policy().build(), token(HEADER, claims(above)), AT))
        .startsWith("claims are not a valid");
  }

  @Test
  void validate_kidLengthAboveLimit_rejected() throws Exception {
    String longKid = "k".repeat(JwkParser.MAX_KID_CHARS + 1);
    String header = "{\"alg\":\"ES256\",\"kid\":\"" + longKid + "\",\"typ\":\"at+jwt\"}";
    assertThat(rejection(policy().build(), token(header, claims("")), AT))
        .startsWith("kid is longer than 256");
    String atLimit = "k".repeat(JwkParser.MAX_KID_CHARS);
    header = "{\"alg\":\"ES256\",\"kid\":\"" + atLimit + "\",\"typ\":\"at+jwt\"}";
    assertThat(rejection(policy().build(), token(header, claims("")), AT))
        .startsWith("unknown kid");
  }

  @Test
  void validate_expiryAroundLeeway_acceptsThenRejects() throws Exception {
    String t = token(HEADER, claims(""));
    TokenPolicy p = policy().leeway(Duration.ofSeconds(60)).build();
    validate(p, t, Instant.ofEpochSecond(NOW + 300 + 59));
    assertThat(rejection(p, t, Instant.ofEpochSecond(NOW + 300 + 60))).isEqualTo("token expired");
  }

  @Test
  void validate_notBeforeAndIssuedAtAroundLeeway_acceptsThenRejects() throws Exception {
    TokenPolicy p = policy().leeway(Duration.ofSeconds(60)).build();
    validate(p, token(HEADER, claims(",\"nbf\":" + (NOW + 60))), AT);
    assertThat(rejection(p, token(HEADER, claims(",\"nbf\":" + (NOW + 61))), AT))
        .startsWith("token not yet valid");
    String iatOk =
        "{\"iss\":\""
            + ISSUER
            + "\",\"sub\":\"a\",\"aud\":\""
            + AUDIENCE
            + "\",\"exp\":"
            + (NOW + 300)
            + ",\"iat\":"
            + (NOW + 60)
            + "}";
    validate(p, token(HEADER, iatOk), AT);
    assertThat(rejection(p, token(HEADER, iatOk.replace("" + (NOW + 60), "" + (NOW + 61))), AT))
        .startsWith("token issued in the future");
  }

  @Test
  void validate_lifetimeAtAndAboveLimit_acceptsThenRejects() throws Exception {
    String t = token(HEADER, claims(""));
    validate(policy().maxLifetime(Duration.ofSeconds(310)).build(), t, AT);
    assertThat(rejection(policy().maxLifetime(Duration.ofSeconds(309)).build(), t, AT))
        .startsWith("token lifetime exceeds 309");
  }

  @Test
  void policy_leewayAboveMaximum_refused() {
    TokenPolicy.builder(ISSUER, AUDIENCE).leeway(TokenPolicy.MAX_LEEWAY).build();
    assertThatThrownBy(
            () ->
                TokenPolicy.builder(ISSUER, AUDIENCE)
                    .leeway(TokenPolicy.MAX_LEEWAY.plusSeconds(1))
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                TokenPolicy.builder(ISSUER, AUDIENCE)
                    .maxTokenBytes(TokenPolicy.MAX_TOKEN_BYTES_LIMIT + 1)
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void validate_typeVariants_comparedAsMediaTypes() throws Exception {
    String header = "{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"application/AT+JWT\"}";
    validate(policy().build(), token(header, claims("")), AT);
    String jwt = "{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"JWT\"}";
    assertThat(rejection(policy().build(), token(jwt, claims("")), AT)).startsWith("typ \"JWT\"");
    validate(policy().requiredType(null).build(), token(jwt, claims("")), AT);
  }

  @Test
  void validate_audienceArray_acceptsWhenOneMatchesExactly() throws Exception {
    String c = claims("").replace("\"aud\":\"" + AUDIENCE + "\"", "\"aud\":[\"x\",\"bulwark\"]");
    assertThat(validate(policy().build(), token(HEADER, c), AT).audiences())
        .containsExactly("x", "bulwark");
    String wrongType = claims("").replace("\"aud\":\"" + AUDIENCE + "\"", "\"aud\":[1]");
    assertThat(rejection(policy().build(), token(HEADER, wrongType), AT)).startsWith("aud is not");
  }

  @Test
  void validate_nonCanonicalBase64_rejected() throws Exception {
    String t = token(HEADER, claims(""));
    int d1 = t.indexOf('.');
    int d2 = t.lastIndexOf('.');
    String[] parts = {t.substring(0, d1), t.substring(d1 + 1, d2), t.substring(d2 + 1)};
    assertThat(rejection(policy().build(), parts[0] + "=." + parts[1] + "." + parts[2], AT))
        .contains("outside base64url");
    // Same bytes, different unused bits in the last character of the signature.
    char last = parts[2].charAt(parts[2].length() - 1);
    char sibling = (char) (last + 1);
    assertThat(
            rejection(
                policy().build(),
                parts[0]
                    + "."
                    + parts[1]
                    + "."
                    + parts[2].substring(0, parts[2].length() - 1)
                    + sibling,
                AT))
        .isNotEmpty();
  }

  @Test
  void validate_headerMembers_refusedOutright() throws Exception {
    for (String member :
        List.of(
            "\"jku\":\"https://x\"",
            "\"x5u\":\"https://x\"",
            "\"jwk\":{}",
            "\"x5c\":[]",
            "\"crit\":[\"exp\"]",
            "\"b64\":true",
            "\"enc\":\"A128GCM\"",
            "\"cty\":\"JWT\"")) {
      String header = "{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"at+jwt\"," + member + "}";
      assertThat(rejection(policy().build(), token(header, claims("")), AT))
          .as(member)
          .isNotEmpty();
    }
  }

  @Test
  void validate_nullInsideClaimArray_rejected() throws Exception {
    assertThat(rejection(policy().build(), token(HEADER, claims(",\"r\":[null]")), AT))
        .contains("null");
  }

  @Test
  void create_hmacAllowedWithoutSymmetricKey_refused() {
    assertThatThrownBy(
            () ->
                TokenValidator.create(
                    keys, policy().algorithms(EnumSet.of(JwsAlgorithm.HS256)).build()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void validate_rsaKeyWithoutAlg_boundToTheOneAllowedRsaAlgorithm() throws Exception {
    KeyPair rsa = TestTokens.rsaKeyPair(2048);
    JwkSet set =
        JwkSet.parse(
            TestTokens.set(TestTokens.rsaJwk((RSAPublicKey) rsa.getPublic(), "r", ""))
                .getBytes(StandardCharsets.UTF_8));
    String header = "{\"alg\":\"PS256\",\"kid\":\"r\",\"typ\":\"at+jwt\"}";
    String t = sign(header, claims(""), rsa.getPrivate(), "PS256");
    TokenPolicy onlyPs = policy().algorithms(Set.of(JwsAlgorithm.PS256)).build();
    assertThat(TokenValidator.create(set, onlyPs).validate(t, AT).algorithm())
        .isEqualTo(JwsAlgorithm.PS256);
    TokenPolicy two = policy().algorithms(Set.of(JwsAlgorithm.PS256, JwsAlgorithm.RS256)).build();
    assertThatThrownBy(() -> TokenValidator.create(set, two))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void validate_ed25519Token_accepted() throws Exception {
    KeyPair ed = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] spki = ed.getPublic().getEncoded();
    byte[] x = java.util.Arrays.copyOfRange(spki, spki.length - 32, spki.length);
    JwkSet set =
        JwkSet.parse(
            TestTokens.set(
                    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"e\",\"x\":\"" + b64(x) + "\"}")
                .getBytes(StandardCharsets.UTF_8));
    String header = "{\"alg\":\"EdDSA\",\"kid\":\"e\",\"typ\":\"at+jwt\"}";
    String t = sign(header, claims(""), ed.getPrivate(), "Ed25519");
    TokenPolicy p = policy().algorithms(Set.of(JwsAlgorithm.EDDSA)).build();
    assertThat(TokenValidator.create(set, p).validate(t, AT).algorithm())
        .isEqualTo(JwsAlgorithm.EDDSA);
  }
}
