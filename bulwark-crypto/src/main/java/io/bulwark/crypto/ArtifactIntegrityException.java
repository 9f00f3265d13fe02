package io.bulwark.crypto;

import java.security.GeneralSecurityException;

/**
 * A sealed artifact failed its integrity check: its data key does not unwrap for the given model
 * version, or its ciphertext is modified, truncated, extended or bound to another model version.
 *
 * <p>The message is safe to show a client; the cause, if any, is for the server log only.
 */
public final class ArtifactIntegrityException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  /** The data key is not the one sealed for this model version, or its wrapping was modified. */
  public static final String KEY_DOES_NOT_UNWRAP =
      "artifact key does not unwrap for this model version";

  /** The ciphertext was modified, truncated, extended or sealed for another model version. */
  public static final String CIPHERTEXT_NOT_AUTHENTIC = "artifact ciphertext failed authentication";

  /**
   * The ciphertext is authentic but holds more plaintext than the length recorded for it (see
   * {@link ArtifactSealer#openExactly}).
   */
  public static final String PLAINTEXT_LONGER_THAN_RECORDED =
      "artifact plaintext is longer than its recorded length";

  /**
   * The ciphertext is authentic but holds less plaintext than the length recorded for it (see
   * {@link ArtifactSealer#openExactly}).
   */
  public static final String PLAINTEXT_SHORTER_THAN_RECORDED =
      "artifact plaintext is shorter than its recorded length";

  /** Why an authentic artifact was refused, where a caller words it differently. */
  public enum Reason {
    /** Any failure but the two below. */
    NOT_AUTHENTIC,
    /** See {@link #PLAINTEXT_LONGER_THAN_RECORDED}. */
    LONGER_THAN_RECORDED,
    /** See {@link #PLAINTEXT_SHORTER_THAN_RECORDED}. */
    SHORTER_THAN_RECORDED
  }

  private final Reason reason;

  public ArtifactIntegrityException(String message) {
    super(message);
    this.reason = Reason.NOT_AUTHENTIC;
  }

  public ArtifactIntegrityException(String message, Throwable cause) {
    super(message, cause);
    this.reason = Reason.NOT_AUTHENTIC;
  }

  /** An authentic artifact of another length than recorded, with the matching message. */
  public static ArtifactIntegrityException lengthDiffers(boolean longer) {
    return new ArtifactIntegrityException(
        longer ? PLAINTEXT_LONGER_THAN_RECORDED : PLAINTEXT_SHORTER_THAN_RECORDED,
        longer ? Reason.LONGER_THAN_RECORDED : Reason.SHORTER_THAN_RECORDED);
  }

  private ArtifactIntegrityException(String message, Reason reason) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
