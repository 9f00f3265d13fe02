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
    byte[] wrapped = first.wrap(KEY, AAD);

    KeyEncryptionKey second = KeyEncryptionKeys.localKeyset(file);

    assertThat(second.keyId()).isEqualTo(first.keyId());
    assertThat(second.unwrap(wrapped, AAD)).isEqualTo(KEY);
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

    byte[] wrapped = a.wrap(KEY, AAD);

    assertThatThrownBy(() -> b.unwrap(wrapped, AAD)).isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void wrap_sameKeyTwice_differentCiphertexts() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"));

    assertThat(kek.wrap(KEY, AAD)).isNotEqualTo(kek.wrap(KEY, AAD));
  }

  @Test
  void unwrap_differentAssociatedData_throws() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"));
    byte[] wrapped = kek.wrap(KEY, AAD);

    assertThatThrownBy(() -> kek.unwrap(wrapped, "model=m;version=2".getBytes(UTF_8)))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void unwrap_anyFlippedBit_throws() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"));
    byte[] wrapped = kek.wrap(KEY, AAD);

    for (int i = 0; i < wrapped.length * 8; i++) {
      byte[] tampered = wrapped.clone();
      tampered[i / 8] ^= (byte) (1 << (i % 8));
      assertThatThrownBy(() -> kek.unwrap(tampered, AAD))
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
    byte[] oldWrapped = before.wrap(KEY, AAD);
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
    assertThat(after.unwrap(oldWrapped, AAD)).isEqualTo(KEY);
    byte[] newWrapped = after.wrap(KEY, AAD);
    assertThatThrownBy(() -> before.unwrap(newWrapped, AAD))
        .isInstanceOf(GeneralSecurityException.class);
  }

  private static KeysetHandle parse(Path file) throws Exception {
    return TinkJsonProtoKeysetFormat.parseKeyset(
        Files.readString(file), AeadConfig2026.get(), InsecureSecretKeyAccess.get());
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
