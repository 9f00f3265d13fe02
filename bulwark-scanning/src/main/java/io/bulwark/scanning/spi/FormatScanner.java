package io.bulwark.scanning.spi;

import io.bulwark.scanning.Finding;
import io.bulwark.scanning.ScanLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Scans one file format. Implementations parse without executing or loading anything, bound their
 * work by {@link ScanLimits}, and report every problem as a {@link Finding}: a file that cannot be
 * parsed is unsafe, never skipped.
 */
public interface FormatScanner {

  /** The format's name as shown in reports, for example {@code onnx}. */
  String format();

  /**
   * Whether {@code file} is in this format, judged from its name and its first bytes ({@code head},
   * up to 64 bytes, fewer if the file is shorter).
   */
  boolean recognises(Path file, byte[] head);

  /**
   * Scans {@code file}, which lies inside the package directory {@code root} (for single-file
   * scans, its parent). Returns no findings if the file is safe.
   *
   * @param relativeName the file's name relative to {@code root}, for findings
   */
  List<Finding> scan(Path root, Path file, String relativeName, ScanLimits limits)
      throws IOException;
}
