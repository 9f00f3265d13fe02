package io.bulwark.crypto.internal;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.Configuration;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig2026;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import io.bulwark.core.SecureFiles;
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
import java.util.Arrays;
import java.util.Locale;

/**
 * A key-encryption key held in a cleartext Tink AEAD keyset file (AES-256-GCM), protected by file
 * permissions. Wrapping uses the keyset's primary key; unwrapping accepts any key in the keyset, so
 * the keyset can be rotated by adding a new primary key without losing older wrapped keys.
 */
public final class TinkKeysetKeyEncryptionKey implements KeyEncryptionKey {
  /** Largest keyset file accepted: room for about two hundred rotated keys. */
  static final int MAX_KEYSET_FILE_BYTES = 64 * 1024;

  private static final String WHAT = "key-encryption keyset";

  private final Aead aead;
  private final String keyId;

  private TinkKeysetKeyEncryptionKey(Aead aead, String keyId) {
    this.aead = aead;
    this.keyId = keyId;
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

  private static KeyEncryptionKey create(Path file) throws IOException, GeneralSecurityException {
    Configuration config = AeadConfig2026.get();
    KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM, config);
    String json =
        TinkJsonProtoKeysetFormat.serializeKeyset(handle, config, InsecureSecretKeyAccess.get());
    byte[] content = json.getBytes(StandardCharsets.UTF_8);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        SecureFiles.createPrivateDirectory(parent);
      }
      SecureFiles.writePrivate(file, content, false);
    } finally {
      Arrays.fill(content, (byte) 0);
    }
    return fromHandle(handle, file);
  }

  private static KeyEncryptionKey load(Path file) throws IOException, GeneralSecurityException {
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
    return fromHandle(handle, file);
  }

  private static KeyEncryptionKey fromHandle(KeysetHandle handle, Path file)
      throws GeneralSecurityException {
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
    String keyId = String.format(Locale.ROOT, "local:%08x", handle.getPrimary().getId());
    return new TinkKeysetKeyEncryptionKey(aead, keyId);
  }

  @Override
  public String keyId() {
    return keyId;
  }

  @Override
  public byte[] wrap(byte[] plaintextKey, byte[] associatedData) throws GeneralSecurityException {
    return aead.encrypt(plaintextKey, associatedData);
  }

  @Override
  public byte[] unwrap(byte[] wrapped, byte[] associatedData) throws GeneralSecurityException {
    return aead.decrypt(wrapped, associatedData);
  }

  @Override
  public String toString() {
    return "TinkKeysetKeyEncryptionKey[" + keyId + "]";
  }
}
