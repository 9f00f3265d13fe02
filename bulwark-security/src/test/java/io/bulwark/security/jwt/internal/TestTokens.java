package io.bulwark.security.jwt.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/** Keys, JWKs and signed tokens made by the tests themselves (no shared vectors needed). */
final class TestTokens {
  static final String ISSUER = "https://idp.example/realms/main";
  static final String AUDIENCE = "bulwark";
  static final long NOW = 1_767_225_600L;

  private TestTokens() {}

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String b64(String utf8) {
    return b64(utf8.getBytes(StandardCharsets.UTF_8));
  }

  static KeyPair ecKeyPair(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  static KeyPair rsaKeyPair(int bits) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(bits);
    return g.generateKeyPair();
  }

  static byte[] fixed(BigInteger v, int length) {
    byte[] raw = v.toByteArray();
    if (raw.length == length) {
      return raw;
    }
    if (raw.length > length) {
      return Arrays.copyOfRange(raw, raw.length - length, raw.length);
    }
    byte[] out = new byte[length];
    System.arraycopy(raw, 0, out, length - raw.length, raw.length);
    return out;
  }

  static byte[] unsigned(BigInteger v) {
    byte[] raw = v.toByteArray();
    return raw[0] == 0 ? Arrays.copyOfRange(raw, 1, raw.length) : raw;
  }

  /** A public EC JWK as a JSON object (no surrounding set). */
  static String ecJwk(ECPublicKey key, String crv, int size, String kid, String extra) {
    return "{\"kty\":\"EC\",\"crv\":\""
        + crv
        + "\",\"kid\":\""
        + kid
        + "\",\"x\":\""
        + b64(fixed(key.getW().getAffineX(), size))
        + "\",\"y\":\""
        + b64(fixed(key.getW().getAffineY(), size))
        + "\""
        + extra
        + "}";
  }

  static String rsaJwk(RSAPublicKey key, String kid, String extra) {
    return "{\"kty\":\"RSA\",\"kid\":\""
        + kid
        + "\",\"n\":\""
        + b64(unsigned(key.getModulus()))
        + "\",\"e\":\""
        + b64(unsigned(key.getPublicExponent()))
        + "\""
        + extra
        + "}";
  }

  static String set(String... jwks) {
    return "{\"keys\":[" + String.join(",", jwks) + "]}";
  }

  /** Signs header.claims with a JCA algorithm name (or "PS256"), e.g. Ed25519. */
  static String sign(String header, String claims, PrivateKey key, String jcaAlgorithm)
      throws Exception {
    String input = b64(header) + "." + b64(claims);
    Signature s;
    if (jcaAlgorithm.equals("PS256")) {
      s = Signature.getInstance("RSASSA-PSS");
      s.setParameter(
          new java.security.spec.PSSParameterSpec(
              "SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
    } else {
      s = Signature.getInstance(jcaAlgorithm);
    }
    s.initSign(key);
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + b64(s.sign());
  }

  static String claims(String extra) {
    return "{\"iss\":\""
        + ISSUER
        + "\",\"sub\":\"alice\",\"aud\":\""
        + AUDIENCE
        + "\",\"iat\":"
        + (NOW - 10)
        + ",\"exp\":"
        + (NOW + 300)
        + extra
        + "}";
  }
}
