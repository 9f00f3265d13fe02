package io.bulwark.audit.internal;

import io.bulwark.audit.SiemSink;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.jspecify.annotations.Nullable;

/** JSON lines appended to a file, opened on first use and reopened after a failure. */
public final class FileSiemSink implements SiemSink {
  private final Path file;
  private @Nullable OutputStream out;

  public FileSiemSink(Path file) {
    this.file = file;
  }

  @Override
  public void send(byte[] json) throws IOException {
    OutputStream o = out;
    if (o == null) {
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        try {
          Files.createFile(
              file,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException | java.nio.file.FileAlreadyExistsException e) {
          // not POSIX, or created meanwhile: open it as it is
        }
      }
      o =
          new BufferedOutputStream(
              Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
      out = o;
    }
    try {
      o.write(json);
      o.write('\n');
      o.flush();
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    OutputStream o = out;
    out = null;
    if (o != null) {
      o.close();
    }
  }
}
