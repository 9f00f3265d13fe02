package io.bulwark.crypto.internal;

import io.bulwark.core.InsecureSecretAccess;
import io.bulwark.core.UnavailableException;
import io.bulwark.crypto.Pkcs11Settings;
import io.bulwark.crypto.spi.KeyEncryptionKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.security.Security;
import java.util.Arrays;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.security.auth.login.FailedLoginException;
import org.jspecify.annotations.Nullable;

/**
 * A key-encryption key that never leaves a PKCS#11 token: an AES-256 key generated inside the token
 * as a sensitive, non-extractable private object, used through the JDK's SunPKCS11 provider. Data
 * keys are wrapped with AES-GCM computed by the token.
 *
 * <p>Wrapped form: {@code 0x01 ‖ IV (12 random bytes) ‖ ciphertext ‖ tag (16 bytes)}, with the
 * associated data as GCM additional data. Length and version are checked before the token sees any
 * input.
 *
 * <p>The configured provider is used explicitly for every operation and never registered with
 * {@link Security#addProvider}, so nothing else in the process picks up the token by accident.
 */
public final class Pkcs11KeyEncryptionKey implements KeyEncryptionKey {
  static final byte VERSION = 1;
  static final int IV_BYTES = 12;
  static final int TAG_BYTES = 16;

  /** Largest data key accepted by {@link #wrap}; Tink's serialised data keysets are far smaller. */
  static final int MAX_PLAINTEXT_KEY_BYTES = 4096;

  static final int MIN_WRAPPED_BYTES = 1 + IV_BYTES + 1 + TAG_BYTES;
  static final int MAX_WRAPPED_BYTES = 1 + IV_BYTES + MAX_PLAINTEXT_KEY_BYTES + TAG_BYTES;

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  /**
   * PKCS#11 return values that mean the token, not the input, is the problem: an outage must not be
   * reported as tampering (see {@link KeyEncryptionKey}).
   */
  private static final Set<String> UNAVAILABLE_CODES =
      Set.of(
          "CKR_CRYPTOKI_NOT_INITIALIZED",
          "CKR_DEVICE_ERROR",
          "CKR_DEVICE_MEMORY",
          "CKR_DEVICE_REMOVED",
          "CKR_HOST_MEMORY",
          "CKR_KEY_HANDLE_INVALID",
          "CKR_SESSION_CLOSED",
          "CKR_SESSION_COUNT",
          "CKR_SESSION_HANDLE_INVALID",
          "CKR_SLOT_ID_INVALID",
          "CKR_TOKEN_NOT_PRESENT",
          "CKR_TOKEN_NOT_RECOGNIZED",
          "CKR_USER_NOT_LOGGED_IN");

  private static final Set<String> LOGIN_REFUSED_CODES =
      Set.of("CKR_PIN_INCORRECT", "CKR_PIN_LOCKED", "CKR_PIN_EXPIRED", "CKR_PIN_LEN_RANGE");

  private final Provider provider;
  private final SecretKey key;
  private final String keyId;
  private final SecureRandom random = new SecureRandom();

  private Pkcs11KeyEncryptionKey(Provider provider, SecretKey key, String keyId) {
    this.provider = provider;
    this.key = key;
    this.keyId = keyId;
  }

  /** See {@link io.bulwark.crypto.KeyEncryptionKeys#pkcs11(Pkcs11Settings)}. */
  public static KeyEncryptionKey open(Pkcs11Settings settings) throws GeneralSecurityException {
    if (!Files.isRegularFile(settings.library())) {
      throw new UnavailableException(
          "PKCS#11 token unavailable: library not found",
          new NoSuchFileException(settings.library().toString()));
    }
    Provider provider = configure(settings);
    char[] pin = pinChars(settings);
    try {
      KeyStore store = login(provider, settings, pin);
      SecretKey key = find(store, settings.keyLabel());
      if (key == null) {
        key = generate(provider, settings, pin);
      }
      return new Pkcs11KeyEncryptionKey(provider, key, "pkcs11:" + settings.keyLabel());
    } finally {
      Arrays.fill(pin, '\0');
    }
  }

  private static Provider configure(Pkcs11Settings settings) {
    Provider template = Security.getProvider("SunPKCS11");
    if (template == null) {
      throw new UnavailableException("PKCS#11 unavailable: this JDK has no SunPKCS11 provider");
    }
    try {
      // configure() returns a new provider each time; tokens and the library's C_Initialize are
      // shared inside the JDK, so opening the same key twice in one process is fine.
      return template.configure(Pkcs11ProviderConfig.inline(settings));
    } catch (ProviderException | IllegalArgumentException e) {
      throw new UnavailableException(
          "PKCS#11 token unavailable: cannot initialise the library or slot " + settings.slot(), e);
    }
  }

  private static KeyStore login(Provider provider, Pkcs11Settings settings, char[] pin)
      throws GeneralSecurityException {
    try {
      KeyStore store = KeyStore.getInstance("PKCS11", provider);
      store.load(null, pin);
      return store;
    } catch (IOException e) {
      if (hasCause(e, FailedLoginException.class) || hasPkcs11Code(e, LOGIN_REFUSED_CODES)) {
        // The PIN is not in the message or the cause; the token only reports a code.
        throw new GeneralSecurityException(
            "PKCS#11 login to slot "
                + settings.slot()
                + " refused: wrong PIN, or the PIN is locked or expired",
            e);
      }
      throw new UnavailableException(
          "PKCS#11 token unavailable: cannot log in to slot " + settings.slot(), e);
    } catch (ProviderException e) {
      throw unavailable("log in to slot " + settings.slot(), e);
    }
  }

  private static @Nullable SecretKey find(KeyStore store, String label)
      throws GeneralSecurityException {
    try {
      if (!store.containsAlias(label)) {
        return null;
      }
      if (!store.isKeyEntry(label)
          || !(store.getKey(label, null) instanceof SecretKey key)
          || !"AES".equals(key.getAlgorithm())) {
        throw new GeneralSecurityException(
            "PKCS#11 object labelled " + label + " is not an AES secret key");
      }
      // A key whose bytes the provider can read would defeat the purpose of the token.
      if (key.getEncoded() != null) {
        throw new GeneralSecurityException(
            "PKCS#11 key labelled "
                + label
                + " is extractable or not sensitive; refusing to use it as a key-encryption key");
      }
      return key;
    } catch (ProviderException e) {
      throw unavailable("read key " + label, e);
    }
  }

  private static SecretKey generate(Provider provider, Pkcs11Settings settings, char[] pin)
      throws GeneralSecurityException {
    try {
      KeyGenerator generator = KeyGenerator.getInstance("AES", provider);
      generator.init(256);
      SecretKey key = generator.generateKey();
      // Read back through a fresh KeyStore view: proves that the token stored the key under its
      // label, so the next start finds it instead of generating another one.
      KeyStore check = KeyStore.getInstance("PKCS11", provider);
      check.load(null, pin);
      SecretKey stored = find(check, settings.keyLabel());
      if (stored == null) {
        throw new GeneralSecurityException(
            "PKCS#11 token did not store the generated key under label " + settings.keyLabel());
      }
      return key;
    } catch (IOException e) {
      throw new UnavailableException("PKCS#11 token unavailable after key generation", e);
    } catch (ProviderException e) {
      throw unavailable("generate key " + settings.keyLabel(), e);
    }
  }

  private static char[] pinChars(Pkcs11Settings settings) {
    byte[] bytes = settings.pin().toByteArray(InsecureSecretAccess.get());
    try {
      // Pkcs11Settings admits printable ASCII only, so one byte is one char.
      char[] chars = new char[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        chars[i] = (char) bytes[i];
      }
      return chars;
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  @Override
  public String keyId() {
    return keyId;
  }

  @Override
  public byte[] wrap(byte[] plaintextKey, byte[] associatedData) throws GeneralSecurityException {
    if (plaintextKey.length == 0 || plaintextKey.length > MAX_PLAINTEXT_KEY_BYTES) {
      throw new IllegalArgumentException(
          "data key must have 1 to " + MAX_PLAINTEXT_KEY_BYTES + " bytes");
    }
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    byte[] sealed;
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION, provider);
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, iv));
      cipher.updateAAD(associatedData);
      sealed = cipher.doFinal(plaintextKey);
    } catch (GeneralSecurityException | ProviderException e) {
      throw failure("wrap", e);
    }
    if (sealed.length != plaintextKey.length + TAG_BYTES) {
      throw new GeneralSecurityException("PKCS#11 token returned a malformed GCM ciphertext");
    }
    byte[] out = new byte[1 + IV_BYTES + sealed.length];
    out[0] = VERSION;
    System.arraycopy(iv, 0, out, 1, IV_BYTES);
    System.arraycopy(sealed, 0, out, 1 + IV_BYTES, sealed.length);
    return out;
  }

  @Override
  public byte[] unwrap(byte[] wrapped, byte[] associatedData) throws GeneralSecurityException {
    if (wrapped.length < MIN_WRAPPED_BYTES || wrapped.length > MAX_WRAPPED_BYTES) {
      throw new GeneralSecurityException(
          "wrapped key must have "
              + MIN_WRAPPED_BYTES
              + " to "
              + MAX_WRAPPED_BYTES
              + " bytes, got "
              + wrapped.length);
    }
    if (wrapped[0] != VERSION) {
      throw new GeneralSecurityException("wrapped key has unknown version " + (wrapped[0] & 0xff));
    }
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION, provider);
      cipher.init(
          Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, wrapped, 1, IV_BYTES));
      cipher.updateAAD(associatedData);
      return cipher.doFinal(wrapped, 1 + IV_BYTES, wrapped.length - 1 - IV_BYTES);
    } catch (GeneralSecurityException | ProviderException e) {
      throw failure("unwrap", e);
    }
  }

  /**
   * Sorts a failure from the token: an outage becomes {@link UnavailableException}; anything else
   * (a bad tag above all, which SoftHSM2 reports as {@code CKR_GENERAL_ERROR}) becomes {@link
   * GeneralSecurityException} without the token's wording.
   */
  static GeneralSecurityException failure(String operation, Exception e) {
    if (hasPkcs11Code(e, UNAVAILABLE_CODES)) {
      throw new UnavailableException("PKCS#11 token unavailable: cannot " + operation, e);
    }
    return new GeneralSecurityException("PKCS#11 " + operation + " failed", e);
  }

  private static UnavailableException unavailable(String operation, ProviderException e) {
    return new UnavailableException("PKCS#11 token unavailable: cannot " + operation, e);
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the chain holds a SunPKCS11 {@code PKCS11Exception} naming one of {@code codes}. That
   * class is not exported by the JDK, so it is recognised by name, and its message (the CKR_ name
   * of the return value) is the only way to read the code.
   */
  static boolean hasPkcs11Code(Throwable e, Set<String> codes) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (t.getClass().getSimpleName().equals("PKCS11Exception") && message != null) {
        for (String word : message.split("[^A-Z0-9_]+", -1)) {
          if (codes.contains(word)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "Pkcs11KeyEncryptionKey[" + keyId + "]";
  }
}
