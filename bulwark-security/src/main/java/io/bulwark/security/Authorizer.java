package io.bulwark.security;

import io.bulwark.core.ForbiddenException;
import io.bulwark.core.NotFoundException;

/**
 * The authorisation rules of the two built-in roles. Denials that concern one model are reported as
 * {@link NotFoundException}, exactly as for a model that does not exist, so that a consumer cannot
 * probe which models exist.
 */
public final class Authorizer {
  private Authorizer() {}

  /** Allows inference and metadata reads on {@code model}, or throws as if it did not exist. */
  public static void checkUse(Principal principal, String model) {
    if (!principal.mayUse(model)) {
      throw new NotFoundException("model", model);
    }
  }

  /** Allows administrative operations (push, deploy, keys) to admins only. */
  public static void checkAdmin(Principal principal) {
    if (!principal.isAdmin()) {
      throw new ForbiddenException("this operation requires the admin role");
    }
  }
}
