package io.bulwark.security.jwt.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.core.SecretBytes;
import io.bulwark.core.Strings;
import io.bulwark.security.jwt.InvalidKeySetException;
import io.bulwark.security.jwt.JwkSet;
import io.bulwark.security.jwt.JwsAlgorithm;
import io.bulwark.security.jwt.VerificationKey;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Parses a JWK Set document into checked {@link VerificationKey}s; see {@link JwkSet}. */
public final class JwkParser {
  static final int MIN_RSA_BITS = 2048;
  static final int MAX_RSA_BITS = 8192;
  static final int MAX_KID_CHARS = 256;

  /** Members that would make the key private (RFC 7518 6.2.2, 6.3.2; RFC 8037 2). */
  private static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth");

  /** SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410): the 32 key bytes follow. */
  private static final byte[] ED25519_SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private JwkParser() {}

  public static List<VerificationKey> parse(byte[] json, boolean allowSymmetric)
      throws InvalidKeySetException {
    if (json.length > JwkSet.MAX_BYTES) {
      throw new InvalidKeySetException("JWK set is larger than " + JwkSet.MAX_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = JoseJson.jwks(json);
    } catch (IOException e) {
      throw new InvalidKeySetException("JWK set is not a valid, unambiguous JSON object");
    }
    JsonNode keys = root.get("keys");
    if (keys == null || !keys.isArray()) {
      throw new InvalidKeySetException("JWK set has no \"keys\" array");
    }
    if (keys.isEmpty()) {
      throw new InvalidKeySetException("JWK set has no keys");
    }
    if (keys.size() > JwkSet.MAX_KEYS) {
      throw new InvalidKeySetException("JWK set has more than " + JwkSet.MAX_KEYS + " keys");
    }
    List<VerificationKey> out = new ArrayList<>();
    Set<String> kids = new HashSet<>();
    int index = 0;
    for (JsonNode jwk : keys) {
      VerificationKey key;
      try {
        key = parseKey(jwk, allowSymmetric);
      } catch (InvalidKeySetException e) {
        throw new InvalidKeySetException("key " + index + ": " + e.getMessage());
      }
      String kid = key.kid();
      if (kid != null && !kids.add(kid)) {
        throw new InvalidKeySetException("duplicate kid " + quote(kid));
      }
      out.add(key);
      index++;
    }
    boolean symmetric = out.stream().anyMatch(VerificationKey::symmetric);
    boolean asymmetric = out.stream().anyMatch(k -> !k.symmetric());
    if (symmetric && asymmetric) {
      // One set used for both lets a token pick HMAC and a public key's bytes as the secret
      // (RFC 8725 3.1), or at least makes the key a token needs ambiguous.
      throw new InvalidKeySetException("JWK set mixes symmetric and public keys");
    }
    return out;
  }

  static String quote(String untrusted) {
    String s = Strings.printable(untrusted);
    return "\"" + (s.length() > 64 ? s.substring(0, 64) + "..." : s) + "\"";
  }

  private static VerificationKey parseKey(JsonNode jwk, boolean allowSymmetric)
      throws InvalidKeySetException {
    if (!jwk.isObject()) {
      throw new InvalidKeySetException("not a JSON object");
    }
    String kty = requiredString(jwk, "kty");
    String kid = optionalString(jwk, "kid");
    if (kid != null && (kid.isEmpty() || kid.length() > MAX_KID_CHARS)) {
      throw new InvalidKeySetException("kid must have 1 to " + MAX_KID_CHARS + " chars");
    }
    checkUsage(jwk);
    String algName = optionalString(jwk, "alg");
    JwsAlgorithm alg = null;
    if (algName != null) {
      alg =
          JwsAlgorithm.fromJoseName(algName)
              .orElseThrow(
                  () ->
                      new InvalidKeySetException(
                          "alg " + quote(algName) + " is not a supported signature algorithm"));
    }
    if (!kty.equals("oct")) {
      for (String member : PRIVATE_MEMBERS) {
        if (jwk.has(member)) {
          throw new InvalidKeySetException("contains private key material");
        }
      }
    }
    return switch (kty) {
      case "RSA" -> rsa(jwk, kid, alg);
      case "EC" -> ec(jwk, kid, alg);
      case "OKP" -> okp(jwk, kid, alg);
      case "oct" -> oct(jwk, kid, alg, allowSymmetric);
      default -> throw new InvalidKeySetException("kty " + quote(kty) + " is not supported");
    };
  }

  /** {@code use} must be "sig" and {@code key_ops} only sign/verify including verify. */
  private static void checkUsage(JsonNode jwk) throws InvalidKeySetException {
    String use = optionalString(jwk, "use");
    if (use != null && !use.equals("sig")) {
      throw new InvalidKeySetException("use " + quote(use) + " is not \"sig\"");
    }
    JsonNode ops = jwk.get("key_ops");
    if (ops != null) {
      if (!ops.isArray()) {
        throw new InvalidKeySetException("key_ops is not an array");
      }
      Set<String> seen = new HashSet<>();
      for (JsonNode op : ops) {
        if (!op.isTextual()
            || !(op.textValue().equals("verify") || op.textValue().equals("sign"))
            || !seen.add(op.textValue())) {
          throw new InvalidKeySetException("key_ops allow more than signing and verifying");
        }
      }
      if (!seen.contains("verify")) {
        throw new InvalidKeySetException("key_ops do not allow verifying");
      }
    }
  }

  private static VerificationKey rsa(JsonNode jwk, @Nullable String kid, @Nullable JwsAlgorithm alg)
      throws InvalidKeySetException {
    if (alg != null && !alg.rsa()) {
      throw new InvalidKeySetException("alg " + alg.joseName() + " does not fit an RSA key");
    }
    BigInteger n = unsignedMinimal(jwk, "n");
    BigInteger e = unsignedMinimal(jwk, "e");
    if (n.bitLength() < MIN_RSA_BITS) {
      throw new InvalidKeySetException("RSA modulus is shorter than " + MIN_RSA_BITS + " bits");
    }
    if (n.bitLength() > MAX_RSA_BITS) {
      throw new InvalidKeySetException("RSA modulus is longer than " + MAX_RSA_BITS + " bits");
    }
    if (!n.testBit(0)) {
      throw new InvalidKeySetException("RSA modulus is even");
    }
    if (e.compareTo(BigInteger.valueOf(3)) < 0 || !e.testBit(0) || e.bitLength() > 32) {
      throw new InvalidKeySetException("RSA public exponent must be odd, >= 3 and < 2^32");
    }
    if (RocaFingerprint.matches(n)) {
      throw new InvalidKeySetException("RSA key has the ROCA fingerprint (CVE-2017-15361)");
    }
    try {
      PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
      return new VerificationKey(kid, alg, key, null);
    } catch (GeneralSecurityException ex) {
      throw new InvalidKeySetException("RSA key is not valid");
    }
  }

  private static VerificationKey ec(JsonNode jwk, @Nullable String kid, @Nullable JwsAlgorithm alg)
      throws InvalidKeySetException {
    String crv = requiredString(jwk, "crv");
    EcCurves curve =
        EcCurves.fromJoseName(crv)
            .orElseThrow(
                () -> new InvalidKeySetException("curve " + quote(crv) + " is not supported"));
    if (alg != null && alg != curve.algorithm()) {
      throw new InvalidKeySetException("alg " + alg.joseName() + " does not fit curve " + crv);
    }
    byte[] x = fixedLength(jwk, "x", curve.fieldBytes());
    byte[] y = fixedLength(jwk, "y", curve.fieldBytes());
    ECPoint point = new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
    if (!curve.onCurve(point)) {
      throw new InvalidKeySetException("EC point is not on curve " + crv);
    }
    try {
      PublicKey key =
          KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, curve.spec()));
      return new VerificationKey(kid, curve.algorithm(), key, null);
    } catch (GeneralSecurityException ex) {
      throw new InvalidKeySetException("EC key is not valid");
    }
  }

  private static VerificationKey okp(JsonNode jwk, @Nullable String kid, @Nullable JwsAlgorithm alg)
      throws InvalidKeySetException {
    String crv = requiredString(jwk, "crv");
    if (!crv.equals("Ed25519")) {
      throw new InvalidKeySetException("OKP curve " + quote(crv) + " is not supported");
    }
    if (alg != null && alg != JwsAlgorithm.EDDSA) {
      throw new InvalidKeySetException("alg " + alg.joseName() + " does not fit an Ed25519 key");
    }
    byte[] x = fixedLength(jwk, "x", 32);
    byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
    System.arraycopy(x, 0, spki, ED25519_SPKI_PREFIX.length, 32);
    try {
      PublicKey key =
          KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
      return new VerificationKey(kid, JwsAlgorithm.EDDSA, key, null);
    } catch (GeneralSecurityException ex) {
      throw new InvalidKeySetException("Ed25519 key is not valid");
    }
  }

  private static VerificationKey oct(
      JsonNode jwk, @Nullable String kid, @Nullable JwsAlgorithm alg, boolean allowSymmetric)
      throws InvalidKeySetException {
    if (!allowSymmetric) {
      throw new InvalidKeySetException("symmetric keys are not allowed in this set");
    }
    if (alg == null || !alg.symmetric()) {
      throw new InvalidKeySetException("a symmetric key needs alg HS256, HS384 or HS512");
    }
    byte[] k = bytes(jwk, "k");
    try {
      if (k.length < alg.hashBytes()) {
        throw new InvalidKeySetException(
            "HMAC key is shorter than " + alg.hashBytes() + " bytes (RFC 7518 3.2)");
      }
      return new VerificationKey(kid, alg, null, SecretBytes.copyOf(k));
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  private static String requiredString(JsonNode jwk, String name) throws InvalidKeySetException {
    String s = optionalString(jwk, name);
    if (s == null) {
      throw new InvalidKeySetException("\"" + name + "\" is missing");
    }
    return s;
  }

  private static @Nullable String optionalString(JsonNode jwk, String name)
      throws InvalidKeySetException {
    JsonNode v = jwk.get(name);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw new InvalidKeySetException("\"" + name + "\" is not a string");
    }
    return v.textValue();
  }

  private static byte[] bytes(JsonNode jwk, String name) throws InvalidKeySetException {
    String s = requiredString(jwk, name);
    try {
      return StrictBase64Url.decode(s);
    } catch (IllegalArgumentException e) {
      throw new InvalidKeySetException("\"" + name + "\" is not canonical base64url");
    }
  }

  private static byte[] fixedLength(JsonNode jwk, String name, int length)
      throws InvalidKeySetException {
    byte[] b = bytes(jwk, name);
    if (b.length != length) {
      throw new InvalidKeySetException("\"" + name + "\" must be " + length + " bytes");
    }
    return b;
  }

  /** RFC 7518 6.3.1: big-endian, minimum length (no leading zero octet). */
  private static BigInteger unsignedMinimal(JsonNode jwk, String name)
      throws InvalidKeySetException {
    byte[] b = bytes(jwk, name);
    if (b.length == 0 || b[0] == 0) {
      throw new InvalidKeySetException("\"" + name + "\" is empty or has a leading zero");
    }
    return new BigInteger(1, b);
  }
}
