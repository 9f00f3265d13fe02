package io.bulwark.security;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.ModelNames;
import io.bulwark.core.Strings;
import io.bulwark.security.policy.PolicyAction;
import java.time.Instant;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A request to create an API key.
 *
 * @param name a label, 1-64 printable characters
 * @param roles the key's roles, at least one
 * @param tenant the tenant the key acts in, 1-64 characters of {@code [a-z0-9._-]}
 * @param models models granted by name (at most {@link #MAX_GRANTS} with the namespaces)
 * @param namespaces model namespaces granted whole
 * @param actions the only actions the key may perform; empty for whatever its roles allow
 * @param expiresAt when the key stops working, or null for never
 */
public record NewApiKey(
    String name,
    Set<Role> roles,
    String tenant,
    Set<String> models,
    Set<String> namespaces,
    Set<PolicyAction> actions,
    @Nullable Instant expiresAt) {
  public static final int MAX_GRANTS = 1000;
  public static final String DEFAULT_TENANT = "default";

  private static final Pattern TENANT = Pattern.compile("[a-z0-9._-]{1,64}");

  public NewApiKey {
    if (name.isEmpty() || name.length() > 64 || !Strings.printable(name).equals(name)) {
      throw new InvalidRequestException("key name must be 1-64 printable characters");
    }
    roles = Set.copyOf(roles);
    models = Set.copyOf(models);
    namespaces = Set.copyOf(namespaces);
    actions = Set.copyOf(actions);
    if (roles.isEmpty()) {
      throw new InvalidRequestException("a key needs at least one role");
    }
    if (!TENANT.matcher(tenant).matches()) {
      throw new InvalidRequestException("tenant must be 1-64 characters of [a-z0-9._-]");
    }
    if (models.size() + namespaces.size() > MAX_GRANTS) {
      throw new InvalidRequestException(
          "a key may be granted at most " + MAX_GRANTS + " models and namespaces");
    }
    models.forEach(ModelNames::checkName);
    for (String ns : namespaces) {
      if (!ModelNames.isValidNamespace(ns)) {
        throw new InvalidRequestException("invalid namespace '" + Strings.printable(ns) + "'");
      }
    }
    if (roles.contains(Role.ADMIN) && !(models.isEmpty() && namespaces.isEmpty())) {
      throw new InvalidRequestException("admin keys cover every model; do not list models");
    }
  }

  /** A key with one role in the default tenant, granted {@code models}, without limits. */
  public static NewApiKey of(
      String name, Role role, Set<String> models, @Nullable Instant expiresAt) {
    return new NewApiKey(name, Set.of(role), DEFAULT_TENANT, models, Set.of(), Set.of(), expiresAt);
  }
}
