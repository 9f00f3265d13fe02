package io.bulwark.security.people;

import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What is known about an account, without its password hash or second-factor secret.
 *
 * @param passwordSet whether a password has been set (an account without one cannot log in)
 * @param totpEnrolled whether a TOTP second factor has been enrolled and confirmed
 */
public record AccountInfo(
    String id,
    String username,
    String tenant,
    Set<String> roles,
    Instant createdAt,
    String createdBy,
    boolean passwordSet,
    boolean totpEnrolled,
    @Nullable Instant disabledAt) {
  public AccountInfo {
    roles = Set.copyOf(roles);
  }

  public boolean disabled() {
    return disabledAt != null;
  }
}
