package io.bulwark.server.internal;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.Strings;
import java.util.Arrays;
import java.util.Optional;

/**
 * The formats a push may declare. Each is scanned by the admission scanner under a file name whose
 * extension selects that format's rules, and checked first by its leading bytes, so that a file is
 * never judged by the rules of a format it is not. Only {@link #ONNX} versions can be served; the
 * others are kept (scanned, signed, sealed) so that the registry can hand them out safely.
 */
enum ArtifactFormat {
  /** An ONNX model (protobuf); the only format that deploys. */
  ONNX("onnx", "model.onnx"),
  /** A safetensors file: an 8-byte little-endian header length, a JSON header, raw tensors. */
  SAFETENSORS("safetensors", "model.safetensors"),
  /**
   * A PyTorch checkpoint in the zip layout {@code torch.save} writes by default; its pickles are
   * scanned. Checkpoints in the legacy layout (consecutive pickles) are pushed as {@link #PICKLE}.
   */
  PYTORCH("pytorch", "model.pt"),
  /** A raw Python pickle (any protocol), including PyTorch's legacy checkpoint layout. */
  PICKLE("pickle", "model.pkl"),
  /** A NumPy {@code .npy} array; an array of objects holds a pickle, which is scanned. */
  NUMPY("numpy", "model.npy");

  private static final byte[] ZIP = {'P', 'K', 3, 4};
  private static final byte[] NPY = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int PICKLE_PROTO = 0x80;

  private final String wireName;
  private final String scanName;

  ArtifactFormat(String wireName, String scanName) {
    this.wireName = wireName;
    this.scanName = scanName;
  }

  /** The name in the API and the registry, for example {@code safetensors}. */
  String wireName() {
    return wireName;
  }

  /** The extension of this format's files, with its dot. */
  String extension() {
    return scanName.substring(scanName.lastIndexOf('.'));
  }

  /** The file name the admission scanner is given, whose extension selects the format's rules. */
  String scanName() {
    return scanName;
  }

  /**
   * The format named {@code name}; null or empty means ONNX.
   *
   * @throws InvalidRequestException for any other name
   */
  static ArtifactFormat parse(@org.jspecify.annotations.Nullable String name) {
    if (name == null || name.isEmpty()) {
      return ONNX;
    }
    return Arrays.stream(values())
        .filter(f -> f.wireName.equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new InvalidRequestException(
                    "unknown format '"
                        + Strings.printable(name.length() > 32 ? name.substring(0, 32) : name)
                        + "': use one of "
                        + Arrays.stream(values()).map(ArtifactFormat::wireName).toList()));
  }

  /**
   * Checks that {@code bytes} begin as this format's files do.
   *
   * @throws InvalidRequestException naming the declared format and what the file looks like
   */
  void checkLooksLike(byte[] bytes) {
    Optional<ArtifactFormat> seen = recognise(bytes);
    boolean matches =
        switch (this) {
          // ONNX (protobuf) and pickle protocols 0 and 1 have no magic: anything that is not
          // recognisably another format goes to their parser, which refuses what it cannot read.
          case ONNX -> seen.isEmpty();
          case PICKLE -> seen.isEmpty() || seen.get() == PICKLE;
          default -> seen.isPresent() && seen.get() == this;
        };
    if (!matches) {
      throw new InvalidRequestException(
          "the file is not of the declared format '"
              + wireName
              + "': "
              + seen.map(
                      f -> "it looks like " + f.wireName + " (declare format=" + f.wireName + ")")
                  .orElse("it does not begin as " + wireName + " files do"));
    }
  }

  /** The format whose magic bytes {@code bytes} begin with, if any (ONNX has none). */
  static Optional<ArtifactFormat> recognise(byte[] bytes) {
    if (startsWith(bytes, ZIP)) {
      return Optional.of(PYTORCH);
    }
    if (startsWith(bytes, NPY)) {
      return Optional.of(NUMPY);
    }
    if (bytes.length >= 2 && (bytes[0] & 0xff) == PICKLE_PROTO && bytes[1] >= 2 && bytes[1] <= 5) {
      return Optional.of(PICKLE);
    }
    if (looksLikeSafetensors(bytes)) {
      return Optional.of(SAFETENSORS);
    }
    return Optional.empty();
  }

  /** A header length that fits in the file, then the JSON object that the header is. */
  private static boolean looksLikeSafetensors(byte[] bytes) {
    if (bytes.length < 10) {
      return false;
    }
    long headerLength = 0;
    for (int i = 7; i >= 0; i--) {
      headerLength = (headerLength << 8) | (bytes[i] & 0xff);
    }
    return headerLength >= 2 && headerLength <= bytes.length - 8L && bytes[8] == '{';
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length
        && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
  }
}
