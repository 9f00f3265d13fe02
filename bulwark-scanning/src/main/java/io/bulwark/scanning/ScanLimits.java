package io.bulwark.scanning;

/**
 * Limits that bound the work and memory of a scan, whatever the input.
 *
 * @param maxFileBytes largest single file
 * @param maxFiles most files in a package
 * @param maxOnnxNodes most nodes in an ONNX graph (all subgraphs counted)
 * @param maxOnnxInitializers most initializers in an ONNX graph
 * @param maxPickleOps most opcodes in one pickle stream
 * @param maxArchiveEntries most entries in a zip (PyTorch, npz)
 * @param maxSafetensorsHeaderBytes largest safetensors JSON header
 */
public record ScanLimits(
    long maxFileBytes,
    int maxFiles,
    int maxOnnxNodes,
    int maxOnnxInitializers,
    long maxPickleOps,
    int maxArchiveEntries,
    int maxSafetensorsHeaderBytes) {

  public ScanLimits {
    if (maxFileBytes <= 0
        || maxFiles <= 0
        || maxOnnxNodes <= 0
        || maxOnnxInitializers <= 0
        || maxPickleOps <= 0
        || maxArchiveEntries <= 0
        || maxSafetensorsHeaderBytes <= 0) {
      throw new IllegalArgumentException("scan limits must be positive");
    }
  }

  /** The same limits with another largest file size. */
  public ScanLimits withMaxFileBytes(long v) {
    return new ScanLimits(
        v,
        maxFiles,
        maxOnnxNodes,
        maxOnnxInitializers,
        maxPickleOps,
        maxArchiveEntries,
        maxSafetensorsHeaderBytes);
  }

  public static ScanLimits defaults() {
    return new ScanLimits(
        4L * 1024 * 1024 * 1024, 10_000, 1_000_000, 1_000_000, 50_000_000, 100_000, 100_000_000);
  }
}
