package io.bulwark.security;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.ModelNames;
import io.bulwark.core.Strings;
import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A request to create an API key.
 *
 * @param name a label, 1-64 printable characters
 * @param role the key's role
 * @param models models a consumer key is granted (at most 1000); must be empty for admin keys
 * @param expiresAt when the key stops working, or null for never
 */
public record NewApiKey(String name, Role role, Set<String> models, @Nullable Instant expiresAt) {
  public static final int MAX_GRANTS = 1000;

  public NewApiKey {
    if (name.isEmpty() || name.length() > 64 || !Strings.printable(name).equals(name)) {
      throw new InvalidRequestException("key name must be 1-64 printable characters");
    }
    models = Set.copyOf(models);
    if (models.size() > MAX_GRANTS) {
      throw new InvalidRequestException("a key may be granted at most " + MAX_GRANTS + " models");
    }
    models.forEach(ModelNames::checkName);
    if (role == Role.ADMIN && !models.isEmpty()) {
      throw new InvalidRequestException("admin keys cover every model; do not list models");
    }
  }
}
