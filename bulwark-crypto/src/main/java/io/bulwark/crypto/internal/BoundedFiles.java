package io.bulwark.crypto.internal;

import io.bulwark.core.SecureFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Reads the small files this module owns, with a size limit and without following links. */
final class BoundedFiles {
  private BoundedFiles() {}

  /**
   * Reads all of {@code file}, refusing files larger than {@code maxBytes} and symbolic links.
   *
   * @param what names the file in error messages, for example "key-encryption keyset"
   */
  static byte[] read(Path file, int maxBytes, String what) throws IOException {
    if (Files.isSymbolicLink(file)) {
      throw new IOException(what + " " + file + " is a symbolic link; refusing to follow it");
    }
    byte[] content;
    // NOFOLLOW_LINKS also closes the gap between the check above and the open.
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      content = in.readNBytes(maxBytes + 1);
    }
    if (content.length > maxBytes) {
      throw new IOException(what + " " + file + " is larger than " + maxBytes + " bytes");
    }
    return content;
  }

  /** Like {@link #read}, but first refuses a file that group or others may read or write. */
  static byte[] readPrivate(Path file, int maxBytes, String what) throws IOException {
    checkPrivate(file, what);
    return read(file, maxBytes, what);
  }

  /** Throws unless {@code file} is a regular file that only its owner may read or write. */
  static void checkPrivate(Path file, String what) throws IOException {
    if (Files.isSymbolicLink(file)) {
      throw new IOException(what + " " + file + " is a symbolic link; refusing to follow it");
    }
    if (SecureFiles.isExposed(file)) {
      throw new IOException(
          what
              + " "
              + file
              + " is readable or writable by group or others; restrict it with chmod 600");
    }
  }
}
