package io.bulwark.crypto.internal;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.Configuration;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyStatus;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig2026;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import io.bulwark.core.ConflictException;
import io.bulwark.core.NotFoundException;
import io.bulwark.core.SecureFiles;
import io.bulwark.crypto.KeyVersion;
import io.bulwark.crypto.WrappedKey;
import io.bulwark.crypto.spi.KeyEncryptionKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A key-encryption key held in a cleartext Tink AEAD keyset file (AES-256-GCM), protected by file
 * permissions. Wrapping uses the keyset's primary key; unwrapping accepts any enabled key in the
 * keyset (Tink finds it by the 5-byte key-id prefix of the ciphertext, so {@link
 * WrappedKey#kekId()} is not needed to route), so the keyset can be rotated by adding a new primary
 * key without losing older wrapped keys.
 *
 * <p>Rotation and disabling rewrite the whole file atomically (mode 0600) before the new keyset is
 * used; concurrent wraps and unwraps read an immutable snapshot and never wait for them. Only this
 * process is assumed to change the file: two processes rotating the same file would each overwrite
 * the other's change.
 */
public final class TinkKeysetKeyEncryptionKey implements KeyEncryptionKey {
  /** Largest keyset file accepted: room for about two hundred rotated keys. */
  static final int MAX_KEYSET_FILE_BYTES = 64 * 1024;

  private static final String WHAT = "key-encryption keyset";

  private final Path file;

  /** Replaced whole, under the instance lock, only after the new keyset is on disk. */
  private volatile Snapshot current;

  private record Snapshot(KeysetHandle handle, Aead aead, String keyId) {}

  private TinkKeysetKeyEncryptionKey(Path file, Snapshot current) {
    this.file = file;
    this.current = current;
  }

  /** See {@link io.bulwark.crypto.KeyEncryptionKeys#localKeyset(Path)}. */
  public static KeyEncryptionKey loadOrCreate(Path file)
      throws IOException, GeneralSecurityException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      try {
        return create(file);
      } catch (FileAlreadyExistsException e) {
        // Another process created it first; use theirs so that both wrap with the same key.
      }
    }
    return load(file);
  }

  private static TinkKeysetKeyEncryptionKey create(Path file)
      throws IOException, GeneralSecurityException {
    Configuration config = AeadConfig2026.get();
    KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM, config);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      SecureFiles.createPrivateDirectory(parent);
    }
    write(file, handle, false);
    return new TinkKeysetKeyEncryptionKey(file, snapshot(handle, file));
  }

  private static TinkKeysetKeyEncryptionKey load(Path file)
      throws IOException, GeneralSecurityException {
    byte[] content = BoundedFiles.readPrivate(file, MAX_KEYSET_FILE_BYTES, WHAT);
    KeysetHandle handle;
    try {
      String json =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(content))
              .toString();
      handle =
          TinkJsonProtoKeysetFormat.parseKeyset(
              json, AeadConfig2026.get(), InsecureSecretKeyAccess.get());
    } catch (CharacterCodingException | GeneralSecurityException | RuntimeException e) {
      // Tink's messages may quote the input; the file holds secrets, so the cause is dropped.
      throw new GeneralSecurityException(WHAT + " " + file + " is not a valid Tink JSON keyset");
    } finally {
      Arrays.fill(content, (byte) 0);
    }
    return new TinkKeysetKeyEncryptionKey(file, snapshot(handle, file));
  }

  private static void write(Path file, KeysetHandle handle, boolean replace)
      throws IOException, GeneralSecurityException {
    String json =
        TinkJsonProtoKeysetFormat.serializeKeyset(
            handle, AeadConfig2026.get(), InsecureSecretKeyAccess.get());
    byte[] content = json.getBytes(StandardCharsets.UTF_8);
    try {
      if (content.length > MAX_KEYSET_FILE_BYTES) {
        // Written, the file could never be read back; refuse before replacing a working keyset.
        throw new IOException(
            WHAT + " would exceed " + MAX_KEYSET_FILE_BYTES + " bytes; remove disabled keys first");
      }
      SecureFiles.writePrivate(file, content, replace);
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  private static Snapshot snapshot(KeysetHandle handle, Path file) throws GeneralSecurityException {
    for (int i = 0; i < handle.size(); i++) {
      if (!(handle.getAt(i).getKey().getParameters() instanceof AesGcmParameters p)
          || p.getKeySizeBytes() != 32) {
        throw new GeneralSecurityException(
            WHAT
                + " "
                + file
                + " holds a key that is not AES-256-GCM; only AES256_GCM is accepted");
      }
    }
    Aead aead = handle.getPrimitive(AeadConfig2026.get(), Aead.class);
    return new Snapshot(handle, aead, keyId(handle.getPrimary().getId()));
  }

  private static String keyId(int tinkId) {
    return String.format(Locale.ROOT, "local:%08x", tinkId);
  }

  @Override
  public String keyId() {
    return current.keyId();
  }

  @Override
  public WrappedKey wrap(byte[] plaintextKey, byte[] associatedData)
      throws GeneralSecurityException {
    Snapshot s = current;
    return new WrappedKey(s.keyId(), s.aead().encrypt(plaintextKey, associatedData));
  }

  @Override
  public byte[] unwrap(WrappedKey wrapped, byte[] associatedData) throws GeneralSecurityException {
    // Tink's primitive excludes disabled keys, so a disabled version's ciphertext fails here.
    return current.aead().decrypt(wrapped.bytes(), associatedData);
  }

  @Override
  public List<KeyVersion> versions() {
    KeysetHandle handle = current.handle();
    List<KeyVersion> versions = new ArrayList<>(handle.size());
    for (int i = 0; i < handle.size(); i++) {
      KeysetHandle.Entry entry = handle.getAt(i);
      KeyVersion.Status status =
          entry.isPrimary()
              ? KeyVersion.Status.PRIMARY
              : entry.getStatus().equals(KeyStatus.ENABLED)
                  ? KeyVersion.Status.ENABLED
                  : KeyVersion.Status.DISABLED;
      versions.add(new KeyVersion(keyId(entry.getId()), status));
    }
    return List.copyOf(versions);
  }

  /**
   * Adds a fresh AES-256-GCM key with a random Tink id as the new primary and rewrites the keyset
   * file atomically with mode 0600; the in-memory keyset changes only once the file is written.
   */
  @Override
  public synchronized String rotate() throws IOException, GeneralSecurityException {
    KeysetHandle.Builder builder =
        KeysetHandle.newBuilder(current.handle()).setConfiguration(AeadConfig2026.get());
    builder.addEntry(
        KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
            .withRandomId()
            .makePrimary());
    return replace(builder.build());
  }

  /**
   * Marks the key {@link KeyStatus#DISABLED} in the keyset file. Reversible by editing the file
   * (the key material stays in it), not through this interface.
   */
  @Override
  public synchronized void disable(String keyId) throws IOException, GeneralSecurityException {
    KeysetHandle handle = current.handle();
    KeysetHandle.Builder builder =
        KeysetHandle.newBuilder(handle).setConfiguration(AeadConfig2026.get());
    for (int i = 0; i < handle.size(); i++) {
      if (keyId(handle.getAt(i).getId()).equals(keyId)) {
        if (handle.getAt(i).isPrimary()) {
          throw new ConflictException(
              "key-encryption key " + keyId + " is the primary; rotate before disabling it");
        }
        if (!handle.getAt(i).getStatus().equals(KeyStatus.ENABLED)) {
          return;
        }
        builder.getAt(i).setStatus(KeyStatus.DISABLED);
        replace(builder.build());
        return;
      }
    }
    throw new NotFoundException("key-encryption key", keyId);
  }

  /** Persists {@code handle}, then publishes it. Callers hold the instance lock. */
  private String replace(KeysetHandle handle) throws IOException, GeneralSecurityException {
    Snapshot next = snapshot(handle, file);
    write(file, handle, true);
    current = next;
    return next.keyId();
  }

  @Override
  public String toString() {
    return "TinkKeysetKeyEncryptionKey[" + keyId() + "]";
  }
}
