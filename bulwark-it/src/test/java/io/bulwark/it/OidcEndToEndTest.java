package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.OidcIssuerConfig;
import io.bulwark.testing.OnnxElementType;
import io.bulwark.testing.OnnxModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Access tokens of an external OpenID Connect issuer, from a JWK set file, strictly checked. */
class OidcEndToEndTest {
  @TempDir Path tmp;

  private static final String ISSUER = "https://idp.example/realms/ml";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final String INFER =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}";

  private static KeyPair ecKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static String coordinate(java.math.BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[32];
    int from = Math.max(0, raw.length - 32);
    System.arraycopy(raw, from, out, 32 - (raw.length - from), raw.length - from);
    return B64.encodeToString(out);
  }

  private static String jwks(KeyPair k) {
    ECPublicKey pub = (ECPublicKey) k.getPublic();
    return "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"idp-1\",\"alg\":\"ES256\","
        + "\"use\":\"sig\",\"x\":\""
        + coordinate(pub.getW().getAffineX())
        + "\",\"y\":\""
        + coordinate(pub.getW().getAffineY())
        + "\"}]}";
  }

  private static String token(KeyPair k, String header, String claims) throws Exception {
    String input =
        B64.encodeToString(header.getBytes(StandardCharsets.UTF_8))
            + "."
            + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
    s.initSign(k.getPrivate());
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + B64.encodeToString(s.sign());
  }

  private static String claims(String aud, long exp, String roles) {
    long now = Instant.now().getEpochSecond();
    return "{\"iss\":\""
        + ISSUER
        + "\",\"sub\":\"alice\",\"aud\":\""
        + aud
        + "\",\"iat\":"
        + now
        + ",\"nbf\":"
        + now
        + ",\"exp\":"
        + exp
        + ",\"roles\":"
        + roles
        + ",\"bulwark_models\":[\"m\"]}";
  }

  private static final String HEADER = "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\"idp-1\"}";

  @Test
  void externalTokens_mappedToRoles_andEveryForgeryRefused() throws Exception {
    KeyPair idp = ecKey();
    Path jwksFile = tmp.resolve("idp-jwks.json");
    Files.writeString(jwksFile, jwks(idp));
    OidcIssuerConfig config =
        new OidcIssuerConfig(
            ISSUER,
            jwksFile,
            Set.of("bulwark-api"),
            Set.of("ES256"),
            "at+jwt",
            "roles",
            Map.of("ml-consumers", "consumer", "ml-admins", "admin"),
            "bulwark_models");
    try (TestServer s =
        TestServer.start(tmp.resolve("data"), b -> b.oidcIssuers(List.of(config)))) {
      s.publish("m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      s.publish("other", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      long exp = Instant.now().getEpochSecond() + 300;

      String consumer = token(idp, HEADER, claims("bulwark-api", exp, "[\"ml-consumers\"]"));
      assertThat(s.postJson("/v2/models/m/infer", consumer, INFER).statusCode()).isEqualTo(200);
      assertThat(s.postJson("/v2/models/other/infer", consumer, INFER).statusCode()).isEqualTo(404);
      assertThat(s.get("/api/v1/keys", consumer).statusCode()).isEqualTo(403);

      String admin = token(idp, HEADER, claims("bulwark-api", exp, "[\"ml-admins\"]"));
      assertThat(s.get("/api/v1/keys", admin).statusCode()).isEqualTo(200);

      KeyPair stranger = ecKey();
      String[] refused = {
        token(idp, HEADER, claims("other-api", exp, "[\"ml-admins\"]")), // wrong audience
        token(idp, HEADER, claims("bulwark-api", exp - 3600, "[\"ml-admins\"]")), // expired
        token(idp, HEADER, claims("bulwark-api", exp, "[\"nobody\"]")), // maps to no role
        token(stranger, HEADER, claims("bulwark-api", exp, "[\"ml-admins\"]")), // other key
        token(
            idp,
            "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\"idp-1\","
                + "\"jku\":\"https://evil.example/jwks\"}",
            claims("bulwark-api", exp, "[\"ml-admins\"]")), // key URL in the header
        token(
            idp,
            "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"idp-1\"}",
            claims("bulwark-api", exp, "[\"ml-admins\"]")), // wrong typ
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
