package io.bulwark.security;

import io.bulwark.security.policy.PolicyAction;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What is known about an API key, without its secret.
 *
 * @param scope roles, tenant, grants and action limit, as requested at creation
 */
public record ApiKeyInfo(
    String id,
    NewApiKey scope,
    Instant createdAt,
    String createdBy,
    @Nullable Instant revokedAt,
    @Nullable Instant lastUsedAt) {

  public String name() {
    return scope.name();
  }

  public Set<Role> roles() {
    return scope.roles();
  }

  public @Nullable Instant expiresAt() {
    return scope.expiresAt();
  }

  Principal principal() {
    return new Principal(
        id,
        scope.name(),
        scope.roles().stream().map(Role::wireName).collect(Collectors.toUnmodifiableSet()),
        scope.tenant(),
        scope.models(),
        scope.namespaces(),
        scope.actions());
  }

  /** Whether the key holds the admin role without a limit on its actions. */
  public boolean isUnlimitedAdmin() {
    return scope.roles().contains(Role.ADMIN) && scope.actions().isEmpty();
  }

  /** The actions as their wire names, sorted; empty when unlimited. */
  public java.util.List<String> actionNames() {
    return scope.actions().stream().map(PolicyAction::wireName).sorted().toList();
  }

  ApiKeyInfo withRevokedAt(Instant t) {
    return new ApiKeyInfo(id, scope, createdAt, createdBy, t, lastUsedAt);
  }

  ApiKeyInfo withLastUsedAt(Instant t) {
    return new ApiKeyInfo(id, scope, createdAt, createdBy, revokedAt, t);
  }

  ApiKeyInfo withExpiresAt(Instant t) {
    NewApiKey s =
        new NewApiKey(
            scope.name(),
            scope.roles(),
            scope.tenant(),
            scope.models(),
            scope.namespaces(),
            scope.actions(),
            t);
    return new ApiKeyInfo(id, s, createdAt, createdBy, revokedAt, lastUsedAt);
  }
}
