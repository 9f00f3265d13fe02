package io.bulwark.crypto.internal;

import io.bulwark.crypto.Pkcs11Settings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Builds the inline SunPKCS11 configuration for one key-encryption key. The settings are already
 * restricted to characters that carry no meaning in the configuration syntax; the label still goes
 * in as hex so that it is a byte string to the parser, never a token.
 */
final class Pkcs11ProviderConfig {
  private Pkcs11ProviderConfig() {}

  /**
   * The configuration text, starting with {@code --} so that {@link
   * java.security.Provider#configure(String)} reads it inline instead of as a file name.
   *
   * <p>The template applies to keys made by a {@code KeyGenerator} of this provider only: the key
   * is born as a private token object under its label, sensitive and never extractable, and may
   * only encrypt and decrypt (no wrapping of other token keys, no signing).
   */
  static String inline(Pkcs11Settings settings) {
    return inline(settings.library(), settings.slot(), settings.keyLabel());
  }

  /**
   * As {@link #inline(Pkcs11Settings)}, with {@code keyLabel} (already checked by {@link
   * Pkcs11Settings}, perhaps with a version suffix) as the label of generated keys.
   */
  static String inline(Path library, long slot, String keyLabel) {
    String label = HexFormat.of().formatHex(keyLabel.getBytes(StandardCharsets.US_ASCII));
    return "--name = Bulwark\n"
        + "library = "
        + library
        + "\n"
        + "slot = "
        + slot
        + "\n"
        + "attributes(generate, CKO_SECRET_KEY, CKK_AES) = {\n"
        + "  CKA_TOKEN = true\n"
        + "  CKA_PRIVATE = true\n"
        + "  CKA_SENSITIVE = true\n"
        + "  CKA_EXTRACTABLE = false\n"
        + "  CKA_ENCRYPT = true\n"
        + "  CKA_DECRYPT = true\n"
        + "  CKA_WRAP = false\n"
        + "  CKA_UNWRAP = false\n"
        + "  CKA_SIGN = false\n"
        + "  CKA_VERIFY = false\n"
        + "  CKA_DERIVE = false\n"
        + "  CKA_LABEL = 0h"
        + label
        + "\n"
        + "}\n";
  }
}
