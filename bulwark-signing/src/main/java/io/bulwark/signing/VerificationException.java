package io.bulwark.signing;

/**
 * A model signature did not verify. The message states the precise reason (bad signature, untrusted
 * certificate, a file that changed, was added, removed or renamed, a malformed or unsupported
 * bundle) and is safe to show to the person who asked for the verification: it names files of the
 * model but never echoes key material or payload bytes.
 */
public final class VerificationException extends Exception {
  private static final long serialVersionUID = 1L;

  public VerificationException(String reason) {
    super(reason);
  }

  public VerificationException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
