package io.bulwark.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;

/**
 * Writes files that hold secrets or private state: created owner-only from the first byte (never
 * world-readable, not even briefly) and published atomically, so a crash leaves either the old file
 * or the new one, never half of it.
 */
public final class SecureFiles {
  private static final Set<PosixFilePermission> OWNER_RW =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_RWX =
      PosixFilePermissions.fromString("rwx------");

  private SecureFiles() {}

  /**
   * Creates {@code dir} (and parents) owner-only (0700), or checks that an existing {@code dir} is
   * not open to other users. An existing directory is never chmodded: it may be one the operator
   * named by mistake (a home directory), and silently changing it would be worse than refusing.
   *
   * @throws IOException if the directory cannot be created, or exists and grants group or others
   *     any access
   */
  public static Path createPrivateDirectory(Path dir) throws IOException {
    boolean posix = isPosix(dir.toAbsolutePath().getRoot());
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      if (posix) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_RWX));
        // The umask may have narrowed the mode further; 0700 is exactly what is wanted.
        Files.setPosixFilePermissions(dir, OWNER_RWX);
      } else {
        Files.createDirectories(dir);
      }
      return dir;
    }
    if (posix) {
      Set<PosixFilePermission> perms =
          Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
      if (perms.stream().anyMatch(p -> !OWNER_RWX.contains(p))) {
        throw new IOException(
            dir
                + " is accessible by other users ("
                + PosixFilePermissions.toString(perms)
                + "); run 'chmod 700 "
                + dir
                + "' or choose another directory");
      }
    }
    return dir;
  }

  /**
   * Writes {@code content} to {@code target} with mode 0600, atomically.
   *
   * @param replace whether an existing file may be replaced; if not, an existing file makes this
   *     throw {@link FileAlreadyExistsException}
   */
  public static void writePrivate(Path target, byte[] content, boolean replace) throws IOException {
    writePrivate(target, partial -> Files.write(partial, content), replace);
  }

  /** Writes a private file's content into the temporary file it is given. */
  @FunctionalInterface
  public interface Filler {
    void fill(Path partial) throws IOException;
  }

  /**
   * Has {@code filler} write a temporary 0600 file beside {@code target}, flushes it to disk and
   * only then gives it the name {@code target}: nobody ever sees a partial file under that name,
   * and the temporary file is gone however this ends (but for the process being killed).
   *
   * @param replace whether an existing file may be replaced; if not, an existing file, even one
   *     created while {@code filler} ran, makes this throw {@link FileAlreadyExistsException}
   */
  public static void writePrivate(Path target, Filler filler, boolean replace) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (dir == null) {
      throw new IOException("no parent directory for " + target);
    }
    if (!replace && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(target.toString());
    }
    Path tmp =
        isPosix(dir)
            ? Files.createTempFile(
                dir, ".tmp-", ".part", PosixFilePermissions.asFileAttribute(OWNER_RW))
            : Files.createTempFile(dir, ".tmp-", ".part");
    try {
      filler.fill(tmp);
      try (var ch =
          java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      if (replace) {
        moveAtomically(tmp, target);
      } else {
        // rename(2) would silently replace a file created meanwhile; link(2) refuses to, so the
        // first writer wins even against another process.
        Files.createLink(target, tmp);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Reads a small file whole, without following a symbolic link at its end, refusing one larger
   * than {@code maxBytes} before holding more than that in memory.
   *
   * @throws IOException if the file cannot be read or is larger than {@code maxBytes}, naming the
   *     file and the limit
   */
  public static byte[] readLimited(Path file, int maxBytes) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes(maxBytes + 1);
    }
    if (bytes.length > maxBytes) {
      throw new IOException(file + " is larger than " + maxBytes + " bytes");
    }
    return bytes;
  }

  /**
   * A server secret of exactly {@code length} random bytes kept in {@code file}: created (mode
   * 0600) on first use, then read back. A file others can read or write, or of another length, is
   * refused: the secret may have leaked or been replaced.
   *
   * @throws IOException naming the file and what is wrong with it
   */
  public static byte[] loadOrCreateSecret(Path file, int length) throws IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] fresh = new byte[length];
      new SecureRandom().nextBytes(fresh);
      writePrivate(file, fresh, false);
    }
    if (isExposed(file)) {
      throw new IOException(
          file + " is readable or writable by other users; chmod 600 it and restart");
    }
    byte[] secret = readLimited(file, length + 1);
    if (secret.length != length) {
      throw new IOException(file + " must hold exactly " + length + " bytes");
    }
    return secret;
  }

  /** Whether {@code file} is readable or writable by anyone but its owner. */
  public static boolean isExposed(Path file) throws IOException {
    if (!isPosix(file)) {
      return false;
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
    return perms.contains(PosixFilePermission.GROUP_READ)
        || perms.contains(PosixFilePermission.GROUP_WRITE)
        || perms.contains(PosixFilePermission.OTHERS_READ)
        || perms.contains(PosixFilePermission.OTHERS_WRITE);
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static boolean isPosix(Path p) {
    return Files.getFileAttributeView(p, PosixFileAttributeView.class) != null;
  }
}
