package io.bulwark.crypto.internal;

import io.bulwark.core.ConflictException;
import io.bulwark.core.InsecureSecretAccess;
import io.bulwark.core.NotFoundException;
import io.bulwark.core.UnavailableException;
import io.bulwark.crypto.KeyVersion;
import io.bulwark.crypto.Pkcs11Settings;
import io.bulwark.crypto.WrappedKey;
import io.bulwark.crypto.spi.KeyEncryptionKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.security.Security;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
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
 * <p>Versions: the first key has the configured label, later ones (made by {@link #rotate()}) the
 * label followed by {@code .2}, {@code .3}, and so on, so a restart finds them all again by listing
 * the token's labels. The primary is the highest version present. {@link #disable} destroys the key
 * object in the token, which cannot be undone; a version missing below the highest is reported as
 * {@link KeyVersion.Status#DISABLED}. Unwrapping routes by {@link WrappedKey#kekId()}, since the
 * GCM ciphertext does not say which key made it.
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

  /** Highest version number recognised; labels with larger suffixes are someone else's. */
  static final int MAX_KEY_VERSION = 9999;

  private static final Pattern VERSION_SUFFIX = Pattern.compile("[1-9][0-9]{0,3}");
  private static final String PREFIX = "pkcs11:";

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
  private final Path library;
  private final long slot;
  private final String label;
  private final SecureRandom random = new SecureRandom();

  /**
   * Version number to key, never empty; replaced whole under the instance lock. The highest entry
   * is the primary.
   */
  private volatile NavigableMap<Integer, SecretKey> keys;

  private Pkcs11KeyEncryptionKey(
      Provider provider, Pkcs11Settings settings, NavigableMap<Integer, SecretKey> keys) {
    this.provider = provider;
    this.library = settings.library();
    this.slot = settings.slot();
    this.label = settings.keyLabel();
    this.keys = keys;
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
      NavigableMap<Integer, SecretKey> keys = scan(store, settings.keyLabel());
      if (keys.isEmpty()) {
        generate(provider, settings.keyLabel());
        keys = scan(reload(provider), settings.keyLabel());
        if (keys.isEmpty()) {
          throw new GeneralSecurityException(
              "PKCS#11 token did not store the generated key under label " + settings.keyLabel());
        }
      }
      return new Pkcs11KeyEncryptionKey(provider, settings, keys);
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

  /**
   * A provider whose key-generation template carries {@code versionLabel}: SunPKCS11 takes the
   * label of a generated key from its configuration only, so each new version needs its own.
   */
  private Provider generatorFor(String versionLabel) {
    Provider template = Security.getProvider("SunPKCS11");
    if (template == null) {
      throw new UnavailableException("PKCS#11 unavailable: this JDK has no SunPKCS11 provider");
    }
    try {
      return template.configure(Pkcs11ProviderConfig.inline(library, slot, versionLabel));
    } catch (ProviderException | IllegalArgumentException e) {
      throw new UnavailableException(
          "PKCS#11 token unavailable: cannot initialise the library or slot " + slot, e);
    }
  }

  /**
   * A fresh view of the token's objects. The token is already logged in (login state belongs to the
   * process, not the provider), so no PIN is needed; if the token has logged out meanwhile, for
   * example after an HSM restart, this fails as unavailable.
   */
  private static KeyStore reload(Provider provider) throws GeneralSecurityException {
    try {
      KeyStore store = KeyStore.getInstance("PKCS11", provider);
      store.load(null, null);
      return store;
    } catch (IOException e) {
      throw new UnavailableException("PKCS#11 token unavailable: cannot list keys", e);
    } catch (ProviderException e) {
      throw unavailable("list keys", e);
    }
  }

  /** Every version of {@code label} in the token, validated as a non-extractable AES key. */
  private static NavigableMap<Integer, SecretKey> scan(KeyStore store, String label)
      throws GeneralSecurityException {
    NavigableMap<Integer, SecretKey> keys = new TreeMap<>();
    List<String> aliases;
    try {
      aliases = Collections.list(store.aliases());
    } catch (ProviderException e) {
      throw unavailable("list keys", e);
    }
    for (String alias : aliases) {
      int version = versionOf(label, alias);
      if (version > 0) {
        SecretKey key = find(store, alias);
        if (key != null) {
          keys.put(version, key);
        }
      }
    }
    return Collections.unmodifiableNavigableMap(keys);
  }

  /** The version {@code versionLabel} names for {@code label}, or 0 if it names none. */
  static int versionOf(String label, String versionLabel) {
    if (versionLabel.equals(label)) {
      return 1;
    }
    if (versionLabel.length() > label.length() + 1
        && versionLabel.startsWith(label)
        && versionLabel.charAt(label.length()) == '.') {
      String suffix = versionLabel.substring(label.length() + 1);
      if (VERSION_SUFFIX.matcher(suffix).matches()) {
        int version = Integer.parseInt(suffix);
        return version >= 2 && version <= MAX_KEY_VERSION ? version : 0;
      }
    }
    return 0;
  }

  static String labelOf(String label, int version) {
    return version == 1 ? label : label + "." + version;
  }

  private String keyIdOf(int version) {
    return PREFIX + labelOf(label, version);
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

  /** Generates a key inside the token under the label in {@code generator}'s template. */
  private static void generate(Provider generator, String versionLabel)
      throws GeneralSecurityException {
    try {
      KeyGenerator keyGenerator = KeyGenerator.getInstance("AES", generator);
      keyGenerator.init(256);
      keyGenerator.generateKey();
    } catch (ProviderException e) {
      throw unavailable("generate key " + versionLabel, e);
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
    return keyIdOf(keys.lastKey());
  }

  @Override
  public List<KeyVersion> versions() {
    NavigableMap<Integer, SecretKey> snapshot = keys;
    int primary = snapshot.lastKey();
    List<KeyVersion> versions = new ArrayList<>(primary);
    for (int v = 1; v <= primary; v++) {
      KeyVersion.Status status =
          v == primary
              ? KeyVersion.Status.PRIMARY
              : snapshot.containsKey(v) ? KeyVersion.Status.ENABLED : KeyVersion.Status.DISABLED;
      versions.add(new KeyVersion(keyIdOf(v), status));
    }
    return List.copyOf(versions);
  }

  /**
   * Generates a new AES-256 key inside the token (sensitive, not extractable, encrypt and decrypt
   * only) under the next version label, then makes it primary once a fresh listing of the token
   * shows it stored. Needs the token still logged in from {@link #open}.
   */
  @Override
  public synchronized String rotate() throws GeneralSecurityException {
    int next = keys.lastKey() + 1;
    if (next > MAX_KEY_VERSION) {
      throw new GeneralSecurityException(
          "PKCS#11 key " + label + " has reached " + MAX_KEY_VERSION + " versions");
    }
    String versionLabel = labelOf(label, next);
    generate(generatorFor(versionLabel), versionLabel);
    NavigableMap<Integer, SecretKey> found = scan(reload(provider), label);
    if (!found.containsKey(next)) {
      throw new GeneralSecurityException(
          "PKCS#11 token did not store the generated key under label " + versionLabel);
    }
    // Versions disabled in this process stay out even if the listing still shows them.
    NavigableMap<Integer, SecretKey> updated = new TreeMap<>(keys);
    updated.put(next, found.get(next));
    keys = Collections.unmodifiableNavigableMap(updated);
    return keyIdOf(next);
  }

  /**
   * <strong>Irreversible:</strong> destroys the key object in the token. Data keys still wrapped by
   * that version can never be unwrapped again, by any process. The version is withdrawn from this
   * instance before the token destroys it; an unwrap with it already inside the token at that
   * moment may fail as unavailable rather than as disabled. Other processes holding the same token
   * open keep the destroyed version in their listing until they restart, and their unwraps with it
   * then fail as unavailable.
   */
  @Override
  public synchronized void disable(String keyId) throws GeneralSecurityException {
    NavigableMap<Integer, SecretKey> snapshot = keys;
    int version = keyId.startsWith(PREFIX) ? versionOf(label, keyId.substring(PREFIX.length())) : 0;
    if (version == 0 || version > snapshot.lastKey()) {
      throw new NotFoundException("key-encryption key", keyId);
    }
    if (version == snapshot.lastKey()) {
      throw new ConflictException(
          "key-encryption key " + keyId + " is the primary; rotate before disabling it");
    }
    if (!snapshot.containsKey(version)) {
      return;
    }
    // Withdraw the key before destroying it, so that no unwrap reaches a destroyed handle and
    // reports the token as unavailable instead of the key as disabled.
    NavigableMap<Integer, SecretKey> updated = new TreeMap<>(snapshot);
    updated.remove(version);
    keys = Collections.unmodifiableNavigableMap(updated);
    String versionLabel = labelOf(label, version);
    boolean destroyed = false;
    try {
      KeyStore store = reload(provider);
      if (store.containsAlias(versionLabel)) {
        store.deleteEntry(versionLabel);
      }
      destroyed = !reload(provider).containsAlias(versionLabel);
      if (!destroyed) {
        throw new GeneralSecurityException("PKCS#11 token kept key " + versionLabel);
      }
    } catch (ProviderException e) {
      throw unavailable("destroy key " + versionLabel, e);
    } finally {
      if (!destroyed) {
        keys = snapshot;
      }
    }
  }

  @Override
  public WrappedKey wrap(byte[] plaintextKey, byte[] associatedData)
      throws GeneralSecurityException {
    Map.Entry<Integer, SecretKey> primary = keys.lastEntry();
    return new WrappedKey(
        keyIdOf(primary.getKey()), wrapWith(primary.getValue(), plaintextKey, associatedData));
  }

  private byte[] wrapWith(SecretKey key, byte[] plaintextKey, byte[] associatedData)
      throws GeneralSecurityException {
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
  public byte[] unwrap(WrappedKey wrappedKey, byte[] associatedData)
      throws GeneralSecurityException {
    String kekId = wrappedKey.kekId();
    int version = kekId.startsWith(PREFIX) ? versionOf(label, kekId.substring(PREFIX.length())) : 0;
    SecretKey key = version == 0 ? null : keys.get(version);
    if (key == null) {
      // kekId passed WrappedKey's check: printable ASCII, bounded, safe to show.
      throw new GeneralSecurityException(
          "key-encryption key " + kekId + " is unknown here or disabled");
    }
    byte[] wrapped = wrappedKey.bytes();
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
    return "Pkcs11KeyEncryptionKey[" + keyId() + "]";
  }
}
