package io.bulwark.security.jwt;

import io.bulwark.security.jwt.internal.StrictTokenValidator;
import java.time.Instant;

/**
 * Validates compact-JWS access tokens from one issuer against a fixed {@link JwkSet} and {@link
 * TokenPolicy}. If {@link #validate} returns, every check passed; otherwise it throws {@link
 * TokenRejectedException} naming the first check that failed. Checks run cheapest first: size,
 * shape and encoding, header (no {@code jku}/{@code x5u}/{@code jwk}/{@code x5c}, no {@code crit},
 * {@code typ}), key by exact {@code kid}, algorithm bound to the key and allowlisted, exact
 * signature length and ECDSA range, the signature itself, then the claims ({@code iss}, {@code
 * aud}, {@code exp}, {@code nbf}, {@code iat} with bounded leeway, lifetime). Nothing is fetched.
 * Instances are immutable and thread-safe.
 */
public interface TokenValidator {
  /** Validates {@code token} as of {@code now}. */
  VerifiedToken validate(String token, Instant now) throws TokenRejectedException;

  /**
   * A validator for {@code policy} with {@code keys}.
   *
   * @throws IllegalArgumentException if the policy allows HMAC without symmetric keys in the set
   *     (or the reverse), or if no key in the set can be used with the allowed algorithms
   */
  static TokenValidator create(JwkSet keys, TokenPolicy policy) {
    return new StrictTokenValidator(keys, policy);
  }
}
