package io.bulwark.security;

import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** What is known about an API key, without its secret. */
public record ApiKeyInfo(
    String id,
    String name,
    Role role,
    Set<String> models,
    Instant createdAt,
    String createdBy,
    @Nullable Instant expiresAt,
    @Nullable Instant revokedAt,
    @Nullable Instant lastUsedAt) {
  public ApiKeyInfo {
    models = Set.copyOf(models);
  }

  Principal principal() {
    return new Principal(id, name, role, models);
  }

  ApiKeyInfo withRevokedAt(Instant t) {
    return new ApiKeyInfo(id, name, role, models, createdAt, createdBy, expiresAt, t, lastUsedAt);
  }

  ApiKeyInfo withLastUsedAt(Instant t) {
    return new ApiKeyInfo(id, name, role, models, createdAt, createdBy, expiresAt, revokedAt, t);
  }
}
