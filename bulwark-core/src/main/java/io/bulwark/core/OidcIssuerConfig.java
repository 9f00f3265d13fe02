package io.bulwark.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An external OpenID Connect issuer whose access tokens the server accepts.
 *
 * @param issuer the exact {@code iss}
 * @param jwksFile the issuer's JWK set, read at start (never fetched from a token's headers)
 * @param audiences accepted {@code aud} values (exact)
 * @param algorithms allowed JWS algorithms, for example {@code ES256}, {@code RS256}
 * @param requiredType the {@code typ} header tokens must carry, or null for none
 * @param roleClaim the claim (a string or a list of strings) whose values map to roles
 * @param roleMapping claim value → role ({@code admin} or {@code consumer}); a token whose values
 *     map to no role is refused; admin wins over consumer
 * @param modelsClaim the claim listing the models a consumer may use
 */
public record OidcIssuerConfig(
    String issuer,
    Path jwksFile,
    Set<String> audiences,
    Set<String> algorithms,
    @Nullable String requiredType,
    String roleClaim,
    Map<String, String> roleMapping,
    String modelsClaim) {

  public static final Set<String> ROLES = Set.of("admin", "consumer");

  public OidcIssuerConfig {
    Objects.requireNonNull(jwksFile, "jwksFile");
    if (issuer.isBlank() || roleClaim.isBlank() || modelsClaim.isBlank()) {
      throw new IllegalArgumentException("issuer, role_claim and models_claim must not be empty");
    }
    audiences = Set.copyOf(audiences);
    algorithms = Set.copyOf(algorithms);
    roleMapping = Map.copyOf(roleMapping);
    if (audiences.isEmpty() || algorithms.isEmpty() || roleMapping.isEmpty()) {
      throw new IllegalArgumentException(
          "an OIDC issuer needs audiences, algorithms and a role mapping");
    }
    for (String role : roleMapping.values()) {
      if (!ROLES.contains(role)) {
        throw new IllegalArgumentException("role_mapping may map to " + List.copyOf(ROLES));
      }
    }
  }
}
