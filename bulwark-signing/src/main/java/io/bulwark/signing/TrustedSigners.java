package io.bulwark.signing;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The signers a deployment trusts: an immutable, non-empty list of {@link ModelVerifier}s, any one
 * of which accepting a bundle is enough.
 *
 * <p>{@link #verifyArtifact} returns the first verifier's result that accepts, and otherwise throws
 * {@link VerificationException} whose message lists each verifier's reason, in order, cut to at
 * most {@link #MAX_REASON_CHARS} characters.
 *
 * @param verifiers the trusted verifiers, tried in order
 */
public record TrustedSigners(List<ModelVerifier> verifiers) {
  /** The longest failure reason {@link #verifyArtifact} reports. */
  public static final int MAX_REASON_CHARS = 2000;

  public TrustedSigners {
    verifiers = List.copyOf(verifiers);
    if (verifiers.isEmpty()) {
      throw new IllegalArgumentException("at least one trusted signer is needed");
    }
  }

  /** Trusts each of {@code verifiers}. */
  public static TrustedSigners of(ModelVerifier... verifiers) {
    return new TrustedSigners(List.of(verifiers));
  }

  /**
   * Verifies {@code bundle} over the single artifact whose SHA-256 is {@code sha256Hex} (see {@link
   * ModelVerifier#verifyArtifact}) with each trusted verifier until one accepts.
   *
   * @throws VerificationException if none accepts, with every verifier's reason
   * @throws IllegalArgumentException if {@code sha256Hex} is not 64 hex digits
   */
  public VerifiedModel verifyArtifact(byte[] bundle, String sha256Hex)
      throws VerificationException {
    return verifyArtifact(bundle, sha256Hex, null);
  }

  /**
   * As {@link #verifyArtifact(byte[], String)}, with certificate chains validated as of {@code
   * validAt} (see {@link ModelVerifier#verifyArtifact(byte[], String, Instant)}).
   */
  public VerifiedModel verifyArtifact(byte[] bundle, String sha256Hex, @Nullable Instant validAt)
      throws VerificationException {
    StringBuilder reasons = new StringBuilder("no trusted signer accepts the signature:");
    for (int i = 0; i < verifiers.size(); i++) {
      try {
        return verifiers.get(i).verifyArtifact(bundle, sha256Hex, validAt);
      } catch (VerificationException e) {
        reasons.append(i == 0 ? " " : "; ").append('[').append(i + 1).append("] ");
        reasons.append(e.getMessage());
      }
    }
    String reason = reasons.toString();
    if (reason.length() > MAX_REASON_CHARS) {
      reason = reason.substring(0, MAX_REASON_CHARS - 3) + "...";
    }
    throw new VerificationException(reason);
  }
}
