package io.bulwark.signing;

import io.bulwark.core.Digests;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.LimitExceededException;
import io.bulwark.core.Strings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The OMS manifest of a model with the reference tool's default {@code files} serialisation: one
 * SHA-256 digest per regular file, named by its path relative to the model directory with {@code /}
 * separators ({@code "."} when the model is a single file), sorted by path components, and a
 * subject digest that is the SHA-256 of the concatenated raw file digests in that order.
 *
 * <p>Symbolic links are refused anywhere in the model (the reference's {@code allow_symlinks=false}
 * default): a link could make the signed content depend on files outside the model. The version
 * control files {@link #DEFAULT_IGNORED_NAMES} at the top of the model are skipped, as the
 * reference does.
 */
public record ModelManifest(String modelName, List<Resource> resources) {
  /** Names at the top of a model directory that are never part of the manifest. */
  public static final List<String> DEFAULT_IGNORED_NAMES =
      List.of(".git", ".gitattributes", ".github", ".gitignore");

  /**
   * Sorts as the reference does: by path components, each compared by code point (so {@code a/b}
   * sorts before {@code a.b}).
   */
  static final Comparator<String> NAME_ORDER =
      (a, b) -> {
        String[] pa = a.split("/", -1);
        String[] pb = b.split("/", -1);
        for (int i = 0; i < Math.min(pa.length, pb.length); i++) {
          int c = compareCodePoints(pa[i], pb[i]);
          if (c != 0) {
            return c;
          }
        }
        return Integer.compare(pa.length, pb.length);
      };

  /**
   * One file of the model.
   *
   * @param name the path relative to the model, {@code /}-separated; {@code "."} for a single file
   * @param sha256 the lowercase hex SHA-256 of the file's bytes
   */
  public record Resource(String name, String sha256) {
    public Resource {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(sha256, "sha256");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("a resource name must not be empty");
      }
      if (!isSha256Hex(sha256)) {
        throw new IllegalArgumentException("a resource digest must be 64 lowercase hex digits");
      }
    }
  }

  /** Sorts the resources and refuses duplicates, so two equal manifests compare equal. */
  public ModelManifest {
    Objects.requireNonNull(modelName, "modelName");
    List<Resource> sorted = new ArrayList<>(resources);
    sorted.sort(Comparator.comparing(Resource::name, NAME_ORDER));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).name().equals(sorted.get(i - 1).name())) {
        throw new IllegalArgumentException(
            "duplicate resource name " + Strings.printable(sorted.get(i).name()));
      }
    }
    resources = List.copyOf(sorted);
  }

  /** The lowercase hex SHA-256 over the raw digests of all resources, in manifest order. */
  public String subjectDigest() {
    MessageDigest sha256 = sha256();
    for (Resource r : resources) {
      sha256.update(HexFormat.of().parseHex(r.sha256()));
    }
    return HexFormat.of().formatHex(sha256.digest());
  }

  /** Computes the manifest of {@code model} with {@link SigningLimits#defaults()}. */
  public static ModelManifest compute(Path model, Collection<Path> ignorePaths) throws IOException {
    return compute(model, ignorePaths, SigningLimits.defaults());
  }

  /**
   * Computes the manifest of {@code model}, a directory or a single regular file.
   *
   * @param ignorePaths files or directories to leave out; relative paths are resolved against the
   *     working directory, as the reference tool's {@code --ignore-paths} are
   * @throws InvalidRequestException if the model is or contains a symbolic link or something that
   *     is neither a regular file nor a directory
   * @throws LimitExceededException if the model has more than {@code limits.maxFiles()} files
   * @throws IOException if the model cannot be read
   */
  public static ModelManifest compute(
      Path model, Collection<Path> ignorePaths, SigningLimits limits) throws IOException {
    Path root = model.toAbsolutePath().normalize();
    Path fileName = root.getFileName();
    String modelName = fileName == null ? "" : fileName.toString();
    BasicFileAttributes attributes =
        Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (attributes.isSymbolicLink()) {
      throw new InvalidRequestException("the model path is a symbolic link");
    }
    if (attributes.isRegularFile()) {
      return new ModelManifest(modelName, List.of(new Resource(".", hashFile(root))));
    }
    if (!attributes.isDirectory()) {
      throw new InvalidRequestException("the model is neither a regular file nor a directory");
    }
    Set<Path> ignored = new HashSet<>();
    for (Path p : ignorePaths) {
      ignored.add(p.toAbsolutePath().normalize());
    }
    for (String name : DEFAULT_IGNORED_NAMES) {
      ignored.add(root.resolve(name));
    }
    List<Resource> resources = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return ignored.contains(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            if (ignored.contains(file)) {
              return FileVisitResult.CONTINUE;
            }
            String name = relativeName(root, file);
            if (attrs.isSymbolicLink()) {
              throw new InvalidRequestException(
                  "symbolic links are not allowed in a model: " + Strings.printable(name));
            }
            if (!attrs.isRegularFile()) {
              throw new InvalidRequestException("not a regular file: " + Strings.printable(name));
            }
            if (resources.size() >= limits.maxFiles()) {
              throw new LimitExceededException(
                  "signing.max_files", limits.maxFiles(), "the number of files in the model");
            }
            resources.add(new Resource(name, hashFile(file)));
            return FileVisitResult.CONTINUE;
          }
        });
    return new ModelManifest(modelName, resources);
  }

  static boolean isSha256Hex(String s) {
    if (s.length() != 64) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static String relativeName(Path root, Path file) {
    List<String> parts = new ArrayList<>();
    for (Path part : root.relativize(file)) {
      parts.add(part.toString());
    }
    return String.join("/", parts);
  }

  private static String hashFile(Path file) throws IOException {
    MessageDigest sha256 = sha256();
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        sha256.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha256.digest());
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private static MessageDigest sha256() {
    return Digests.sha256();
  }
}
