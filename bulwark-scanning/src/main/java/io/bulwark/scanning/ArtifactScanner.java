package io.bulwark.scanning;

import io.bulwark.core.SecureFiles;
import io.bulwark.core.Strings;
import io.bulwark.scanning.internal.OnnxScanner;
import io.bulwark.scanning.internal.PickleScanner;
import io.bulwark.scanning.internal.SafetensorsScanner;
import io.bulwark.scanning.spi.FormatScanner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Decides, without executing or loading anything, whether a model file or a package directory is
 * safe to admit.
 *
 * <p>Guarantees: every regular file is handed to the first registered {@link FormatScanner} that
 * recognises it; a file no scanner recognises makes the package unsafe ({@code
 * package.unrecognised}) unless it is a file that an ONNX model in the same package uses as
 * external data (format {@code onnx-external-data}) or a small UTF-8 text companion (format {@code
 * metadata}: {@code README}, {@code LICENSE}, {@code NOTICE} or a {@code .md}, {@code .txt} or
 * {@code .json} file of at most 1 MiB). Symbolic links anywhere in a package are findings ({@code
 * package.symlink}) and are never followed; so are special files. The verdict is {@link
 * Verdict#SAFE} exactly when there are no findings. A scanner that fails on hostile input with an
 * unchecked exception yields a finding ({@code <format>.scanner-error}), never a safe verdict.
 * {@link IOException} is thrown only when the files cannot be read.
 */
public final class ArtifactScanner {
  /** Largest text companion accepted as metadata. */
  public static final long MAX_METADATA_BYTES = 1024 * 1024;

  private static final int HEAD_BYTES = 64;
  private static final int MAX_WALK_DEPTH = 32;
  private static final Set<String> METADATA_NAMES = Set.of("readme", "license", "notice");
  private static final List<String> METADATA_SUFFIXES = List.of(".md", ".txt", ".json");

  private final ScanLimits limits;
  private final List<FormatScanner> scanners;
  private final OnnxScanner onnx;

  private ArtifactScanner(ScanLimits limits, OnnxScanner onnx, List<FormatScanner> scanners) {
    this.limits = limits;
    this.onnx = onnx;
    this.scanners = List.copyOf(scanners);
  }

  /** A scanner for ONNX, safetensors and pickle-based formats, bounded by {@code limits}. */
  public static ArtifactScanner withDefaults(ScanLimits limits) {
    OnnxScanner onnx = new OnnxScanner();
    return new ArtifactScanner(
        limits, onnx, List.of(onnx, new SafetensorsScanner(), new PickleScanner()));
  }

  /** The limits this scanner applies. */
  public ScanLimits limits() {
    return limits;
  }

  /**
   * Scans a single file or a package directory. For a single file, the package is its parent
   * directory (so ONNX external data beside it is checked), and findings name the file {@code "."}.
   *
   * @throws IOException if a file cannot be read
   */
  public ScanReport scan(Path fileOrDirectory) throws IOException {
    Path path = fileOrDirectory.toAbsolutePath().normalize();
    List<Finding> findings = new ArrayList<>();
    List<ScanReport.ScannedFile> files = new ArrayList<>();
    if (Files.isSymbolicLink(path)) {
      findings.add(new Finding(".", "package.symlink", "the scanned path is a symbolic link"));
      return report(files, findings);
    }
    if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
      Path parent = path.getParent();
      Path root = parent == null ? path : parent;
      scanFiles(root, Map.of(path, "."), files, findings);
      return report(files, findings);
    }
    if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      findings.add(new Finding(".", "package.special-file", "not a regular file or directory"));
      return report(files, findings);
    }
    Map<Path, String> regular = walk(path, findings);
    scanFiles(path, regular, files, findings);
    return report(files, findings);
  }

  /**
   * Scans one file held in memory, as uploaded. There is no package around it, so an ONNX model
   * that refers to external data is unsafe. Findings name the file {@code "."}.
   *
   * @throws IOException if a scanner that needs a file cannot write or read its temporary copy
   */
  public ScanReport scan(byte[] bytes, String fileName) throws IOException {
    List<Finding> findings = new ArrayList<>();
    List<ScanReport.ScannedFile> files = new ArrayList<>();
    Path name = Path.of(safeFileName(fileName));
    byte[] head = Arrays.copyOf(bytes, Math.min(bytes.length, HEAD_BYTES));
    if (bytes.length > limits.maxFileBytes()) {
      findings.add(new Finding(".", "package.limit", "file has " + bytes.length + " bytes"));
      files.add(new ScanReport.ScannedFile(".", "unrecognised", bytes.length));
      return report(files, findings);
    }
    Optional<FormatScanner> scanner = scannerFor(name, head);
    if (scanner.isEmpty()) {
      findings.add(new Finding(".", "package.unrecognised", "no scanner recognises the file"));
      files.add(new ScanReport.ScannedFile(".", "unrecognised", bytes.length));
      return report(files, findings);
    }
    FormatScanner s = scanner.get();
    files.add(new ScanReport.ScannedFile(".", s.format(), bytes.length));
    try {
      if (s == onnx) {
        findings.addAll(onnx.scanModel(bytes, null, ".", limits).findings());
      } else if (s instanceof SafetensorsScanner safetensors) {
        findings.addAll(safetensors.scanBytes(bytes, ".", limits));
      } else {
        findings.addAll(scanCopy(s, bytes, name));
      }
    } catch (RuntimeException e) {
      findings.add(scannerError(".", s));
    }
    return report(files, findings);
  }

  /** For scanners that only read files: a private temporary copy, deleted afterwards. */
  private List<Finding> scanCopy(FormatScanner scanner, byte[] bytes, Path name)
      throws IOException {
    Path dir = Files.createTempDirectory("bulwark-scan-");
    Path file = dir.resolve(name);
    try {
      SecureFiles.createPrivateDirectory(dir);
      SecureFiles.writePrivate(file, bytes, false);
      return scanner.scan(dir, file, ".", limits);
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  private static String safeFileName(String fileName) {
    String base = fileName.replace('\\', '/');
    base = base.substring(base.lastIndexOf('/') + 1);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < base.length() && out.length() < 128; i++) {
      char c = base.charAt(i);
      out.append(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_' ? c : '_');
    }
    String cleaned = out.toString();
    return cleaned.isEmpty() || cleaned.equals(".") || cleaned.equals("..") ? "upload" : cleaned;
  }

  private Map<Path, String> walk(Path root, List<Finding> findings) throws IOException {
    Map<Path, String> regular = new LinkedHashMap<>();
    Files.walkFileTree(
        root,
        Set.of(),
        MAX_WALK_DEPTH,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            String relative = relative(root, file);
            if (attrs.isSymbolicLink()) {
              findings.add(new Finding(relative, "package.symlink", "symbolic link"));
            } else if (attrs.isDirectory()) {
              // only reached at the depth limit
              findings.add(new Finding(relative, "package.limit", "directories nested too deep"));
            } else if (!attrs.isRegularFile()) {
              findings.add(new Finding(relative, "package.special-file", "not a regular file"));
            } else if (regular.size() >= limits.maxFiles()) {
              findings.add(
                  new Finding(".", "package.limit", "more than " + limits.maxFiles() + " files"));
              return FileVisitResult.TERMINATE;
            } else {
              regular.put(file, relative);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            throw e;
          }
        });
    return regular;
  }

  private void scanFiles(
      Path root,
      Map<Path, String> regular,
      List<ScanReport.ScannedFile> files,
      List<Finding> findings)
      throws IOException {
    List<Map.Entry<Path, String>> ordered = new ArrayList<>(regular.entrySet());
    ordered.sort(Map.Entry.comparingByValue(Comparator.naturalOrder()));
    Map<Path, @Nullable FormatScanner> assigned = new LinkedHashMap<>();
    for (Map.Entry<Path, String> e : ordered) {
      assigned.put(e.getKey(), scannerFor(e.getKey(), head(e.getKey())).orElse(null));
    }
    // ONNX first, so the files its external data names are known before the rest are judged
    Set<Path> externalData = new HashSet<>();
    for (Map.Entry<Path, String> e : ordered) {
      if (assigned.get(e.getKey()) == onnx) {
        long size = Files.size(e.getKey());
        files.add(new ScanReport.ScannedFile(e.getValue(), onnx.format(), size));
        try {
          OnnxScanner.Result result = onnx.scanFile(root, e.getKey(), e.getValue(), limits);
          findings.addAll(result.findings());
          externalData.addAll(result.externalDataFiles());
        } catch (RuntimeException failure) {
          findings.add(scannerError(e.getValue(), onnx));
        }
      }
    }
    for (Map.Entry<Path, String> e : ordered) {
      FormatScanner scanner = assigned.get(e.getKey());
      if (scanner == onnx) {
        continue;
      }
      Path file = e.getKey();
      String relative = e.getValue();
      long size = Files.size(file);
      if (scanner != null) {
        files.add(new ScanReport.ScannedFile(relative, scanner.format(), size));
        if (size > limits.maxFileBytes()) {
          findings.add(new Finding(relative, "package.limit", "file has " + size + " bytes"));
          continue;
        }
        try {
          findings.addAll(scanner.scan(root, file, relative, limits));
        } catch (RuntimeException failure) {
          findings.add(scannerError(relative, scanner));
        }
      } else if (externalData.contains(file.toAbsolutePath().normalize())) {
        files.add(new ScanReport.ScannedFile(relative, "onnx-external-data", size));
      } else if (isMetadata(file, size)) {
        files.add(new ScanReport.ScannedFile(relative, "metadata", size));
      } else {
        files.add(new ScanReport.ScannedFile(relative, "unrecognised", size));
        findings.add(
            new Finding(relative, "package.unrecognised", "no scanner recognises the file"));
      }
    }
  }

  private Optional<FormatScanner> scannerFor(Path file, byte[] head) {
    for (FormatScanner scanner : scanners) {
      if (scanner.recognises(file, head)) {
        return Optional.of(scanner);
      }
    }
    return Optional.empty();
  }

  private static byte[] head(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      return in.readNBytes(HEAD_BYTES);
    }
  }

  private static boolean isMetadata(Path file, long size) throws IOException {
    Path fileName = file.getFileName();
    if (fileName == null || size > MAX_METADATA_BYTES) {
      return false;
    }
    String name = fileName.toString().toLowerCase(Locale.ROOT);
    boolean named =
        METADATA_NAMES.contains(name) || METADATA_SUFFIXES.stream().anyMatch(name::endsWith);
    if (!named) {
      return false;
    }
    byte[] content = Files.readAllBytes(file);
    for (byte b : content) {
      if (b == 0) {
        return false;
      }
    }
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(content));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static Finding scannerError(String file, FormatScanner scanner) {
    return new Finding(
        file,
        Strings.printable(scanner.format()) + ".scanner-error",
        "the scanner failed on this file");
  }

  private static String relative(Path root, Path file) {
    String relative = root.relativize(file).toString().replace('\\', '/');
    return relative.isEmpty() ? "." : relative;
  }

  private static ScanReport report(List<ScanReport.ScannedFile> files, List<Finding> findings) {
    return new ScanReport(findings.isEmpty() ? Verdict.SAFE : Verdict.UNSAFE, files, findings);
  }
}
