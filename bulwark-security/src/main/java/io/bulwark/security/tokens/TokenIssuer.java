package io.bulwark.security.tokens;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.core.SecureFiles;
import io.bulwark.security.jwt.JwkSet;
import io.bulwark.security.jwt.JwsAlgorithm;
import io.bulwark.security.jwt.TokenPolicy;
import io.bulwark.security.jwt.TokenRejectedException;
import io.bulwark.security.jwt.TokenValidator;
import io.bulwark.security.jwt.VerificationKey;
import io.bulwark.security.jwt.VerifiedToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Issues ES256 access tokens ({@code typ: at+jwt}, RFC 9068 shape) and validates them.
 *
 * <p>The signing keys are EC P-256 key pairs kept in one file (mode 0600) in the data directory.
 * The newest signs; a new key is made when the newest is older than the rotation period, and an old
 * key stays published (and accepted) for the overlap period after its successor appeared, so that
 * tokens it signed stay valid until they expire. Keys older than that are dropped. Tokens are
 * validated by the same strict validator that checks external issuers' tokens.
 */
public final class TokenIssuer {
  /** Default lifetime of an access token. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(10);

  /** Audience of every token this server issues; it accepts no other. */
  public static final String AUDIENCE = "bulwark";

  private static final int MAX_FILE_BYTES = 64 * 1024;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private record SigningKey(String kid, Instant created, KeyPair pair) {}

  private record Snapshot(List<SigningKey> keys, TokenValidator validator) {
    SigningKey current() {
      return keys.get(keys.size() - 1);
    }
  }

  private final Path file;
  private final String issuer;
  private final Clock clock;
  private final Duration rotateAfter;
  private final Duration overlap;
  private final Duration lifetime;
  private final SecureRandom random = new SecureRandom();
  private volatile Snapshot snapshot;

  private TokenIssuer(
      Path file,
      String issuer,
      Clock clock,
      Duration rotateAfter,
      Duration overlap,
      Duration lifetime,
      List<SigningKey> keys) {
    this.file = file;
    this.issuer = issuer;
    this.clock = clock;
    this.rotateAfter = rotateAfter;
    this.overlap = overlap;
    this.lifetime = lifetime;
    this.snapshot = snapshot(keys);
  }

  /**
   * Loads the signing keys from {@code file}, creating it on first use, and rotates if due.
   *
   * @param issuer the {@code iss} of every token, for example the server's URL
   * @param rotateAfter age at which a new signing key is made
   * @param overlap how long a replaced key stays published; must exceed {@code lifetime}
   * @throws IOException if the file cannot be read or written, or group or others may read it
   * @throws GeneralSecurityException if the file holds keys that cannot be decoded
   */
  public static TokenIssuer open(
      Path file,
      String issuer,
      Clock clock,
      Duration rotateAfter,
      Duration overlap,
      Duration lifetime)
      throws IOException, GeneralSecurityException {
    if (overlap.compareTo(lifetime) <= 0) {
      throw new IllegalArgumentException("the key overlap must be longer than a token's lifetime");
    }
    if (rotateAfter.isNegative() || rotateAfter.isZero()) {
      throw new IllegalArgumentException("the rotation period must be positive");
    }
    List<SigningKey> keys = Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? read(file) : List.of();
    TokenIssuer t = new TokenIssuer(file, issuer, clock, rotateAfter, overlap, lifetime, keys);
    t.rotateIfDue();
    return t;
  }

  /** The defaults: tokens for 10 minutes, a new key every day, old keys published for an hour. */
  public static TokenIssuer open(Path file, String issuer, Clock clock)
      throws IOException, GeneralSecurityException {
    return open(file, issuer, clock, Duration.ofDays(1), Duration.ofHours(1), DEFAULT_LIFETIME);
  }

  public String issuer() {
    return issuer;
  }

  public Duration lifetime() {
    return lifetime;
  }

  /**
   * Issues a token for {@code subject} with extra {@code claims} (strings or lists of strings).
   *
   * @throws IOException if a due key rotation cannot be written
   */
  public String issue(String subject, Map<String, Object> claims)
      throws IOException, GeneralSecurityException {
    rotateIfDue();
    SigningKey key = snapshot.current();
    Instant now = clock.instant();
    ObjectNode header = JsonNodeFactory.instance.objectNode();
    header.put("alg", "ES256").put("typ", "at+jwt").put("kid", key.kid());
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("iss", issuer);
    body.put("sub", subject);
    body.put("aud", AUDIENCE);
    body.put("iat", now.getEpochSecond());
    body.put("nbf", now.getEpochSecond());
    body.put("exp", now.plus(lifetime).getEpochSecond());
    byte[] jti = new byte[16];
    random.nextBytes(jti);
    body.put("jti", HexFormat.of().formatHex(jti));
    body.put("client_id", subject);
    for (Map.Entry<String, Object> c : claims.entrySet()) {
      if (body.has(c.getKey())) {
        throw new IllegalArgumentException("claim " + c.getKey() + " is set by the issuer");
      }
      body.set(c.getKey(), MAPPER.valueToTree(c.getValue()));
    }
    String signingInput =
        B64URL.encodeToString(MAPPER.writeValueAsBytes(header))
            + "."
            + B64URL.encodeToString(MAPPER.writeValueAsBytes(body));
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
    s.initSign(key.pair().getPrivate());
    s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + B64URL.encodeToString(s.sign());
  }

  /**
   * Validates a token this server issued.
   *
   * @throws TokenRejectedException naming the first failed check
   */
  public VerifiedToken validate(String token) throws TokenRejectedException {
    return snapshot.validator().validate(token, clock.instant());
  }

  /** The published JWK set ({@code /.well-known/jwks.json}): every key still accepted. */
  public ObjectNode jwks() {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    ArrayNode keys = out.putArray("keys");
    for (SigningKey k : snapshot.keys()) {
      ECPublicKey pub = (ECPublicKey) k.pair().getPublic();
      keys.addObject()
          .put("kty", "EC")
          .put("crv", "P-256")
          .put("kid", k.kid())
          .put("use", "sig")
          .put("alg", "ES256")
          .put("x", B64URL.encodeToString(fixed(pub.getW().getAffineX().toByteArray())))
          .put("y", B64URL.encodeToString(fixed(pub.getW().getAffineY().toByteArray())));
    }
    return out;
  }

  /** The key ids currently published, oldest first. */
  public List<String> keyIds() {
    return snapshot.keys().stream().map(SigningKey::kid).toList();
  }

  /** Makes a new signing key now, keeping the others for the overlap period. */
  public synchronized String rotate() throws IOException, GeneralSecurityException {
    List<SigningKey> keys = new ArrayList<>(snapshot.keys());
    keys.add(generate(clock.instant()));
    return install(keys).current().kid();
  }

  private synchronized void rotateIfDue() throws IOException, GeneralSecurityException {
    Snapshot s = snapshot;
    Instant now = clock.instant();
    List<SigningKey> keys = new ArrayList<>(s.keys());
    boolean changed = false;
    if (keys.isEmpty() || !keys.get(keys.size() - 1).created().plus(rotateAfter).isAfter(now)) {
      keys.add(generate(now));
      changed = true;
    }
    // A key is dropped once its successor has been signing for longer than the overlap.
    for (int i = keys.size() - 2; i >= 0; i--) {
      if (!keys.get(i + 1).created().plus(overlap).isAfter(now)) {
        keys.subList(0, i + 1).clear();
        changed = true;
        break;
      }
    }
    if (changed) {
      install(keys);
    }
  }

  private Snapshot install(List<SigningKey> keys) throws IOException {
    write(file, keys);
    Snapshot s = snapshot(keys);
    snapshot = s;
    return s;
  }

  private Snapshot snapshot(List<SigningKey> keys) {
    List<SigningKey> sorted = new ArrayList<>(keys);
    sorted.sort(Comparator.comparing(SigningKey::created));
    List<VerificationKey> verification = new ArrayList<>();
    for (SigningKey k : sorted) {
      verification.add(
          new VerificationKey(k.kid(), JwsAlgorithm.ES256, k.pair().getPublic(), null));
    }
    TokenPolicy policy =
        TokenPolicy.builder(issuer, AUDIENCE)
            .algorithms(java.util.Set.of(JwsAlgorithm.ES256))
            .leeway(Duration.ofSeconds(30))
            .requiredType("at+jwt")
            .maxLifetime(lifetime)
            .build();
    TokenValidator validator =
        sorted.isEmpty()
            ? (token, now) -> {
              throw new TokenRejectedException("no signing key");
            }
            : TokenValidator.create(JwkSet.of(verification), policy);
    return new Snapshot(List.copyOf(sorted), validator);
  }

  private SigningKey generate(Instant now) throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), random);
    KeyPair pair = g.generateKeyPair();
    byte[] id = new byte[8];
    random.nextBytes(id);
    return new SigningKey(HexFormat.of().formatHex(id), now, pair);
  }

  private static byte[] fixed(byte[] unsigned) {
    byte[] out = new byte[32];
    int from = Math.max(0, unsigned.length - 32);
    int len = unsigned.length - from;
    System.arraycopy(unsigned, from, out, 32 - len, len);
    return out;
  }

  private static void write(Path file, List<SigningKey> keys) throws IOException {
    ArrayNode arr = JsonNodeFactory.instance.arrayNode();
    Base64.Encoder b64 = Base64.getEncoder();
    for (SigningKey k : keys) {
      arr.addObject()
          .put("kid", k.kid())
          .put("created", k.created().toString())
          .put("private", b64.encodeToString(k.pair().getPrivate().getEncoded()))
          .put("public", b64.encodeToString(k.pair().getPublic().getEncoded()));
    }
    SecureFiles.writePrivate(file, MAPPER.writeValueAsBytes(arr), true);
  }

  private static List<SigningKey> read(Path file) throws IOException, GeneralSecurityException {
    if (SecureFiles.isExposed(file)) {
      throw new IOException(file + " is readable by group or others; chmod 600 it");
    }
    byte[] bytes = SecureFiles.readLimited(file, MAX_FILE_BYTES);
    KeyFactory ec = KeyFactory.getInstance("EC");
    List<SigningKey> keys = new ArrayList<>();
    Base64.Decoder b64 = Base64.getDecoder();
    try {
      for (var n : MAPPER.readTree(bytes)) {
        PrivateKey priv =
            ec.generatePrivate(new PKCS8EncodedKeySpec(b64.decode(n.get("private").asText())));
        PublicKey pub =
            ec.generatePublic(new X509EncodedKeySpec(b64.decode(n.get("public").asText())));
        keys.add(
            new SigningKey(
                n.get("kid").asText(),
                Instant.parse(n.get("created").asText()),
                new KeyPair(pub, priv)));
      }
    } catch (RuntimeException e) {
      throw new IOException(file + " is not a token signing key file", e);
    }
    return keys;
  }
}
