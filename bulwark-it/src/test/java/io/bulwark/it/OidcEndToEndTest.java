package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.OidcIssuerConfig;
import io.bulwark.testing.OnnxElementType;
import io.bulwark.testing.OnnxModels;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Access tokens of an external OpenID Connect issuer, from a JWK set file, strictly checked. */
class OidcEndToEndTest {
  @TempDir Path tmp;

  private static final String INFER =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}";
  private static final String HEADER = TestIdp.HEADER;

  @Test
  void externalTokens_mappedToRoles_andEveryForgeryRefused() throws Exception {
    TestIdp testIdp = TestIdp.create(tmp.resolve("idp-jwks.json"));
    KeyPair idp = testIdp.key;
    OidcIssuerConfig config = testIdp.config();
    try (TestServer s =
        TestServer.start(tmp.resolve("data"), b -> b.oidcIssuers(List.of(config)))) {
      s.publish("m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      s.publish("other", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      long exp = Instant.now().getEpochSecond() + 300;

      String consumer =
          TestIdp.token(idp, HEADER, TestIdp.claims("bulwark-api", exp, "[\"ml-consumers\"]"));
      assertThat(s.postJson("/v2/models/m/infer", consumer, INFER).statusCode()).isEqualTo(200);
      assertThat(s.postJson("/v2/models/other/infer", consumer, INFER).statusCode()).isEqualTo(404);
      assertThat(s.get("/api/v1/keys", consumer).statusCode()).isEqualTo(403);

      String admin =
          TestIdp.token(idp, HEADER, TestIdp.claims("bulwark-api", exp, "[\"ml-admins\"]"));
      assertThat(s.get("/api/v1/keys", admin).statusCode()).isEqualTo(200);

      KeyPair stranger = TestIdp.ecKey();
      String[] refused = {
        TestIdp.token(
            idp, HEADER, TestIdp.claims("other-api", exp, "[\"ml-admins\"]")), // wrong audience
        TestIdp.token(
            idp, HEADER, TestIdp.claims("bulwark-api", exp - 3600, "[\"ml-admins\"]")), // expired
        TestIdp.token(
            idp, HEADER, TestIdp.claims("bulwark-api", exp, "[\"nobody\"]")), // maps to no role
        TestIdp.token(
            stranger, HEADER, TestIdp.claims("bulwark-api", exp, "[\"ml-admins\"]")), // other key
        TestIdp.token(
            idp,
            "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\"idp-1\","
                + "\"jku\":\"https://evil.example/jwks\"}",
            TestIdp.claims("bulwark-api", exp, "[\"ml-admins\"]")), // key URL in the header
        TestIdp.token(
            idp,
            "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"idp-1\"}",
            TestIdp.claims("bulwark-api", exp, "[\"ml-admins\"]")), // wrong typ
      };
      for (String t : refused) {
        assertThat(s.get("/api/v1/keys", t).statusCode()).isEqualTo(401);
      }
      // An external token cannot be exchanged for one of ours.
      assertThat(
              s.http
                  .send(
                      s.request("/oauth2/token", admin)
                          .header("Content-Type", "application/x-www-form-urlencoded")
                          .POST(
                              java.net.http.HttpRequest.BodyPublishers.ofString(
                                  "grant_type=client_credentials"))
                          .build(),
                      java.net.http.HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(403);
    }
  }
}
