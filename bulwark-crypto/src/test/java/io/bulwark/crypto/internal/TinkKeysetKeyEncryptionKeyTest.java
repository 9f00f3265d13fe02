package io.bulwark.crypto.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Configuration;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig2026;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import io.bulwark.crypto.KeyEncryptionKeys;
import io.bulwark.crypto.WrappedKey;
import io.bulwark.crypto.spi.KeyEncryptionKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinkKeysetKeyEncryptionKeyTest {
  private static final byte[] KEY = "data key bytes".getBytes(UTF_8);
  private static final byte[] AAD = "model=m;version=1".getBytes(UTF_8);

  @TempDir Path dir;

  @Test
  void localKeyset_missingFile_createsOwnerOnlyFile() throws Exception {
    Path file = dir.resolve("kek.json");

    KeyEncryptionKeys.localKeyset(file);

    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(file)).contains("AesGcmKey");
  }

  @Test
  void localKeyset_missingParent_createsPrivateDirectory() throws Exception {
    Path file = dir.resolve("keys/kek.json");

    KeyEncryptionKeys.localKeyset(file);

    assertThat(Files.getPosixFilePermissions(file.getParent()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void localKeyset_existingFile_loadsSameKeyWithoutRewriting() throws Exception {
    Path file = dir.resolve("kek.json");
    KeyEncryptionKey first = KeyEncryptionKeys.localKeyset(file);
    byte[] before = Files.readAllBytes(file);
    byte[] wrapped = first.wrap(KEY, AAD).bytes();

    KeyEncryptionKey second = KeyEncryptionKeys.localKeyset(file);

    assertThat(second.keyId()).isEqualTo(first.keyId());
    assertThat(second.unwrap(new WrappedKey(second.keyId(), wrapped), AAD)).isEqualTo(KEY);
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void keyId_any_isLocalPrefixAndEightHexDigitsOfThePrimaryKey() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"));
    KeysetHandle handle = parse(dir.resolve("kek.json"));

    assertThat(kek.keyId())
        .matches("local:[0-9a-f]{8}")
        .isEqualTo(String.format("local:%08x", handle.getPrimary().getId()));
    assertThat(kek.toString()).isEqualTo("TinkKeysetKeyEncryptionKey[" + kek.keyId() + "]");
  }

  @Test
  void localKeyset_twoFiles_independentKeys() throws Exception {
    KeyEncryptionKey a = KeyEncryptionKeys.localKeyset(dir.resolve("a.json"));
    KeyEncryptionKey b = KeyEncryptionKeys.localKeyset(dir.resolve("b.json"));

    byte[] wrapped = a.wrap(KEY, AAD).bytes();

    assertThatThrownBy(() -> b.unwrap(new WrappedKey(b.keyId(), wrapped), AAD))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void wrap_sameKeyTwice_differentCiphertexts() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"));

    assertThat(kek.wrap(KEY, AAD)).isNotEqualTo(kek.wrap(KEY, AAD));
  }

  @Test
  void unwrap_differentAssociatedData_throws() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"));
    byte[] wrapped = kek.wrap(KEY, AAD).bytes();

    assertThatThrownBy(
            () ->
                kek.unwrap(
                    new WrappedKey(kek.keyId(), wrapped), "model=m;version=2".getBytes(UTF_8)))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void unwrap_anyFlippedBit_throws() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"));
    byte[] wrapped = kek.wrap(KEY, AAD).bytes();

    for (int i = 0; i < wrapped.length * 8; i++) {
      byte[] tampered = wrapped.clone();
      tampered[i / 8] ^= (byte) (1 << (i % 8));
      assertThatThrownBy(() -> kek.unwrap(new WrappedKey(kek.keyId(), tampered), AAD))
          .as("bit %d", i)
          .isInstanceOf(GeneralSecurityException.class);
    }
  }

  @Test
  void localKeyset_groupReadableFile_refused() throws Exception {
    Path file = dir.resolve("kek.json");
    KeyEncryptionKeys.localKeyset(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

    assertThatThrownBy(() -> KeyEncryptionKeys.localKeyset(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("readable or writable by group or others")
        .hasMessageContaining("chmod 600");
  }

  @Test
  void localKeyset_otherWritableFile_refused() throws Exception {
    Path file = dir.resolve("kek.json");
    KeyEncryptionKeys.localKeyset(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-----w-"));

    assertThatThrownBy(() -> KeyEncryptionKeys.localKeyset(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("group or others");
  }

  @Test
  void localKeyset_symbolicLink_refused() throws Exception {
    Path target = dir.resolve("kek.json");
    KeyEncryptionKeys.localKeyset(target);
    Path link = Files.createSymbolicLink(dir.resolve("link.json"), target);

    assertThatThrownBy(() -> KeyEncryptionKeys.localKeyset(link))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("symbolic link");
  }

  @Test
  void localKeyset_malformedFile_refusedWithoutEchoingContent() throws Exception {
    Path file = dir.resolve("kek.json");
    writeOwnerOnly(file, "{\"primaryKeyId\": 1, \"secret\": \"s3cr3t\"".getBytes(UTF_8));

    assertThatThrownBy(() -> KeyEncryptionKeys.localKeyset(file))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("is not a valid Tink JSON keyset")
        .hasNoCause()
        .message()
        .doesNotContain("s3cr3t");
  }

  @Test
  void localKeyset_invalidUtf8_refused() throws Exception {
    Path file = dir.resolve("kek.json");
    writeOwnerOnly(file, new byte[] {'{', (byte) 0xff, '}'});

    assertThatThrownBy(() -> KeyEncryptionKeys.localKeyset(file))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("is not a valid Tink JSON keyset");
  }

  @Test
  void localKeyset_fileAtSizeLimit_loaded() throws Exception {
    Path file = dir.resolve("kek.json");
    KeyEncryptionKey original = KeyEncryptionKeys.localKeyset(file);
    padWithSpaces(file, TinkKeysetKeyEncryptionKey.MAX_KEYSET_FILE_BYTES);

    assertThat(KeyEncryptionKeys.localKeyset(file).keyId()).isEqualTo(original.keyId());
  }

  @Test
  void localKeyset_fileAboveSizeLimit_refused() throws Exception {
    Path file = dir.resolve("kek.json");
    KeyEncryptionKeys.localKeyset(file);
    padWithSpaces(file, TinkKeysetKeyEncryptionKey.MAX_KEYSET_FILE_BYTES + 1);

    assertThatThrownBy(() -> KeyEncryptionKeys.localKeyset(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("larger than " + TinkKeysetKeyEncryptionKey.MAX_KEYSET_FILE_BYTES);
  }

  @Test
  void localKeyset_keyOtherThanAes256Gcm_refused() throws Exception {
    Configuration config = AeadConfig2026.get();
    for (var parameters :
        new com.google.crypto.tink.Parameters[] {
          PredefinedAeadParameters.AES128_GCM, PredefinedAeadParameters.XCHACHA20_POLY1305
        }) {
      Path file = dir.resolve("other-" + parameters.hashCode() + ".json");
      KeysetHandle handle = KeysetHandle.generateNew(parameters, config);
      writeOwnerOnly(
          file,
          TinkJsonProtoKeysetFormat.serializeKeyset(handle, config, InsecureSecretKeyAccess.get())
              .getBytes(UTF_8));

      assertThatThrownBy(() -> KeyEncryptionKeys.localKeyset(file))
          .as(parameters.toString())
          .isInstanceOf(GeneralSecurityException.class)
          .hasMessageContaining("not AES-256-GCM");
    }
  }

  @Test
  void localKeyset_rotatedKeyset_wrapsWithNewPrimaryAndStillUnwrapsOld() throws Exception {
    Path file = dir.resolve("kek.json");
    KeyEncryptionKey before = KeyEncryptionKeys.localKeyset(file);
    byte[] oldWrapped = before.wrap(KEY, AAD).bytes();
    Configuration config = AeadConfig2026.get();
    KeysetHandle rotated =
        KeysetHandle.newBuilder(parse(file))
            .setConfiguration(config)
            .addEntry(
                KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                    .withRandomId()
                    .makePrimary())
            .build();
    Files.delete(file);
    writeOwnerOnly(
        file,
        TinkJsonProtoKeysetFormat.serializeKeyset(rotated, config, InsecureSecretKeyAccess.get())
            .getBytes(UTF_8));

    KeyEncryptionKey after = KeyEncryptionKeys.localKeyset(file);

    assertThat(after.keyId()).isNotEqualTo(before.keyId());
    assertThat(after.unwrap(new WrappedKey(after.keyId(), oldWrapped), AAD)).isEqualTo(KEY);
    byte[] newWrapped = after.wrap(KEY, AAD).bytes();
    assertThatThrownBy(() -> before.unwrap(new WrappedKey(before.keyId(), newWrapped), AAD))
        .isInstanceOf(GeneralSecurityException.class);
  }

  private static KeysetHandle parse(Path file) throws Exception {
    return TinkJsonProtoKeysetFormat.parseKeyset(
        Files.readString(file), AeadConfig2026.get(), InsecureSecretKeyAccess.get());
  }

  /**
   * A keyset file and a wrapped key made the way the provider made them before rotation existed
   * (plain Tink: one AES256_GCM key, JSON keyset, {@code Aead.encrypt}) still unwrap, and the file
   * can then be rotated.
   */
  @Test
  void localKeyset_fileAndWrapFromBeforeRotation_unwrapsAndRotates() throws Exception {
    Path file = dir.resolve("kek.json");
    Configuration config = AeadConfig2026.get();
    KeysetHandle legacy = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM, config);
    writeOwnerOnly(
        file,
        TinkJsonProtoKeysetFormat.serializeKeyset(legacy, config, InsecureSecretKeyAccess.get())
            .getBytes(UTF_8));
    byte[] legacyBytes =
        legacy.getPrimitive(config, com.google.crypto.tink.Aead.class).encrypt(KEY, AAD);
    WrappedKey stored =
        new WrappedKey(
            String.format(java.util.Locale.ROOT, "local:%08x", legacy.getPrimary().getId()),
            legacyBytes);

    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(file);

    assertThat(kek.keyId()).isEqualTo(stored.kekId());
    assertThat(kek.unwrap(stored, AAD)).isEqualTo(KEY);
    kek.rotate();
    assertThat(KeyEncryptionKeys.localKeyset(file).unwrap(stored, AAD)).isEqualTo(KEY);
  }

  @Test
  void rotate_keysetFileWouldExceedLimit_refusedAndOldKeysetKept() throws Exception {
    Path file = dir.resolve("kek.json");
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(file);
    // Each AES-256-GCM key adds roughly 200 bytes of JSON; rotate until the next would not fit.
    IOException refused = null;
    for (int i = 0; i < 1000 && refused == null; i++) {
      try {
        kek.rotate();
      } catch (IOException e) {
        refused = e;
      }
    }
    String primary = kek.keyId();

    assertThat(refused).isNotNull().hasMessageContaining("would exceed");
    assertThat(Files.size(file))
        .isLessThanOrEqualTo(TinkKeysetKeyEncryptionKey.MAX_KEYSET_FILE_BYTES);
    KeyEncryptionKey reopened = KeyEncryptionKeys.localKeyset(file);
    assertThat(reopened.keyId()).isEqualTo(primary);
    assertThat(reopened.versions()).isEqualTo(kek.versions());
  }

  private static void padWithSpaces(Path file, int size) throws IOException {
    byte[] content = Files.readAllBytes(file);
    byte[] padded = java.util.Arrays.copyOf(content, size);
    java.util.Arrays.fill(padded, content.length, size, (byte) ' ');
    Files.write(file, padded);
  }

  private static void writeOwnerOnly(Path file, byte[] content) throws IOException {
    Files.write(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }
}
