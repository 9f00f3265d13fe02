package io.bulwark.crypto;

import io.bulwark.core.InsecureSecretAccess;
import io.bulwark.core.SecretBytes;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where a PKCS#11 key-encryption key lives and how to log in to its token; see {@link
 * KeyEncryptionKeys#pkcs11(Pkcs11Settings)}.
 *
 * <p>Every field is checked here, before any of it reaches the JDK's SunPKCS11 configuration
 * parser, so that no value can add configuration lines or expand {@code ${...}} properties. {@link
 * #toString()} never shows the PIN.
 *
 * @param library absolute, normalised path of the token's PKCS#11 library (for SoftHSM2 {@code
 *     /usr/lib/softhsm/libsofthsm2.so}); at most {@value #MAX_LIBRARY_PATH_LENGTH} characters from
 *     {@code A-Z a-z 0-9 / . _ + -}
 * @param slot the PKCS#11 slot id of the token, 0 to {@link Integer#MAX_VALUE} (SunPKCS11 takes no
 *     larger id); {@code softhsm2-util --show-slots} lists them
 * @param pin the user PIN: 1 to {@value #MAX_PIN_BYTES} bytes of printable ASCII (SunPKCS11 hands
 *     the PIN to the token as characters, so other bytes would not reach it unchanged). Kept by
 *     reference; the caller may {@link SecretBytes#destroy() destroy} it once the key is open
 * @param keyLabel the label (KeyStore alias) of the AES-256 key inside the token: 1 to {@value
 *     #MAX_KEY_LABEL_LENGTH} characters from {@code A-Z a-z 0-9 . _ -}
 */
public record Pkcs11Settings(Path library, long slot, SecretBytes pin, String keyLabel) {
  /** Longest accepted library path. */
  public static final int MAX_LIBRARY_PATH_LENGTH = 4096;

  /** Longest accepted PIN; SoftHSM2 and most tokens allow 255. */
  public static final int MAX_PIN_BYTES = 255;

  /** Longest accepted key label. */
  public static final int MAX_KEY_LABEL_LENGTH = 64;

  public Pkcs11Settings {
    String path = library.toString();
    if (!library.isAbsolute() || !library.normalize().equals(library)) {
      throw new IllegalArgumentException("PKCS#11 library must be an absolute, normalised path");
    }
    if (path.length() > MAX_LIBRARY_PATH_LENGTH
        || !path.chars().allMatch(c -> isAsciiAlphanumeric(c) || "/._+-".indexOf(c) >= 0)) {
      throw new IllegalArgumentException(
          "PKCS#11 library path must have at most "
              + MAX_LIBRARY_PATH_LENGTH
              + " characters from A-Z a-z 0-9 / . _ + -");
    }
    if (slot < 0 || slot > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("PKCS#11 slot must be between 0 and " + Integer.MAX_VALUE);
    }
    byte[] pinBytes = pin.toByteArray(InsecureSecretAccess.get());
    try {
      boolean printable = true;
      for (byte b : pinBytes) {
        printable &= b >= 0x20 && b < 0x7f;
      }
      // The message never quotes the PIN.
      if (pinBytes.length == 0 || pinBytes.length > MAX_PIN_BYTES || !printable) {
        throw new IllegalArgumentException(
            "PKCS#11 PIN must have 1 to " + MAX_PIN_BYTES + " printable ASCII characters");
      }
    } finally {
      Arrays.fill(pinBytes, (byte) 0);
    }
    if (keyLabel.isEmpty()
        || keyLabel.length() > MAX_KEY_LABEL_LENGTH
        || !keyLabel.chars().allMatch(c -> isAsciiAlphanumeric(c) || "._-".indexOf(c) >= 0)) {
      throw new IllegalArgumentException(
          "PKCS#11 key label must have 1 to "
              + MAX_KEY_LABEL_LENGTH
              + " characters from A-Z a-z 0-9 . _ -");
    }
  }

  private static boolean isAsciiAlphanumeric(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }
}
