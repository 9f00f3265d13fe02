package io.bulwark.security.policy;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a policy sees of the caller: the {@code Bulwark::Principal} entity. Immutable; equal views
 * get equal (cached) decisions.
 *
 * @param id the stable credential or person id, safe to log
 * @param roles role names such as {@code "consumer"}; custom policies may use custom roles
 * @param tenant the tenant the principal belongs to
 * @param models models granted by name (the {@code models} attribute)
 * @param namespaces model namespaces granted whole (the {@code namespaces} attribute)
 * @param attributes free-form attributes, visible to policies as entity tags
 *     <p>Construction throws {@link io.bulwark.core.InvalidRequestException} for an empty value or
 *     control characters, {@link io.bulwark.core.LimitExceededException} above a limit.
 */
public record PrincipalView(
    String id,
    Set<String> roles,
    String tenant,
    Set<String> models,
    Set<String> namespaces,
    Map<String, String> attributes) {
  public static final int MAX_ID_CHARS = 256;
  public static final int MAX_NAME_CHARS = 128;
  public static final int MAX_ROLES = 32;
  public static final int MAX_GRANTS = 4096;
  public static final int MAX_ATTRIBUTES = 64;
  public static final int MAX_ATTRIBUTE_VALUE_CHARS = 1024;

  public PrincipalView {
    Checks.text("principal id", id, MAX_ID_CHARS);
    Checks.text("tenant", tenant, MAX_NAME_CHARS);
    Checks.count("roles", roles, MAX_ROLES);
    Checks.count("grants", models, MAX_GRANTS);
    Checks.count("grants", namespaces, MAX_GRANTS);
    Checks.count("attributes", attributes.keySet(), MAX_ATTRIBUTES);
    roles.forEach(r -> Checks.text("role", r, MAX_NAME_CHARS));
    models.forEach(m -> Checks.text("granted model", m, MAX_NAME_CHARS));
    namespaces.forEach(n -> Checks.text("granted namespace", n, MAX_NAME_CHARS));
    attributes.forEach(
        (k, v) -> {
          Checks.text("attribute name", k, MAX_NAME_CHARS);
          Checks.textOrEmpty("attribute value", v, MAX_ATTRIBUTE_VALUE_CHARS);
        });
    roles = Set.copyOf(roles);
    models = Set.copyOf(models);
    namespaces = Set.copyOf(namespaces);
    // Sorted, so that the Cedar entity and the cache key do not depend on insertion order.
    attributes = Map.copyOf(new TreeMap<>(attributes));
  }

  /** A principal with roles in a tenant, without grants or attributes. */
  public static PrincipalView of(String id, Set<String> roles, String tenant) {
    return new PrincipalView(id, roles, tenant, Set.of(), Set.of(), Map.of());
  }
}
