package io.bulwark.security.jwt;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What one issuer's tokens must satisfy. Build with {@link #builder(String, String)}.
 *
 * @param issuer the exact {@code iss} (no normalisation: a trailing slash is a different issuer)
 * @param audiences the token's {@code aud} must contain at least one of these, compared exactly
 * @param algorithms the allowlist; a token's {@code alg} must be in it and equal its key's
 *     algorithm
 * @param leeway tolerated clock skew for {@code exp}, {@code nbf} and {@code iat}, at most {@link
 *     #MAX_LEEWAY}
 * @param maxTokenBytes longest token accepted, checked before any decoding; at most {@link
 *     #MAX_TOKEN_BYTES_LIMIT}
 * @param requiredType when set, the header {@code typ} must name this media type (compared
 *     case-insensitively, with or without {@code application/}, RFC 8725 section 3.11)
 * @param maxLifetime when set, {@code exp} may lie at most this far after {@code iat} (or after now
 *     when there is no {@code iat})
 */
public record TokenPolicy(
    String issuer,
    Set<String> audiences,
    Set<JwsAlgorithm> algorithms,
    Duration leeway,
    int maxTokenBytes,
    @Nullable String requiredType,
    @Nullable Duration maxLifetime) {
  /** Largest leeway a policy may set. */
  public static final Duration MAX_LEEWAY = Duration.ofMinutes(5);

  /** Default token size limit. */
  public static final int DEFAULT_MAX_TOKEN_BYTES = 8 * 1024;

  /** Largest token size limit a policy may set. */
  public static final int MAX_TOKEN_BYTES_LIMIT = 64 * 1024;

  /** Longest issuer, audience or type string accepted in a policy. */
  public static final int MAX_NAME_CHARS = 1024;

  public TokenPolicy {
    checkName("issuer", issuer);
    audiences = Set.copyOf(audiences);
    if (audiences.isEmpty()) {
      throw new IllegalArgumentException("at least one audience is required");
    }
    audiences.forEach(a -> checkName("audience", a));
    algorithms = Set.copyOf(algorithms);
    if (algorithms.isEmpty()) {
      throw new IllegalArgumentException("at least one algorithm is required");
    }
    Objects.requireNonNull(leeway, "leeway");
    if (leeway.isNegative() || leeway.compareTo(MAX_LEEWAY) > 0) {
      throw new IllegalArgumentException("leeway must be between 0 and " + MAX_LEEWAY);
    }
    if (maxTokenBytes < 1 || maxTokenBytes > MAX_TOKEN_BYTES_LIMIT) {
      throw new IllegalArgumentException(
          "maxTokenBytes must be between 1 and " + MAX_TOKEN_BYTES_LIMIT);
    }
    if (requiredType != null) {
      checkName("requiredType", requiredType);
    }
    if (maxLifetime != null && (maxLifetime.isNegative() || maxLifetime.isZero())) {
      throw new IllegalArgumentException("maxLifetime must be positive");
    }
  }

  private static void checkName(String what, String value) {
    Objects.requireNonNull(value, what);
    if (value.isEmpty() || value.length() > MAX_NAME_CHARS) {
      throw new IllegalArgumentException(what + " must have 1 to " + MAX_NAME_CHARS + " chars");
    }
  }

  /**
   * A builder with secure defaults: algorithms RS256 and ES256, leeway 60 s, {@value
   * #DEFAULT_MAX_TOKEN_BYTES} bytes, no required {@code typ}, lifetime at most 24 hours.
   */
  public static Builder builder(String issuer, String audience) {
    return new Builder(issuer, audience);
  }

  /** Validating builder for {@link TokenPolicy}; {@link #build()} checks every value. */
  public static final class Builder {
    private final String issuer;
    private Set<String> audiences;
    private Set<JwsAlgorithm> algorithms = EnumSet.of(JwsAlgorithm.RS256, JwsAlgorithm.ES256);
    private Duration leeway = Duration.ofSeconds(60);
    private int maxTokenBytes = DEFAULT_MAX_TOKEN_BYTES;
    private @Nullable String requiredType;
    private @Nullable Duration maxLifetime = Duration.ofHours(24);

    private Builder(String issuer, String audience) {
      this.issuer = issuer;
      this.audiences = Set.of(audience);
    }

    public Builder audiences(Set<String> audiences) {
      this.audiences = Set.copyOf(audiences);
      return this;
    }

    public Builder algorithms(Set<JwsAlgorithm> algorithms) {
      this.algorithms = Set.copyOf(algorithms);
      return this;
    }

    public Builder leeway(Duration leeway) {
      this.leeway = leeway;
      return this;
    }

    public Builder maxTokenBytes(int maxTokenBytes) {
      this.maxTokenBytes = maxTokenBytes;
      return this;
    }

    public Builder requiredType(@Nullable String requiredType) {
      this.requiredType = requiredType;
      return this;
    }

    /** Null disables the lifetime check (not recommended). */
    public Builder maxLifetime(@Nullable Duration maxLifetime) {
      this.maxLifetime = maxLifetime;
      return this;
    }

    public TokenPolicy build() {
      return new TokenPolicy(
          issuer, audiences, algorithms, leeway, maxTokenBytes, requiredType, maxLifetime);
    }
  }
}
