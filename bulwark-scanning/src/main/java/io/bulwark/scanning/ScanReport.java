package io.bulwark.scanning;

import java.util.List;

/**
 * The result of scanning a file or a package directory.
 *
 * @param verdict {@link Verdict#UNSAFE} exactly when {@code findings} is not empty
 * @param files every scanned file with the format it was recognised as
 * @param findings the reasons for an unsafe verdict
 */
public record ScanReport(Verdict verdict, List<ScannedFile> files, List<Finding> findings) {
  public ScanReport {
    files = List.copyOf(files);
    findings = List.copyOf(findings);
    if ((verdict == Verdict.SAFE) != findings.isEmpty()) {
      throw new IllegalArgumentException("a report is unsafe exactly when it has findings");
    }
  }

  /** A file and the format it was scanned as ({@code "unrecognised"} if none). */
  public record ScannedFile(String path, String format, long sizeBytes) {}
}
