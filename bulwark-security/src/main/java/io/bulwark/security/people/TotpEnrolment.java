package io.bulwark.security.people;

import io.bulwark.core.InsecureSecretAccess;
import io.bulwark.core.SecretBytes;
import java.util.Objects;

/**
 * A freshly generated TOTP secret, shown once to its owner for their authenticator app. The
 * enrolment counts only after {@link Accounts#confirmTotp} has seen a valid code from it.
 */
public final class TotpEnrolment {
  private final SecretBytes secret;
  private final String base32;
  private final String otpauthUri;

  public TotpEnrolment(SecretBytes secret, String base32, String otpauthUri) {
    this.secret = Objects.requireNonNull(secret);
    this.base32 = base32;
    this.otpauthUri = otpauthUri;
  }

  /** The raw secret (20 bytes). */
  public SecretBytes secret() {
    return secret;
  }

  /** The secret in RFC 4648 base32 without padding, for typing into an app. */
  public String base32(InsecureSecretAccess access) {
    Objects.requireNonNull(access, "access");
    return base32;
  }

  /** The {@code otpauth://totp/...} URI (issuer Bulwark), for a QR code. */
  public String otpauthUri(InsecureSecretAccess access) {
    Objects.requireNonNull(access, "access");
    return otpauthUri;
  }

  @Override
  public String toString() {
    return "TotpEnrolment[redacted]";
  }
}
