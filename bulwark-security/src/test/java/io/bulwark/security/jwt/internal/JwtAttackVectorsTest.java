package io.bulwark.security.jwt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.security.jwt.JwkSet;
import io.bulwark.security.jwt.JwsAlgorithm;
import io.bulwark.security.jwt.TokenPolicy;
import io.bulwark.security.jwt.TokenRejectedException;
import io.bulwark.security.jwt.TokenValidator;
import io.bulwark.security.jwt.VerifiedToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The generated attack set ({@code jwt/jwt_attack_vectors.json}) under its own policy: NOW =
 * 1767225600, issuer https://idp.test/realms/ml, audience ml-server, RS256 + ES256, leeway 60 s, 8
 * KiB, typ at+jwt, keys from jwks_trusted.json. How each {@code expect} value maps onto our policy:
 *
 * <ul>
 *   <li>{@code accept}: validates;
 *   <li>{@code reject}, {@code reject-fast}, {@code reject-and-no-outbound-fetch}: throws {@link
 *       TokenRejectedException} and nothing else (we have no code that fetches; the size limit is
 *       checked before any decoding);
 *   <li>{@code reject-if-typ-enforced}: rejected, we enforce typ at+jwt;
 *   <li>{@code reject-if-max-lifetime-enforced}: rejected, the default lifetime limit is 24 h;
 *   <li>{@code accept-or-reject-per-policy} (exp-float): rejected, NumericDates must be integers;
 *   <li>{@code reject-or-accept-per-policy} (ps256-not-allowlisted): rejected, PS256 is neither
 *       allowlisted nor the key's algorithm;
 *   <li>{@code accept-authn-reject-authz}: validates, and the deciding claim reaches the caller so
 *       that authorisation (not this validator) can deny it.
 * </ul>
 */
class JwtAttackVectorsTest {
  record Outcome(String id, String expect, boolean accepted, String reason) {}

  static boolean expectAccept(String expect) {
    return switch (expect) {
      case "accept", "accept-authn-reject-authz" -> true;
      case "reject",
          "reject-fast",
          "reject-and-no-outbound-fetch",
          "reject-if-typ-enforced",
          "reject-if-max-lifetime-enforced",
          "accept-or-reject-per-policy",
          "reject-or-accept-per-policy" ->
          false;
      default -> throw new AssertionError("unknown expect value " + expect);
    };
  }

  private static List<Outcome> run(Path dir) throws Exception {
    JsonNode file = Vectors.read(dir.resolve("jwt_attack_vectors.json"));
    JwkSet keys = JwkSet.parse(Files.readAllBytes(dir.resolve("jwks_trusted.json")));
    Set<JwsAlgorithm> algs = EnumSet.noneOf(JwsAlgorithm.class);
    for (JsonNode a : file.get("allowedAlgs")) {
      algs.add(JwsAlgorithm.fromJoseName(a.asText()).orElseThrow());
    }
    TokenPolicy policy =
        TokenPolicy.builder(file.get("issuer").asText(), file.get("audience").asText())
            .algorithms(algs)
            .leeway(Duration.ofSeconds(file.get("leewaySeconds").asLong()))
            .maxTokenBytes(file.get("maxTokenBytes").asInt())
            .requiredType(file.get("requiredTyp").asText())
            .build();
    TokenValidator validator = TokenValidator.create(keys, policy);
    Instant now = Instant.ofEpochSecond(file.get("now").asLong());
    List<Outcome> out = new ArrayList<>();
    for (JsonNode c : file.get("cases")) {
      String id = c.get("id").asText();
      String expect = c.get("expect").asText();
      try {
        VerifiedToken t = validator.validate(c.get("token").asText(), now);
        out.add(new Outcome(id, expect, true, "accepted " + t.subject()));
      } catch (TokenRejectedException e) {
        out.add(new Outcome(id, expect, false, e.reason()));
      }
    }
    return out;
  }

  @Test
  void validate_attackVectors_matchEveryExpectation() throws Exception {
    List<Outcome> outcomes = run(Vectors.jwtDir());
    List<Outcome> mismatches =
        outcomes.stream().filter(o -> o.accepted() != expectAccept(o.expect())).toList();
    assertThat(outcomes).hasSize(46);
    assertThat(mismatches).isEmpty();
  }

  @Test
  void validate_attackVectors_rejectForTheIntendedReason() throws Exception {
    Map<String, String> reasons = new java.util.HashMap<>();
    for (Outcome o : run(Vectors.jwtDir())) {
      reasons.put(o.id(), o.reason());
    }
    assertThat(reasons.get("jku-attacker")).contains("jku");
    assertThat(reasons.get("x5u-attacker")).contains("x5u");
    assertThat(reasons.get("x5c-self-signed-attacker")).contains("x5c");
    assertThat(reasons.get("deeply-nested-header")).contains("larger than 8192");
    assertThat(reasons.get("es256-sig-huge")).contains("larger than 8192");
    assertThat(reasons.get("alg-none-empty-sig")).contains("alg none");
    assertThat(reasons.get("hs256-keyconfusion-der")).contains("HS256 is not allowed");
    assertThat(reasons.get("es256-psychic-rn-sn")).contains("outside [1, n-1]");
    assertThat(reasons.get("es256-psychic-r1-s0")).contains("outside [1, n-1]");
    assertThat(reasons.get("exp-as-string")).contains("exp is not an integer");
    assertThat(reasons.get("nbf-as-string-future")).contains("nbf is not an integer");
    assertThat(reasons.get("exp-huge")).contains("exp is out of range");
    assertThat(reasons.get("exp-float")).contains("exp is not an integer");
    assertThat(reasons.get("duplicate-scope-claim")).contains("claims are not a valid");
    assertThat(reasons.get("typ-missing")).contains("typ is missing");
    assertThat(reasons.get("crit-empty-list")).contains("crit");
    assertThat(reasons.get("crit-b64-false")).contains("b64");
    assertThat(reasons.get("ps256-not-allowlisted")).contains("PS256 is not allowed");
    assertThat(reasons.get("es256-header-with-rsa-kid")).contains("not the key's algorithm");
    assertThat(reasons.get("kid-unknown-valid-attacker-rs256")).contains("unknown kid");
    assertThat(reasons.values()).allSatisfy(r -> assertThat(r.length()).isLessThan(200));
  }

  @Test
  void validate_crossTenantToken_acceptedWithTenantClaimForAuthorisation() throws Exception {
    Path dir = Vectors.jwtDir();
    JsonNode file = Vectors.read(dir.resolve("jwt_attack_vectors.json"));
    JwkSet keys = JwkSet.parse(Files.readAllBytes(dir.resolve("jwks_trusted.json")));
    TokenValidator validator =
        TokenValidator.create(
            keys,
            TokenPolicy.builder(file.get("issuer").asText(), file.get("audience").asText())
                .requiredType("at+jwt")
                .build());
    for (JsonNode c : file.get("cases")) {
      if (c.get("id").asText().equals("cross-tenant-token")) {
        VerifiedToken t =
            validator.validate(c.get("token").asText(), Instant.ofEpochSecond(1767225600L));
        assertThat(t.stringClaim("tenant")).contains("tenant-b");
        assertThat(t.kid()).isEqualTo("rsa-1");
        assertThat(t.algorithm()).isEqualTo(JwsAlgorithm.RS256);
        return;
      }
    }
    throw new AssertionError("cross-tenant-token not in the vector file");
  }
}
