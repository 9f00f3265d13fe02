package io.bulwark.registry;

import java.util.Locale;

/** Where a model version is in its lifecycle. Deployment is recorded separately. */
public enum VersionState {
  /** Pushed; may not be deployed until someone other than its publisher approves it. */
  DRAFT,
  /** Approved by a second person; may be deployed. */
  APPROVED,
  /** Taken out of use for good: its data key is destroyed, so its bytes are unreadable. */
  RETIRED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static VersionState fromWireName(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
