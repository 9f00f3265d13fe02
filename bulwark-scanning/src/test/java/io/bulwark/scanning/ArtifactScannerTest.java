package io.bulwark.scanning;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.testing.OnnxElementType;
import io.bulwark.testing.OnnxModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactScannerTest {
  private final ArtifactScanner scanner = ArtifactScanner.withDefaults(ScanLimits.defaults());

  @TempDir Path dir;

  private static byte[] safetensors() {
    byte[] header =
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"
            .getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + header.length + 4)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(header.length)
        .put(header)
        .array();
  }

  private static ScanLimits maxFiles(int files) {
    ScanLimits d = ScanLimits.defaults();
    return new ScanLimits(
        d.maxFileBytes(),
        files,
        d.maxOnnxNodes(),
        d.maxOnnxInitializers(),
        d.maxPickleOps(),
        d.maxArchiveEntries(),
        d.maxSafetensorsHeaderBytes());
  }

  @Test
  void scan_packageWithExternalDataAndReadme_safe() throws IOException {
    Files.write(dir.resolve("model.onnx"), OnnxModels.externalData("weights.bin"));
    Files.write(dir.resolve("weights.bin"), new byte[16]);
    Files.writeString(dir.resolve("README.md"), "# model\n");
    Files.write(dir.resolve("extra.safetensors"), safetensors());

    ScanReport report = scanner.scan(dir);

    assertThat(report.verdict()).isEqualTo(Verdict.SAFE);
    assertThat(report.files())
        .extracting(ScanReport.ScannedFile::path, ScanReport.ScannedFile::format)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("model.onnx", "onnx"),
            org.assertj.core.groups.Tuple.tuple("weights.bin", "onnx-external-data"),
            org.assertj.core.groups.Tuple.tuple("README.md", "metadata"),
            org.assertj.core.groups.Tuple.tuple("extra.safetensors", "safetensors"));
  }

  @Test
  void scan_unreferencedBinary_unrecognised() throws IOException {
    Files.write(dir.resolve("model.onnx"), OnnxModels.identity(OnnxElementType.FLOAT, 2));
    Files.write(dir.resolve("weights.bin"), new byte[16]);

    ScanReport report = scanner.scan(dir);

    assertThat(report.verdict()).isEqualTo(Verdict.UNSAFE);
    assertThat(report.findings())
        .containsExactly(
            new Finding("weights.bin", "package.unrecognised", "no scanner recognises the file"));
  }

  @Test
  void scan_binaryNamedAsText_unrecognised() throws IOException {
    Files.write(dir.resolve("notes.txt"), new byte[] {0x00, (byte) 0xff});
    assertThat(scanner.scan(dir).findings())
        .extracting(Finding::rule)
        .containsExactly("package.unrecognised");
  }

  @Test
  void scan_symlinkInPackage_symlinkNotFollowed(@TempDir Path outside) throws IOException {
    Files.write(dir.resolve("model.onnx"), OnnxModels.identity(OnnxElementType.FLOAT, 2));
    Files.createSymbolicLink(dir.resolve("link.onnx"), outside.resolve("anything.onnx"));

    ScanReport report = scanner.scan(dir);

    assertThat(report.verdict()).isEqualTo(Verdict.UNSAFE);
    assertThat(report.findings()).extracting(Finding::rule).containsExactly("package.symlink");
  }

  @Test
  void scan_symlinkAsScannedPath_symlink() throws IOException {
    Path model = Files.write(dir.resolve("model.onnx"), OnnxModels.identity(OnnxElementType.FLOAT));
    Path link = Files.createSymbolicLink(dir.resolve("link.onnx"), model);
    assertThat(scanner.scan(link).findings())
        .extracting(Finding::rule)
        .containsExactly("package.symlink");
  }

  @Test
  void scan_filesAtAndAboveLimit_limitOnlyAbove() throws IOException {
    Files.write(dir.resolve("a.onnx"), OnnxModels.identity(OnnxElementType.FLOAT, 2));
    Files.write(dir.resolve("b.onnx"), OnnxModels.identity(OnnxElementType.FLOAT, 2));
    assertThat(ArtifactScanner.withDefaults(maxFiles(2)).scan(dir).verdict())
        .isEqualTo(Verdict.SAFE);
    assertThat(ArtifactScanner.withDefaults(maxFiles(1)).scan(dir).findings())
        .extracting(Finding::rule)
        .contains("package.limit");
  }

  @Test
  void scan_singleFileWithTraversal_unsafeNamedDot() throws IOException {
    Path model = Files.write(dir.resolve("m.onnx"), OnnxModels.externalDataPathTraversal());
    ScanReport report = scanner.scan(model);
    assertThat(report.verdict()).isEqualTo(Verdict.UNSAFE);
    assertThat(report.findings())
        .extracting(Finding::file, Finding::rule)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(".", "onnx.external-data.traversal"));
  }

  @Test
  void scan_bytesOnnxWithExternalData_noPackage() throws IOException {
    ScanReport report = scanner.scan(OnnxModels.externalData("weights.bin"), "model.onnx");
    assertThat(report.findings())
        .extracting(Finding::rule)
        .containsExactly("onnx.external-data.no-package");
  }

  @Test
  void scan_bytesValidFormats_safe() throws IOException {
    assertThat(scanner.scan(OnnxModels.identity(OnnxElementType.FLOAT, 2), "m.onnx").verdict())
        .isEqualTo(Verdict.SAFE);
    assertThat(scanner.scan(safetensors(), "w.safetensors").verdict()).isEqualTo(Verdict.SAFE);
  }

  @Test
  void scan_bytesUnknownFormat_unrecognised() throws IOException {
    ScanReport report = scanner.scan(new byte[] {1, 2, 3}, "../../model.exe");
    assertThat(report.findings()).extracting(Finding::rule).containsExactly("package.unrecognised");
  }

  @Test
  void scan_bytesAboveFileLimit_limit() throws IOException {
    byte[] model = OnnxModels.identity(OnnxElementType.FLOAT, 2);
    ScanLimits d = ScanLimits.defaults();
    ScanLimits tight =
        new ScanLimits(
            model.length,
            d.maxFiles(),
            d.maxOnnxNodes(),
            d.maxOnnxInitializers(),
            d.maxPickleOps(),
            d.maxArchiveEntries(),
            d.maxSafetensorsHeaderBytes());
    assertThat(ArtifactScanner.withDefaults(tight).scan(model, "m.onnx").verdict())
        .isEqualTo(Verdict.SAFE);
    byte[] larger = java.util.Arrays.copyOf(model, model.length + 1);
    assertThat(ArtifactScanner.withDefaults(tight).scan(larger, "m.onnx").findings())
        .extracting(Finding::rule)
        .containsExactly("package.limit");
  }

  @Test
  void scan_bytesMaliciousPickle_unsafe() throws IOException {
    byte[] pickle = "cos\nsystem\n(S'id'\ntR.".getBytes(StandardCharsets.US_ASCII);
    ScanReport report = scanner.scan(pickle, "evil.pkl");
    assertThat(report.verdict()).isEqualTo(Verdict.UNSAFE);
    assertThat(report.files())
        .extracting(ScanReport.ScannedFile::format)
        .doesNotContain("unrecognised");
  }
}
