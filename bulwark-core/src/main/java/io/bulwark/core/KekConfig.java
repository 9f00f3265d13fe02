package io.bulwark.core;

import java.nio.file.Path;

/** Where the key-encryption key that wraps every model's data key lives. */
public sealed interface KekConfig {

  /** The embedded default: a Tink keyset file in the data directory ({@code keys/kek.json}). */
  record LocalKeyset() implements KekConfig {}

  /**
   * An AES-256 key inside a PKCS#11 token (an HSM), generated there and never extractable.
   *
   * @param library the token's PKCS#11 library, for example {@code /usr/lib/softhsm/libsofthsm2.so}
   * @param slot the slot id of the token
   * @param pinFile a file holding the user PIN; refused if others can read it
   * @param keyLabel the label of the key in the token; created on first use
   */
  record Pkcs11(Path library, long slot, Path pinFile, String keyLabel) implements KekConfig {}
}
