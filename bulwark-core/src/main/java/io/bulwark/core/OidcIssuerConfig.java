package io.bulwark.core;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
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
 * @param roleMapping claim value → role (one of {@link #ROLES}); a token's principal holds every
 *     role its values map to; a token whose values map to no role is refused
 * @param modelsClaim the claim listing the models a consumer may use
 * @param tenant the tenant every principal of this issuer belongs to
 */
public record OidcIssuerConfig(
    String issuer,
    Path jwksFile,
    Set<String> audiences,
    Set<String> algorithms,
    @Nullable String requiredType,
    String roleClaim,
    Map<String, String> roleMapping,
    String modelsClaim,
    String tenant) {

  /** The built-in role names, most powerful first. */
  public static final Set<String> ROLES =
      Collections.unmodifiableSet(
          new LinkedHashSet<>(
              List.of(
                  "admin",
                  "security-officer",
                  "publisher",
                  "approver",
                  "deployer",
                  "auditor",
                  "consumer")));

  public OidcIssuerConfig {
    Objects.requireNonNull(jwksFile, "jwksFile");
    if (issuer.isBlank() || roleClaim.isBlank() || modelsClaim.isBlank()) {
      throw new IllegalArgumentException("issuer, role_claim and models_claim must not be empty");
    }
    if (!tenant.matches("[a-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException("tenant must be 1-64 characters of [a-z0-9._-]");
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
        throw new IllegalArgumentException(
            "role_mapping may map to " + ROLES.stream().sorted().toList());
      }
    }
  }
}
