package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.security.jwt.JwkSet;
import io.bulwark.security.jwt.TokenPolicy;
import io.bulwark.security.jwt.TokenValidator;
import io.bulwark.testing.OnnxElementType;
import io.bulwark.testing.OnnxModels;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short-lived access tokens: issued for an API key, published keys, used and refused. */
class TokenEndToEndTest {
  @TempDir Path tmp;

  private static final String INFER =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}";

  private static HttpResponse<String> token(TestServer s, String credential, String form)
      throws Exception {
    return s.http.send(
        s.request("/oauth2/token", credential)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void clientCredentials_tokenWorksLikeItsKey_andDiesWithIt() throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      s.publish("m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      s.publish("secret", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      String key = s.createKey("consumer", "m");

      HttpResponse<String> issued = token(s, key, "grant_type=client_credentials");
      assertThat(issued.statusCode()).isEqualTo(200);
      assertThat(issued.headers().firstValue("cache-control")).hasValue("no-store");
      JsonNode body = Jsons.parse(issued.body());
      assertThat(body.get("token_type").asText()).isEqualTo("Bearer");
      assertThat(body.get("expires_in").asLong()).isEqualTo(600);
      String token = body.get("access_token").asText();

      assertThat(s.postJson("/v2/models/m/infer", token, INFER).statusCode()).isEqualTo(200);
      // Same grants as the key: another model is "not found"; admin routes are forbidden.
      assertThat(s.postJson("/v2/models/secret/infer", token, INFER).statusCode()).isEqualTo(404);
      assertThat(s.get("/api/v1/keys", token).statusCode()).isEqualTo(403);
      // A token is not exchanged for another one.
      assertThat(token(s, token, "grant_type=client_credentials").statusCode()).isEqualTo(403);

      // The published keys verify the token with a standard validator.
      HttpResponse<String> jwks = s.get("/.well-known/jwks.json", null);
      assertThat(jwks.statusCode()).isEqualTo(200);
      assertThat(jwks.body()).contains("\"kty\":\"EC\"").doesNotContain("\"d\"");
      JsonNode claims =
          Jsons.parse(
              new String(
                  java.util.Base64.getUrlDecoder().decode(token.split("\\.", -1)[1]),
                  StandardCharsets.UTF_8));
      TokenValidator independent =
          TokenValidator.create(
              JwkSet.parse(jwks.body().getBytes(StandardCharsets.UTF_8)),
              TokenPolicy.builder(claims.get("iss").asText(), "bulwark").build());
      assertThat(independent.validate(token, Instant.now()).subject())
          .isEqualTo(claims.get("sub").asText());

      // Revoking the key kills its tokens on the very next request.
      String id = claims.get("sub").asText();
      assertThat(s.delete("/api/v1/keys/" + id, s.adminKey).statusCode()).isEqualTo(200);
      HttpResponse<String> after = s.postJson("/v2/models/m/infer", token, INFER);
      assertThat(after.statusCode()).isEqualTo(401);
      assertThat(after.body()).isEqualTo("{\"error\":\"invalid or missing credentials\"}");
    }
  }

  @Test
  void apiKeyRotation_oldKeyWorksForTheOverlapOnly() throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      String old = s.createKey("consumer");
      String oldId = old.substring(4, 20);
      HttpResponse<String> rotated =
          s.postJson("/api/v1/keys/" + oldId + "/rotate", s.adminKey, "{\"overlap_seconds\":0}");
      assertThat(rotated.statusCode()).isEqualTo(201);
      String fresh = Jsons.parse(rotated.body()).get("key").asText();
      assertThat(s.get("/api/v1/models", fresh).statusCode()).isEqualTo(200);
      assertThat(s.get("/api/v1/models", old).statusCode()).isEqualTo(401);

      String other = s.createKey("consumer");
      HttpResponse<String> overlapping =
          s.postJson("/api/v1/keys/" + other.substring(4, 20) + "/rotate", s.adminKey, "");
      assertThat(overlapping.statusCode()).isEqualTo(201);
      assertThat(Jsons.parse(overlapping.body()).get("replaced_key_expires_at").asText())
          .isNotEmpty();
      assertThat(s.get("/api/v1/models", other).statusCode()).isEqualTo(200);
      assertThat(s.postJson("/api/v1/keys/" + oldId + "/rotate", s.adminKey, "{}").statusCode())
          .isEqualTo(409);
    }
  }

  @Test
  void badRequests_forgedAndAltered_tokensRefused() throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      String key = s.createKey("consumer");
      assertThat(token(s, key, "grant_type=password&username=a").statusCode()).isEqualTo(400);
      assertThat(token(s, null, "grant_type=client_credentials").statusCode()).isEqualTo(401);
      HttpResponse<String> asJson =
          s.postJson("/oauth2/token", key, "{\"grant_type\":\"client_credentials\"}");
      assertThat(asJson.statusCode()).isEqualTo(400);

      String token =
          Jsons.parse(token(s, key, "grant_type=client_credentials").body())
              .get("access_token")
              .asText();
      String[] parts = token.split("\\.", -1);
      String unsigned = parts[0] + "." + parts[1] + ".";
      String noneAlg =
          java.util.Base64.getUrlEncoder()
                  .withoutPadding()
                  .encodeToString(
                      "{\"alg\":\"none\",\"typ\":\"at+jwt\"}".getBytes(StandardCharsets.UTF_8))
              + "."
              + parts[1]
              + ".";
      char last = parts[2].charAt(parts[2].length() - 2);
      String flipped =
          parts[0]
              + "."
              + parts[1]
              + "."
              + parts[2].substring(0, parts[2].length() - 2)
              + (last == 'A' ? 'B' : 'A')
              + parts[2].charAt(parts[2].length() - 1);
      for (String bad : new String[] {unsigned, noneAlg, flipped, "a.b.c", "x".repeat(5000)}) {
        HttpResponse<String> r = s.get("/v2/models", bad);
        assertThat(r.statusCode()).as(bad.substring(0, Math.min(40, bad.length()))).isEqualTo(401);
      }
    }
  }
}
