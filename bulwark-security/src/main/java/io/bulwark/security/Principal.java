package io.bulwark.security;

import java.util.Set;

/**
 * An authenticated caller.
 *
 * @param id the stable id of the credential (an API key id), safe to log
 * @param name a human label chosen when the credential was created
 * @param role what the caller may do
 * @param models the models a {@link Role#CONSUMER} is granted; ignored for admins
 */
public record Principal(String id, String name, Role role, Set<String> models) {
  public Principal {
    models = Set.copyOf(models);
  }

  /** Whether this principal may run and read the metadata of {@code model}. */
  public boolean mayUse(String model) {
    return role == Role.ADMIN || models.contains(model);
  }

  public boolean isAdmin() {
    return role == Role.ADMIN;
  }
}
