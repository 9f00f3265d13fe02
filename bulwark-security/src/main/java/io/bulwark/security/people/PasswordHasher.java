package io.bulwark.security.people;

import io.bulwark.security.people.internal.Argon2idPasswordHasher;
import java.security.GeneralSecurityException;

/**
 * Hashes and verifies passwords as PHC strings ({@code $argon2id$v=19$m=..,t=..,p=..$salt$hash}).
 * The cost is read back from each stored string, so it can be raised later: {@link #needsRehash}
 * tells when a stored hash is weaker than the current cost.
 */
public interface PasswordHasher {
  /** An Argon2id hasher (BouncyCastle) with a 16-byte random salt and a 32-byte output. */
  static PasswordHasher argon2id(Argon2Cost cost) {
    return new Argon2idPasswordHasher(cost, Runtime.getRuntime().availableProcessors());
  }

  /** Hashes {@code password} (NFC-normalised first) with a fresh salt at the current cost. */
  String hash(String password);

  /**
   * Returns normally if {@code password} matches {@code encoded}; the comparison is constant-time.
   *
   * @throws GeneralSecurityException if it does not match, or {@code encoded} is malformed or
   *     outside the limits of {@link Argon2Cost}
   */
  void verify(String password, String encoded) throws GeneralSecurityException;

  /**
   * Whether {@code encoded} should be replaced by a hash at the current cost (or is unreadable).
   */
  boolean needsRehash(String encoded);
}
