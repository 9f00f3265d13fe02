package io.bulwark.security.jwt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.security.jwt.InvalidKeySetException;
import io.bulwark.security.jwt.JwkSet;
import io.bulwark.security.jwt.JwsAlgorithm;
import io.bulwark.security.jwt.TokenPolicy;
import io.bulwark.security.jwt.TokenRejectedException;
import io.bulwark.security.jwt.VerificationKey;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Wycheproof's JOSE sets (C2SP/wycheproof, copied beside the repository). Each {@code jws} is
 * verified with its group's key, the algorithm fixed by the key: the group's {@code public} JWK, or
 * {@code private} when there is none (HMAC groups; for asymmetric private JWKs the private members
 * are dropped first, since a verifier only ever holds the public half). The key set is parsed as
 * {@link JwkSet} does in production (symmetric keys explicitly allowed, as a harness configuring an
 * HMAC issuer would), so key-level refusals count as "invalid".
 *
 * <p>JWE cases ({@code jwe}) are out of scope: the validator accepts JWS only, so each is checked
 * to be refused and counted apart. The few cases where Wycheproof's verdict is self-contradictory
 * or relies on a key whose {@code alg} disagrees with the token are listed in {@link
 * #KNOWN_DIVERGENCES} with the reason; the test fails if any other case diverges or a listed one
 * stops diverging.
 */
class WycheproofJoseTest {
  private static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth");

  /** file:tcId to why our strict verdict differs from the file's. */
  static final Map<String, String> KNOWN_DIVERGENCES =
      Map.of(
          "json_web_signature_test.json:346",
          "RFC 7520 key labelled alg PS256 by Wycheproof, token PS384: we bind alg to the key",
          "json_web_signature_test.json:350",
          "same as 346 with key_ops",
          "json_web_signature_test.json:347",
          "key labelled alg ES521 (not a registered JWS alg; token ES512): key refused",
          "json_web_signature_test.json:351",
          "same as 347 with key_ops",
          "json_web_signature_test.json:367",
          "marked invalid but byte-identical to valid tcId 357 (padding lost upstream)",
          "json_web_signature_test.json:370",
          "marked invalid but byte-identical to valid tcId 357 (padding lost upstream)",
          "json_web_signature_test.json:372",
          "marked valid but the header contains '?', which is not base64url",
          "json_web_signature_test.json:373",
          "marked valid but the payload contains '?', which is not base64url");

  record Tally(int total, int valid, int jweRefused, Map<String, String> divergences) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();

  static Tally runJoseFile(String name) throws Exception {
    JsonNode file = Vectors.read(Vectors.jwtDir().resolve("wycheproof").resolve(name));
    int total = 0;
    int valid = 0;
    int jwe = 0;
    Map<String, String> divergences = new TreeMap<>();
    for (JsonNode group : file.get("testGroups")) {
      CompactJws verifier = verifierFor(group);
      for (JsonNode test : group.get("tests")) {
        total++;
        String id = name + ":" + test.get("tcId").asInt();
        boolean expectValid = test.get("result").asText().equals("valid");
        if (test.has("jwe")) {
          jwe++;
          assertThat(verify(verifier, test.get("jwe").asText())).as(id).isNotNull();
          continue;
        }
        String reason = verify(verifier, test.get("jws").asText());
        boolean accepted = reason == null;
        if (accepted) {
          valid++;
        }
        if (accepted != expectValid) {
          divergences.put(id, accepted ? "accepted" : reason);
        }
      }
    }
    return new Tally(total, valid, jwe, divergences);
  }

  /** Null if accepted, else the reason. */
  private static @Nullable String verify(@Nullable CompactJws verifier, String token) {
    if (verifier == null) {
      return "key set refused";
    }
    try {
      verifier.verify(token);
      return null;
    } catch (TokenRejectedException e) {
      return e.reason();
    }
  }

  private static @Nullable CompactJws verifierFor(JsonNode group) throws Exception {
    JsonNode key = group.has("public") ? group.get("public") : group.get("private");
    ArrayNode keys = MAPPER.createArrayNode();
    for (JsonNode k : key.has("keys") ? key.get("keys") : List.of(key)) {
      ObjectNode copy = k.deepCopy();
      if (!"oct".equals(copy.path("kty").asText())) {
        copy.remove(PRIVATE_MEMBERS);
      }
      keys.add(copy);
    }
    ObjectNode set = MAPPER.createObjectNode();
    set.set("keys", keys);
    JwkSet jwks;
    try {
      jwks = JwkSet.parseAllowingSymmetricKeys(MAPPER.writeValueAsBytes(set));
    } catch (InvalidKeySetException e) {
      return null;
    }
    Set<JwsAlgorithm> allowed = EnumSet.noneOf(JwsAlgorithm.class);
    for (VerificationKey k : jwks.keys()) {
      JwsAlgorithm alg = k.algorithm();
      if (alg != null) {
        allowed.add(alg);
      }
    }
    if (allowed.isEmpty()) {
      return null;
    }
    return new CompactJws(jwks, allowed, null, TokenPolicy.MAX_TOKEN_BYTES_LIMIT);
  }

  @Test
  void verify_wycheproofJsonWebSignature_matchesExceptDocumentedDivergences() throws Exception {
    Tally t = runJoseFile("json_web_signature_test.json");
    assertThat(t.total()).isEqualTo(401);
    assertThat(t.jweRefused()).isZero();
    Map<String, String> expected = new TreeMap<>();
    KNOWN_DIVERGENCES.forEach(
        (k, v) -> {
          if (k.startsWith("json_web_signature_test.json:")) {
            expected.put(k, v);
          }
        });
    assertThat(t.divergences().keySet()).isEqualTo(expected.keySet());
  }

  @Test
  void verify_wycheproofJsonWebKey_matchesEveryCase() throws Exception {
    Tally t = runJoseFile("json_web_key_test.json");
    assertThat(t.total()).isEqualTo(26);
    assertThat(t.divergences()).isEmpty();
  }

  @Test
  void verify_wycheproofJsonWebCrypto_matchesEveryJwsCaseAndRefusesJwe() throws Exception {
    Tally t = runJoseFile("json_web_crypto_test.json");
    assertThat(t.total()).isEqualTo(83);
    assertThat(t.jweRefused()).isEqualTo(34);
    assertThat(t.divergences()).isEmpty();
  }

  @Test
  void verify_psychicSignatureSubset_matchesEveryCase() throws Exception {
    JsonNode file =
        Vectors.read(
            Vectors.jwtDir().resolve("wycheproof").resolve("ecdsa_p256_p1363_psychic_subset.json"));
    int total = 0;
    List<String> mismatches = new ArrayList<>();
    for (JsonNode group : file.get("testGroups")) {
      ObjectNode jwk = group.get("publicKeyJwk").deepCopy();
      jwk.remove(List.of("kid", "alg", "use", "key_ops"));
      ObjectNode set = MAPPER.createObjectNode();
      set.set("keys", MAPPER.createArrayNode().add(jwk));
      VerificationKey key = JwkSet.parse(MAPPER.writeValueAsBytes(set)).keys().get(0);
      PublicKey publicKey = key.publicKey();
      assertThat(key.algorithm()).isEqualTo(JwsAlgorithm.ES256);
      for (JsonNode test : group.get("tests")) {
        total++;
        boolean expectValid = test.get("result").asText().equals("valid");
        boolean accepted;
        try {
          JwsSignatures.verify(
              JwsAlgorithm.ES256,
              publicKey,
              HexFormat.of().parseHex(test.get("msg").asText()),
              HexFormat.of().parseHex(test.get("sig").asText()));
          accepted = true;
        } catch (GeneralSecurityException e) {
          accepted = false;
        }
        if (accepted != expectValid) {
          mismatches.add(test.get("tcId").asText() + " " + test.get("comment").asText());
        }
      }
    }
    assertThat(total).isEqualTo(79);
    assertThat(mismatches).isEmpty();
  }
}
