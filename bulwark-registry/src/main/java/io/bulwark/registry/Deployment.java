package io.bulwark.registry;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The version of a model that serves traffic, and the canary beside it if there is one.
 *
 * @param canary a second version serving a share of callers, or null
 */
public record Deployment(
    String name, String version, Instant deployedAt, String deployedBy, @Nullable Canary canary) {

  /** A deployment without a canary. */
  public Deployment(String name, String version, Instant deployedAt, String deployedBy) {
    this(name, version, deployedAt, deployedBy, null);
  }

  /** Whether {@code v} serves traffic here, as the deployed version or as the canary. */
  public boolean servesVersion(String v) {
    Canary c = canary;
    return version.equals(v) || (c != null && c.version().equals(v));
  }

  /**
   * A version serving {@code percent} of callers, chosen by a stable hash of the caller so that
   * each caller stays on one side.
   */
  public record Canary(String version, int percent, Instant since, String startedBy) {
    public Canary {
      if (percent < 1 || percent > 99) {
        throw new IllegalArgumentException("canary share must be 1-99 percent");
      }
    }
  }
}
