package io.bulwark.security;

import java.util.Locale;
import java.util.Optional;

/** What a principal may do. */
public enum Role {
  /** Everything: management of models, deployments and keys, and inference on every model. */
  ADMIN,
  /** Inference and metadata on the models it has been granted, nothing else. */
  CONSUMER;

  /** The lower-case name used in the API, for example {@code "consumer"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> fromWireName(String name) {
    for (Role r : values()) {
      if (r.wireName().equals(name)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
