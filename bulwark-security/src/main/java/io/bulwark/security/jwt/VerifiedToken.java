package io.bulwark.security.jwt;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A token whose signature, header and claims passed every check of its {@link TokenPolicy}. Only a
 * {@link TokenValidator} should create one.
 *
 * @param subject the {@code sub} claim
 * @param issuer the {@code iss} claim (equal to the policy's issuer)
 * @param audiences the token's {@code aud} values (at least one is in the policy)
 * @param claims every claim, as immutable Java values: String, Boolean, Long or BigInteger,
 *     BigDecimal, List and Map; members whose value is JSON null are left out
 * @param kid the key id that verified the token, or null when the set's only key had none
 * @param algorithm the algorithm that verified the signature
 * @param expiresAt the {@code exp} claim
 */
public record VerifiedToken(
    String subject,
    String issuer,
    List<String> audiences,
    Map<String, Object> claims,
    @Nullable String kid,
    JwsAlgorithm algorithm,
    Instant expiresAt) {
  public VerifiedToken {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(issuer, "issuer");
    audiences = List.copyOf(audiences);
    claims = Map.copyOf(claims);
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** The claim {@code name} if it is a JSON string. */
  public java.util.Optional<String> stringClaim(String name) {
    return claims.get(name) instanceof String s
        ? java.util.Optional.of(s)
        : java.util.Optional.empty();
  }
}
