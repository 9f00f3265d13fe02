package io.bulwark.crypto.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BoundedFilesTest {
  @TempDir Path dir;

  @Test
  void read_fileAtLimit_returnsContent() throws Exception {
    Path file = Files.write(dir.resolve("f"), new byte[100]);

    assertThat(BoundedFiles.read(file, 100, "test file")).hasSize(100);
  }

  @Test
  void read_fileOneByteAboveLimit_refused() throws Exception {
    Path file = Files.write(dir.resolve("f"), new byte[101]);

    assertThatThrownBy(() -> BoundedFiles.read(file, 100, "test file"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("test file")
        .hasMessageContaining("larger than 100 bytes");
  }

  @Test
  void read_symbolicLink_refused() throws Exception {
    Path target = Files.write(dir.resolve("f"), new byte[1]);
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);

    assertThatThrownBy(() -> BoundedFiles.read(link, 100, "test file"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("symbolic link");
  }

  @Test
  void readPrivate_ownerOnly_returnsContent() throws Exception {
    Path file = Files.write(dir.resolve("f"), new byte[] {7});
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    assertThat(BoundedFiles.readPrivate(file, 100, "test file")).containsExactly(7);
  }

  @Test
  void readPrivate_groupOrOtherAccess_refused() throws Exception {
    Path file = Files.write(dir.resolve("f"), new byte[] {7});
    for (String mode : new String[] {"rw-r-----", "rw--w----", "rw----r--", "rw-----w-"}) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));

      assertThatThrownBy(() -> BoundedFiles.readPrivate(file, 100, "test file"))
          .as(mode)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("group or others");
    }
  }
}
