package io.bulwark.server.internal;

import io.bulwark.core.Digests;
import io.bulwark.core.ModelNames;
import io.bulwark.core.OidcIssuerConfig;
import io.bulwark.core.SecureFiles;
import io.bulwark.security.AuthenticationException;
import io.bulwark.security.NewApiKey;
import io.bulwark.security.Principal;
import io.bulwark.security.jwt.InvalidKeySetException;
import io.bulwark.security.jwt.JwkSet;
import io.bulwark.security.jwt.JwsAlgorithm;
import io.bulwark.security.jwt.TokenPolicy;
import io.bulwark.security.jwt.TokenRejectedException;
import io.bulwark.security.jwt.TokenValidator;
import io.bulwark.security.jwt.VerifiedToken;
import io.bulwark.security.policy.PolicyAction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Access tokens of configured external OpenID Connect issuers: validated strictly against each
 * issuer's JWK set (read from a file at start, never fetched), then mapped to a principal through
 * the issuer's role mapping and models claim.
 */
public final class ExternalTokens {
  private record Issuer(OidcIssuerConfig config, TokenValidator validator, String idPrefix) {}

  private final List<Issuer> issuers;
  private final Clock clock;

  private ExternalTokens(List<Issuer> issuers, Clock clock) {
    this.issuers = List.copyOf(issuers);
    this.clock = clock;
  }

  /**
   * Reads every issuer's JWK set.
   *
   * @throws IOException naming the issuer whose JWK set cannot be read or is refused
   */
  public static ExternalTokens load(List<OidcIssuerConfig> configs, Clock clock)
      throws IOException {
    List<Issuer> out = new ArrayList<>();
    for (OidcIssuerConfig c : configs) {
      byte[] json = SecureFiles.readLimited(c.jwksFile(), JwkSet.MAX_BYTES);
      Set<JwsAlgorithm> algorithms = new HashSet<>();
      for (String a : c.algorithms()) {
        algorithms.add(
            JwsAlgorithm.fromJoseName(a)
                .orElseThrow(
                    () ->
                        new IOException("oidc issuer " + c.issuer() + ": unknown algorithm " + a)));
      }
      TokenValidator validator;
      try {
        JwkSet keys = JwkSet.parse(json);
        TokenPolicy policy =
            TokenPolicy.builder(c.issuer(), c.audiences().iterator().next())
                .audiences(c.audiences())
                .algorithms(algorithms)
                .requiredType(c.requiredType())
                .build();
        validator = TokenValidator.create(keys, policy);
      } catch (InvalidKeySetException | IllegalArgumentException e) {
        throw new IOException(
            "oidc issuer " + c.issuer() + ": its JWK set is refused: " + e.getMessage(), e);
      }
      out.add(new Issuer(c, validator, "oidc:" + shortHash(c.issuer()) + ":"));
    }
    return new ExternalTokens(out, clock);
  }

  public boolean isEmpty() {
    return issuers.isEmpty();
  }

  /**
   * The principal of a token from one of the issuers.
   *
   * @throws AuthenticationException if no issuer accepts the token, or its claims map to no role
   */
  public Principal authenticate(String token) throws AuthenticationException {
    String reasons = "";
    for (Issuer i : issuers) {
      VerifiedToken t;
      try {
        t = i.validator().validate(token, clock.instant());
      } catch (TokenRejectedException e) {
        reasons += (reasons.isEmpty() ? "" : "; ") + i.config().issuer() + ": " + e.reason();
        continue;
      }
      return principal(i, t);
    }
    throw new AuthenticationException("access token rejected: " + reasons);
  }

  private static Principal principal(Issuer i, VerifiedToken t) throws AuthenticationException {
    OidcIssuerConfig c = i.config();
    Set<String> roles = new HashSet<>();
    for (String value : strings(t.claims().get(c.roleClaim()))) {
      String mapped = c.roleMapping().get(value);
      if (mapped != null) {
        roles.add(mapped);
      }
    }
    if (roles.isEmpty()) {
      throw new AuthenticationException(
          "token of "
              + c.issuer()
              + " for "
              + io.bulwark.core.Strings.printable(t.subject())
              + " maps to no role");
    }
    Set<String> models = new HashSet<>(strings(t.claims().get(c.modelsClaim())));
    models.removeIf(m -> !ModelNames.isValidName(m));
    if (models.size() > NewApiKey.MAX_GRANTS) {
      throw new AuthenticationException(
          "token of "
              + c.issuer()
              + " for "
              + io.bulwark.core.Strings.printable(t.subject())
              + " lists too many models");
    }
    try {
      return new Principal(
          i.idPrefix() + t.subject(),
          t.subject(),
          roles,
          c.tenant(),
          models,
          Set.of(),
          Set.<PolicyAction>of());
    } catch (io.bulwark.core.BulwarkException e) {
      // A subject too long or with control characters: the token cannot name a principal.
      throw new AuthenticationException(
          "token of " + c.issuer() + " has an unusable subject: " + e.getMessage());
    }
  }

  private static List<String> strings(@Nullable Object claim) {
    if (claim instanceof String s) {
      return List.of(s);
    }
    List<String> out = new ArrayList<>();
    if (claim instanceof List<?> list) {
      for (Object o : list) {
        if (o instanceof String s) {
          out.add(s);
        }
      }
    }
    return out;
  }

  private static String shortHash(String issuer) {
    return HexFormat.of().formatHex(Digests.sha256(issuer.getBytes(StandardCharsets.UTF_8)), 0, 6);
  }
}
