package io.bulwark.security.jwt.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.security.jwt.JwkSet;
import io.bulwark.security.jwt.JwsAlgorithm;
import io.bulwark.security.jwt.TokenRejectedException;
import io.bulwark.security.jwt.VerificationKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The JWS layer: size, compact shape, canonical base64url, header rules, key selection by exact
 * {@code kid}, the algorithm bound to the key, and the signature. Claims are not looked at here.
 */
public final class CompactJws {
  /** Longest header accepted, in encoded characters; access-token headers are under 200. */
  static final int MAX_HEADER_CHARS = 2048;

  /** Header members that point at keys elsewhere or carry keys: never used, so never accepted. */
  private static final Set<String> KEY_REFERENCES = Set.of("jku", "x5u", "jwk", "x5c");

  /** Header members of JWE (RFC 7516, 7518 4.6, 4.8): this is a JWS validator. */
  private static final Set<String> JWE_MEMBERS = Set.of("enc", "zip", "epk", "p2s", "p2c");

  /** A verified JWS: its header, payload bytes, the key and the algorithm that verified it. */
  public static final class Verified {
    private final JsonNode header;
    private final byte[] payload;
    private final VerificationKey key;
    private final JwsAlgorithm algorithm;

    Verified(JsonNode header, byte[] payload, VerificationKey key, JwsAlgorithm algorithm) {
      this.header = header;
      this.payload = payload;
      this.key = key;
      this.algorithm = algorithm;
    }

    public JsonNode header() {
      return header.deepCopy();
    }

    public byte[] payload() {
      return payload.clone();
    }

    public VerificationKey key() {
      return key;
    }

    public JwsAlgorithm algorithm() {
      return algorithm;
    }
  }

  private final JwkSet keys;
  private final @Nullable JwsAlgorithm rsaDefault;
  private final Set<JwsAlgorithm> allowed;
  private final int maxTokenBytes;

  /**
   * @param rsaDefault the algorithm for RSA keys whose JWK named none, or null to leave such keys
   *     unusable
   */
  public CompactJws(
      JwkSet keys,
      Set<JwsAlgorithm> allowed,
      @Nullable JwsAlgorithm rsaDefault,
      int maxTokenBytes) {
    this.keys = keys;
    this.rsaDefault = rsaDefault;
    this.allowed = Set.copyOf(allowed);
    this.maxTokenBytes = maxTokenBytes;
  }

  public Verified verify(String token) throws TokenRejectedException {
    // Before anything else, so that an oversized token costs one comparison.
    if (token.length() > maxTokenBytes) {
      throw reject("token is larger than " + maxTokenBytes + " bytes");
    }
    int firstDot = -1;
    int secondDot = -1;
    int dots = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '.') {
        dots++;
        if (dots == 1) {
          firstDot = i;
        } else if (dots == 2) {
          secondDot = i;
        }
      } else if (!StrictBase64Url.isAlphabet(c)) {
        throw reject(
            token.isEmpty() || token.charAt(0) != '{'
                ? "token contains a character outside base64url"
                : "JWS JSON serialization is not accepted");
      }
    }
    if (token.isEmpty()) {
      throw reject("token is empty");
    }
    if (dots == 4) {
      throw reject("JWE is not accepted");
    }
    if (dots != 2) {
      throw reject("token is not a compact JWS of three parts");
    }
    if (firstDot == 0) {
      throw reject("header is empty");
    }
    if (firstDot > MAX_HEADER_CHARS) {
      throw reject("header is longer than " + MAX_HEADER_CHARS + " chars");
    }
    JsonNode header = header(decode(token, 0, firstDot, "header"));
    checkHeaderMembers(header);
    JwsAlgorithm algorithm = algorithm(header);
    VerificationKey key = key(header);
    JwsAlgorithm keyAlgorithm = key.algorithm();
    if (keyAlgorithm == null && key.publicKey() instanceof java.security.interfaces.RSAPublicKey) {
      keyAlgorithm = rsaDefault;
    }
    if (keyAlgorithm == null) {
      throw reject("the key has no algorithm the policy allows");
    }
    if (keyAlgorithm != algorithm) {
      throw reject(
          "alg " + algorithm.joseName() + " is not the key's algorithm " + keyAlgorithm.joseName());
    }
    byte[] payload = decode(token, firstDot + 1, secondDot, "payload");
    byte[] signature = decode(token, secondDot + 1, token.length(), "signature");
    byte[] signingInput = token.substring(0, secondDot).getBytes(StandardCharsets.US_ASCII);
    try {
      if (key.symmetric()) {
        JwsSignatures.verifyHmac(algorithm, requireSecret(key), signingInput, signature);
      } else {
        PublicKey publicKey = key.publicKey();
        if (publicKey == null) {
          throw reject("the key has no public key");
        }
        JwsSignatures.verify(algorithm, publicKey, signingInput, signature);
      }
    } catch (GeneralSecurityException e) {
      throw reject(String.valueOf(e.getMessage()));
    }
    return new Verified(header, payload, key, algorithm);
  }

  private static io.bulwark.core.SecretBytes requireSecret(VerificationKey key)
      throws TokenRejectedException {
    io.bulwark.core.SecretBytes secret = key.secret();
    if (secret == null) {
      throw reject("the key has no secret");
    }
    return secret;
  }

  private static byte[] decode(String token, int from, int to, String part)
      throws TokenRejectedException {
    try {
      return StrictBase64Url.decode(token, from, to);
    } catch (IllegalArgumentException e) {
      throw reject(part + " is not canonical base64url");
    }
  }

  private static JsonNode header(byte[] json) throws TokenRejectedException {
    try {
      return JoseJson.header(json);
    } catch (IOException e) {
      throw reject("header is not a valid, unambiguous JSON object");
    }
  }

  private static void checkHeaderMembers(JsonNode header) throws TokenRejectedException {
    for (String name : KEY_REFERENCES) {
      if (header.has(name)) {
        throw reject("header " + name + " is not accepted: keys come only from the configured set");
      }
    }
    for (String name : JWE_MEMBERS) {
      if (header.has(name)) {
        throw reject("JWE is not accepted (header " + name + ")");
      }
    }
    if (header.has("b64")) {
      throw reject("unencoded payload (b64, RFC 7797) is not accepted");
    }
    if (header.has("crit")) {
      // RFC 7515 4.1.11: we understand no extension, so any crit (even an empty, invalid one)
      // names something we would have to honour and cannot.
      throw reject("crit is not accepted: no critical extensions are supported");
    }
    if (header.has("cty")) {
      throw reject("cty is not accepted: nested or typed content is not supported");
    }
  }

  private JwsAlgorithm algorithm(JsonNode header) throws TokenRejectedException {
    JsonNode alg = header.get("alg");
    if (alg == null || !alg.isTextual()) {
      throw reject("alg is missing or not a string");
    }
    String name = alg.textValue();
    if (name.equalsIgnoreCase("none")) {
      throw reject("alg none is not accepted");
    }
    JwsAlgorithm algorithm =
        JwsAlgorithm.fromJoseName(name)
            .orElseThrow(() -> reject("alg " + JwkParser.quote(name) + " is not supported"));
    if (!allowed.contains(algorithm)) {
      throw reject("alg " + algorithm.joseName() + " is not allowed");
    }
    return algorithm;
  }

  private VerificationKey key(JsonNode header) throws TokenRejectedException {
    JsonNode kid = header.get("kid");
    if (kid == null) {
      if (keys.keys().size() == 1) {
        return keys.keys().get(0);
      }
      throw reject("kid is required: the key set has several keys");
    }
    if (!kid.isTextual()) {
      throw reject("kid is not a string");
    }
    String id = kid.textValue();
    if (id.length() > JwkParser.MAX_KID_CHARS) {
      throw reject("kid is longer than " + JwkParser.MAX_KID_CHARS + " chars");
    }
    // An exact in-memory lookup: kid is never a path, URL or query, and an unknown kid never
    // falls back to trying other keys.
    @Nullable VerificationKey key = keys.byKid(id).orElse(null);
    if (key == null) {
      throw reject("unknown kid " + JwkParser.quote(id));
    }
    return key;
  }

  static TokenRejectedException reject(String reason) {
    return new TokenRejectedException(reason);
  }
}
