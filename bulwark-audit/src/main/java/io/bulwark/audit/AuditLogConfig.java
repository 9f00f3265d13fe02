package io.bulwark.audit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how an {@link AuditLog} keeps its data.
 *
 * @param directory the log directory (the server uses {@code DATA/audit}); created 0700 if absent
 * @param origin the log's identity: the checkpoint origin line and the signing key's name. Fixed
 *     when the log is created; opening with another origin is refused.
 * @param checkpointInterval how long appended entries may wait for a signed checkpoint (at most one
 *     second)
 */
public record AuditLogConfig(Path directory, String origin, Duration checkpointInterval) {
  /** The origin used when none is configured. */
  public static final String DEFAULT_ORIGIN = "bulwark.local/audit";

  public AuditLogConfig {
    Objects.requireNonNull(directory, "directory");
    NoteVerifierKey.checkName(origin);
    if (checkpointInterval.isNegative()
        || checkpointInterval.isZero()
        || checkpointInterval.compareTo(Duration.ofSeconds(1)) > 0) {
      throw new IllegalArgumentException("checkpointInterval must be in (0, 1s]");
    }
  }

  /** The defaults: origin {@value #DEFAULT_ORIGIN}, a checkpoint at least every second. */
  public static AuditLogConfig of(Path directory) {
    return new AuditLogConfig(directory, DEFAULT_ORIGIN, Duration.ofSeconds(1));
  }

  /** This configuration with another origin. */
  public AuditLogConfig withOrigin(String origin) {
    return new AuditLogConfig(directory, origin, checkpointInterval);
  }
}
