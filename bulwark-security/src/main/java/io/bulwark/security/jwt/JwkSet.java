package io.bulwark.security.jwt;

import io.bulwark.security.jwt.internal.JwkParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A trusted, immutable set of verification keys, parsed strictly from a JWK Set document (RFC
 * 7517). Parsing refuses the whole set when any key is unsafe or ambiguous: more than {@value
 * #MAX_BYTES} bytes or {@value #MAX_KEYS} keys, JSON nested deeper than {@value #MAX_DEPTH},
 * duplicate members or key ids, private key material, {@code use}/{@code key_ops}/{@code alg} that
 * do not allow verifying with exactly this key type, RSA keys below 2048 bits or with a weak
 * exponent or a ROCA fingerprint, EC points not on their curve, unsupported curves, and symmetric
 * keys (unless {@link #parseAllowingSymmetricKeys} is used, and never mixed with public keys).
 *
 * <p>Keys are looked up by exact {@code kid} in memory only; the set never fetches anything.
 */
public final class JwkSet {
  /** Largest JWK Set document accepted. */
  public static final int MAX_BYTES = 64 * 1024;

  /** Most keys in one set. */
  public static final int MAX_KEYS = 32;

  /** Deepest JSON nesting accepted in a JWK Set ({"keys":[{"key_ops":[...]}]} is 3). */
  public static final int MAX_DEPTH = 4;

  private final List<VerificationKey> keys;

  private JwkSet(List<VerificationKey> keys) {
    this.keys = List.copyOf(keys);
  }

  /** Parses a set of public keys; symmetric ({@code oct}) keys are refused. */
  public static JwkSet parse(byte[] json) throws InvalidKeySetException {
    return new JwkSet(JwkParser.parse(json, false));
  }

  /**
   * Parses a set that may hold HMAC keys instead of public keys (never both). Only for issuers that
   * share a secret with us; each secret must be at least as long as its hash.
   */
  public static JwkSet parseAllowingSymmetricKeys(byte[] json) throws InvalidKeySetException {
    return new JwkSet(JwkParser.parse(json, true));
  }

  /** A set of already-checked keys, for composing sets in code. */
  public static JwkSet of(List<VerificationKey> keys) {
    Objects.requireNonNull(keys, "keys");
    Set<String> ids = new java.util.HashSet<>();
    boolean symmetric = false;
    boolean asymmetric = false;
    for (VerificationKey k : keys) {
      String kid = k.kid();
      if (kid != null && !ids.add(kid)) {
        throw new IllegalArgumentException("duplicate kid");
      }
      symmetric |= k.symmetric();
      asymmetric |= !k.symmetric();
    }
    if (symmetric && asymmetric) {
      throw new IllegalArgumentException("a set may not mix symmetric and public keys");
    }
    if (keys.isEmpty() || keys.size() > MAX_KEYS) {
      throw new IllegalArgumentException("a set holds 1 to " + MAX_KEYS + " keys");
    }
    return new JwkSet(new ArrayList<>(keys));
  }

  public List<VerificationKey> keys() {
    return keys;
  }

  /** The key with exactly this id (no normalisation of any kind). */
  public Optional<VerificationKey> byKid(String kid) {
    for (VerificationKey k : keys) {
      if (kid.equals(k.kid())) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /** True if any key is an HMAC secret. */
  public boolean hasSymmetricKeys() {
    return keys.stream().anyMatch(VerificationKey::symmetric);
  }
}
