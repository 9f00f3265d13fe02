package io.bulwark.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecureFilesTest {
  @TempDir Path tmp;

  @Test
  void createPrivateDirectory_new_isOwnerOnly() throws Exception {
    Path dir = SecureFiles.createPrivateDirectory(tmp.resolve("a/b"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
  }

  @Test
  void createPrivateDirectory_existingOpenDirectory_isRefusedAndLeftUnchanged() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("shared"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThatThrownBy(() -> SecureFiles.createPrivateDirectory(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("chmod 700");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwxr-xr-x");
  }

  @Test
  void createPrivateDirectory_existingPrivateDirectory_isAccepted() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("mine"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    assertThat(SecureFiles.createPrivateDirectory(dir)).isEqualTo(dir);
  }

  @Test
  void writePrivate_createsOwnerOnlyFile_andNeverReplacesUnlessAsked() throws Exception {
    Path f = tmp.resolve("secret");
    SecureFiles.writePrivate(f, "one".getBytes(StandardCharsets.UTF_8), false);
    assertThat(SecureFiles.isExposed(f)).isFalse();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
        .isEqualTo("rw-------");
    assertThatThrownBy(
            () -> SecureFiles.writePrivate(f, "two".getBytes(StandardCharsets.UTF_8), false))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(f)).isEqualTo("one");
    SecureFiles.writePrivate(f, "three".getBytes(StandardCharsets.UTF_8), true);
    assertThat(Files.readString(f)).isEqualTo("three");
    try (var leftovers = Files.list(tmp)) {
      assertThat(leftovers.map(p -> p.getFileName().toString())).containsExactly("secret");
    }
  }

  @Test
  void printable_neutralisesLineBreakingAndBidiCharacters() {
    assertThat(Strings.printable("a\nb\rc\u2028d\u2029e\u202ef")).isEqualTo("a?b?c?d?e?f");
    assertThat(Strings.printable("x".repeat(200))).hasSize(131).endsWith("...");
  }

  @Test
  void readLimited_atTheLimitRead_aboveItRefused_symlinkRefused() throws Exception {
    java.nio.file.Path file = tmp.resolve("f");
    java.nio.file.Files.write(file, new byte[100]);
    org.assertj.core.api.Assertions.assertThat(SecureFiles.readLimited(file, 100)).hasSize(100);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SecureFiles.readLimited(file, 99))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("larger than 99 bytes");
    java.nio.file.Path link = tmp.resolve("link");
    java.nio.file.Files.createSymbolicLink(link, file);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SecureFiles.readLimited(link, 100))
        .isInstanceOf(java.io.IOException.class);
  }
}
