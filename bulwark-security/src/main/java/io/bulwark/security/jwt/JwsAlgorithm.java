package io.bulwark.security.jwt;

import java.util.Optional;

/**
 * The JWS algorithms this validator can verify (RFC 7518 and RFC 8037). {@code none} is not one of
 * them and never will be.
 */
public enum JwsAlgorithm {
  HS256("HS256", 32),
  HS384("HS384", 48),
  HS512("HS512", 64),
  RS256("RS256", 32),
  RS384("RS384", 48),
  RS512("RS512", 64),
  PS256("PS256", 32),
  PS384("PS384", 48),
  PS512("PS512", 64),
  ES256("ES256", 32),
  ES384("ES384", 48),
  ES512("ES512", 64),
  EDDSA("EdDSA", 64);

  private final String joseName;
  private final int hashBytes;

  JwsAlgorithm(String joseName, int hashBytes) {
    this.joseName = joseName;
    this.hashBytes = hashBytes;
  }

  /** The name in a JOSE header or JWK {@code alg}, case-sensitive as RFC 7515 requires. */
  public String joseName() {
    return joseName;
  }

  /** Output size of the hash (for HMAC also the minimum key size, RFC 7518 section 3.2). */
  public int hashBytes() {
    return hashBytes;
  }

  /** True for the HMAC algorithms, whose key is a shared secret. */
  public boolean symmetric() {
    return this == HS256 || this == HS384 || this == HS512;
  }

  /** True for RS* and PS*, which an RSA key may be used with. */
  public boolean rsa() {
    return name().startsWith("RS") || name().startsWith("PS");
  }

  /** The algorithm with exactly this JOSE name; empty for unknown names, {@code none} included. */
  public static Optional<JwsAlgorithm> fromJoseName(String name) {
    for (JwsAlgorithm a : values()) {
      if (a.joseName.equals(name)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
