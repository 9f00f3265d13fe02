package io.bulwark.it;

import io.bulwark.core.OidcIssuerConfig;
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
import java.util.Map;
import java.util.Set;

/** An external OpenID Connect issuer for tests: an ES256 key, its JWK set file, and tokens. */
final class TestIdp {
  static final String ISSUER = "https://idp.example/realms/ml";
  static final String AUDIENCE = "bulwark-api";
  static final String HEADER = "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\"idp-1\"}";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  final KeyPair key;
  final Path jwksFile;

  private TestIdp(KeyPair key, Path jwksFile) {
    this.key = key;
    this.jwksFile = jwksFile;
  }

  /** A new issuer whose JWK set is written to {@code jwksFile}. */
  static TestIdp create(Path jwksFile) throws Exception {
    KeyPair k = ecKey();
    Files.writeString(jwksFile, jwks(k));
    return new TestIdp(k, jwksFile);
  }

  /** The server-side configuration: roles from "roles", ml-consumers and ml-admins mapped. */
  OidcIssuerConfig config() {
    return new OidcIssuerConfig(
        ISSUER,
        jwksFile,
        Set.of(AUDIENCE),
        Set.of("ES256"),
        "at+jwt",
        "roles",
        Map.of("ml-consumers", "consumer", "ml-admins", "admin"),
        "bulwark_models",
        "default");
  }

  static KeyPair ecKey() throws Exception {
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

  /** A token signed by {@code k} with the given header and claims. */
  static String token(KeyPair k, String header, String claims) throws Exception {
    String input =
        B64.encodeToString(header.getBytes(StandardCharsets.UTF_8))
            + "."
            + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
    s.initSign(k.getPrivate());
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + B64.encodeToString(s.sign());
  }

  /** A token of this issuer for alice, granted model "m", with {@code roles} (a JSON array). */
  String token(String aud, long exp, String roles) throws Exception {
    return token(key, HEADER, claims(aud, exp, roles));
  }

  static String claims(String aud, long exp, String roles) {
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
}
