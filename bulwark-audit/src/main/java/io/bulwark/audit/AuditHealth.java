package io.bulwark.audit;

import java.util.Optional;

/**
 * The state of an {@link AuditLog}: whether appends are accepted and, if not, why.
 *
 * @param available whether appends are accepted now
 * @param reason why they are not (empty when available)
 * @param size entries on stable storage
 * @param checkpointSize the size of the latest published checkpoint
 */
public record AuditHealth(
    boolean available, Optional<String> reason, long size, long checkpointSize) {
  public AuditHealth {
    if (available == reason.isPresent()) {
      throw new IllegalArgumentException("a reason is given exactly when unavailable");
    }
  }
}
