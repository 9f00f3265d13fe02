package io.bulwark.signing;

/**
 * Limits on untrusted input read while verifying: the size of a signature bundle and the number of
 * files in a model (which bounds both the manifest we compute and the resources a statement may
 * list).
 *
 * @param maxBundleBytes the largest signature bundle read, in bytes
 * @param maxFiles the most files a model, and the most resources a statement, may have
 */
public record SigningLimits(int maxBundleBytes, int maxFiles) {
  public static final int DEFAULT_MAX_BUNDLE_BYTES = 16 * 1024 * 1024;
  public static final int DEFAULT_MAX_FILES = 100_000;

  public SigningLimits {
    if (maxBundleBytes < 1) {
      throw new IllegalArgumentException("maxBundleBytes must be positive");
    }
    if (maxFiles < 1) {
      throw new IllegalArgumentException("maxFiles must be positive");
    }
  }

  public static SigningLimits defaults() {
    return new SigningLimits(DEFAULT_MAX_BUNDLE_BYTES, DEFAULT_MAX_FILES);
  }
}
