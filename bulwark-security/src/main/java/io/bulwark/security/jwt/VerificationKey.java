package io.bulwark.security.jwt;

import io.bulwark.core.SecretBytes;
import java.security.PublicKey;
import org.jspecify.annotations.Nullable;

/**
 * One key of a {@link JwkSet}, already checked: a public key (RSA of at least 2048 bits, EC on
 * P-256/P-384/P-521 with a point on the curve, or Ed25519) or, only when explicitly allowed, an
 * HMAC secret at least as long as the hash.
 *
 * @param kid the key id, or null when the JWK had none
 * @param algorithm the single algorithm this key may verify; null only for an RSA key whose JWK
 *     named none, in which case the policy's allowlist must name exactly one RSA algorithm
 * @param publicKey the public key, or null for an HMAC key
 * @param secret the HMAC secret, or null for a public key
 */
public record VerificationKey(
    @Nullable String kid,
    @Nullable JwsAlgorithm algorithm,
    @Nullable PublicKey publicKey,
    @Nullable SecretBytes secret) {
  public VerificationKey {
    if ((publicKey == null) == (secret == null)) {
      throw new IllegalArgumentException("a key is either public or secret");
    }
    if (secret != null && (algorithm == null || !algorithm.symmetric())) {
      throw new IllegalArgumentException("a secret key needs an HMAC algorithm");
    }
    if (publicKey != null && algorithm != null && algorithm.symmetric()) {
      throw new IllegalArgumentException("a public key cannot be used with HMAC");
    }
  }

  /** True for an HMAC key. */
  public boolean symmetric() {
    return secret != null;
  }
}
