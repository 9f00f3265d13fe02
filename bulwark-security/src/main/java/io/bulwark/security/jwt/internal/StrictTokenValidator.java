package io.bulwark.security.jwt.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.security.jwt.JwkSet;
import io.bulwark.security.jwt.JwsAlgorithm;
import io.bulwark.security.jwt.TokenPolicy;
import io.bulwark.security.jwt.TokenRejectedException;
import io.bulwark.security.jwt.TokenValidator;
import io.bulwark.security.jwt.VerificationKey;
import io.bulwark.security.jwt.VerifiedToken;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** {@link TokenValidator} over {@link CompactJws} plus the RFC 7519 / RFC 9068 claim checks. */
public final class StrictTokenValidator implements TokenValidator {
  /** Latest NumericDate accepted: 9999-12-31T23:59:59Z; later values are garbage or overflow. */
  static final long MAX_NUMERIC_DATE = 253_402_300_799L;

  private final TokenPolicy policy;
  private final CompactJws jws;

  public StrictTokenValidator(JwkSet keys, TokenPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
    boolean hmacAllowed = policy.algorithms().stream().anyMatch(JwsAlgorithm::symmetric);
    if (hmacAllowed && !keys.hasSymmetricKeys()) {
      throw new IllegalArgumentException(
          "the policy allows HMAC but the key set holds no symmetric key");
    }
    List<JwsAlgorithm> rsaAllowed =
        policy.algorithms().stream().filter(JwsAlgorithm::rsa).sorted().toList();
    // An RSA JWK without alg is bound to the one RSA algorithm the policy allows, never to
    // whatever a token asks for; with several allowed it stays unusable.
    JwsAlgorithm rsaDefault = rsaAllowed.size() == 1 ? rsaAllowed.get(0) : null;
    boolean usable = false;
    for (VerificationKey key : keys.keys()) {
      JwsAlgorithm alg = key.algorithm();
      if (alg == null && !key.symmetric()) {
        alg = rsaDefault;
      }
      usable |= alg != null && policy.algorithms().contains(alg);
    }
    if (!usable) {
      throw new IllegalArgumentException(
          "no key in the set can be used with the allowed algorithms");
    }
    this.jws = new CompactJws(keys, policy.algorithms(), rsaDefault, policy.maxTokenBytes());
  }

  @Override
  public VerifiedToken validate(String token, Instant now) throws TokenRejectedException {
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(now, "now");
    CompactJws.Verified verified = jws.verify(token);
    checkType(verified.header());
    JsonNode claims;
    try {
      claims = JoseJson.claims(verified.payload());
    } catch (IOException e) {
      throw reject("claims are not a valid, unambiguous JSON object");
    }
    String issuer = string(claims, "iss");
    if (!issuer.equals(policy.issuer())) {
      throw reject("iss " + JwkParser.quote(issuer) + " is not the configured issuer");
    }
    List<String> audiences = audiences(claims);
    if (audiences.stream().noneMatch(policy.audiences()::contains)) {
      throw reject("aud does not name this service");
    }
    String subject = string(claims, "sub");
    if (subject.isEmpty()) {
      throw reject("sub is empty");
    }
    long nowSeconds = now.getEpochSecond();
    long leeway = policy.leeway().toSeconds();
    Long exp = numericDate(claims, "exp");
    if (exp == null) {
      throw reject("exp is missing");
    }
    if (nowSeconds - leeway >= exp) {
      throw reject("token expired");
    }
    Long nbf = numericDate(claims, "nbf");
    if (nbf != null && nbf > nowSeconds + leeway) {
      throw reject("token not yet valid (nbf)");
    }
    Long iat = numericDate(claims, "iat");
    if (iat != null && iat > nowSeconds + leeway) {
      throw reject("token issued in the future (iat)");
    }
    Duration maxLifetime = policy.maxLifetime();
    if (maxLifetime != null) {
      long from = iat != null ? iat : nowSeconds;
      if (exp - from > maxLifetime.toSeconds()) {
        throw reject("token lifetime exceeds " + maxLifetime.toSeconds() + " s");
      }
    }
    Map<String, Object> map;
    try {
      map = JoseJson.toMap(claims);
    } catch (IllegalArgumentException e) {
      throw reject("claims contain null inside an array");
    }
    JsonNode kid = verified.header().get("kid");
    return new VerifiedToken(
        subject,
        issuer,
        audiences,
        map,
        kid == null ? null : kid.textValue(),
        verified.algorithm(),
        Instant.ofEpochSecond(exp));
  }

  private void checkType(JsonNode header) throws TokenRejectedException {
    String required = policy.requiredType();
    if (required == null) {
      return;
    }
    JsonNode typ = header.get("typ");
    if (typ == null || !typ.isTextual()) {
      throw reject("typ is missing; " + required + " is required");
    }
    if (!mediaType(typ.textValue()).equals(mediaType(required))) {
      throw reject("typ " + JwkParser.quote(typ.textValue()) + " is not " + required);
    }
  }

  /** RFC 7515 4.1.9: compare case-insensitively, "application/" may be left out. */
  static String mediaType(String typ) {
    String t = typ.toLowerCase(Locale.ROOT);
    return t.startsWith("application/") ? t.substring("application/".length()) : t;
  }

  private static String string(JsonNode claims, String name) throws TokenRejectedException {
    JsonNode v = claims.get(name);
    if (v == null || v.isNull()) {
      throw reject(name + " is missing");
    }
    if (!v.isTextual()) {
      throw reject(name + " is not a string");
    }
    return v.textValue();
  }

  private static List<String> audiences(JsonNode claims) throws TokenRejectedException {
    JsonNode aud = claims.get("aud");
    if (aud == null || aud.isNull()) {
      throw reject("aud is missing");
    }
    if (aud.isTextual()) {
      return List.of(aud.textValue());
    }
    if (!aud.isArray() || aud.isEmpty()) {
      throw reject("aud is not a string or a non-empty array of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode a : aud) {
      if (!a.isTextual()) {
        throw reject("aud is not a string or a non-empty array of strings");
      }
      out.add(a.textValue());
    }
    return out;
  }

  /**
   * A NumericDate as whole seconds. Strings are refused rather than ignored (a claim of the wrong
   * type must never count as absent), and so are fractions: issuers send integers, and rounding a
   * fraction either way would be a silent policy.
   */
  private static @Nullable Long numericDate(JsonNode claims, String name)
      throws TokenRejectedException {
    JsonNode v = claims.get(name);
    if (v == null) {
      return null;
    }
    if (!v.isIntegralNumber()) {
      throw reject(name + " is not an integer NumericDate");
    }
    if (!v.canConvertToLong() || v.longValue() < 0 || v.longValue() > MAX_NUMERIC_DATE) {
      throw reject(name + " is out of range");
    }
    return v.longValue();
  }

  private static TokenRejectedException reject(String reason) {
    return CompactJws.reject(reason);
  }
}
