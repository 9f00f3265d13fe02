package io.bulwark.security.people;

import java.security.GeneralSecurityException;

/**
 * Authenticated encryption of small secrets (TOTP seeds) before they reach the database. The server
 * implements it with its key-encryption key; {@code aad} binds a ciphertext to the row it belongs
 * to, so that a sealed value copied to another account does not open.
 */
public interface SecretSealer {
  /** Encrypts and authenticates {@code plaintext}, bound to {@code aad}. */
  byte[] seal(byte[] plaintext, byte[] aad);

  /**
   * Decrypts a value made by {@link #seal}.
   *
   * @throws GeneralSecurityException if the value was altered, or sealed with another key or aad
   */
  byte[] open(byte[] sealed, byte[] aad) throws GeneralSecurityException;
}
