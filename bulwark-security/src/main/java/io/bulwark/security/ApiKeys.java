package io.bulwark.security;

import io.bulwark.core.InsecureSecretAccess;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.NotFoundException;
import io.bulwark.core.SecretBytes;
import io.bulwark.core.SecureFiles;
import io.bulwark.security.policy.PolicyAction;
import io.bulwark.storage.Database;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API keys: issued once, stored only as HMAC-SHA256 under a server-side secret, checked in constant
 * time.
 *
 * <p>A key reads {@code bwk_<16 hex id>_<43 base64url secret>}: the prefix makes leaked keys easy
 * to find with secret scanners, the id allows a lookup without scanning, and the secret carries 256
 * random bits. Keys are held in memory after start; creation and revocation write the database
 * first and then the in-memory view, so a revocation takes effect on the very next request on every
 * thread.
 */
public final class ApiKeys {
  private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);

  /** Every Bulwark API key starts with this. */
  public static final String PREFIX = "bwk_";

  private static final int ID_HEX = 16;
  private static final int SECRET_CHARS = 43;
  private static final int KEY_LENGTH = PREFIX.length() + ID_HEX + 1 + SECRET_CHARS;
  private static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);

  private final Database db;
  private final SecretKeySpec hmacKey;
  private final Clock clock;
  private final Executor background;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final byte[] dummyHash;

  /** A key as held in memory; compared by identity so that updates can use compare-and-set. */
  private static final class Entry {
    private final ApiKeyInfo info;
    private final byte[] hash;

    Entry(ApiKeyInfo info, byte[] hash) {
      this.info = info;
      this.hash = hash;
    }

    ApiKeyInfo info() {
      return info;
    }

    byte[] hash() {
      return hash;
    }
  }

  private ApiKeys(Database db, byte[] hmacSecret, Clock clock, Executor background) {
    this.db = db;
    this.background = background;
    this.hmacKey = new SecretKeySpec(hmacSecret, "HmacSHA256");
    this.clock = clock;
    this.dummyHash = hash("bwk_0000000000000000_" + "A".repeat(SECRET_CHARS));
    load();
  }

  /**
   * Opens the key store. The HMAC secret is read from {@code hmacSecretFile}, or created there (32
   * random bytes, mode 0600) if absent; a file others can read is refused.
   */
  public static ApiKeys open(Database db, Path hmacSecretFile, Clock clock) throws IOException {
    return open(db, hmacSecretFile, clock, Runnable::run);
  }

  /**
   * Like {@link #open(Database, Path, Clock)}, recording last-use times on {@code background}, so
   * that {@link #authenticate} never waits for a database write (it runs on network threads).
   */
  public static ApiKeys open(Database db, Path hmacSecretFile, Clock clock, Executor background)
      throws IOException {
    byte[] secret = SecureFiles.loadOrCreateSecret(hmacSecretFile, 32);
    return new ApiKeys(db, secret, clock, background);
  }

  /** Creates a key. The returned secret is the only copy that will ever exist. */
  public IssuedApiKey create(NewApiKey request, String actor) {
    Instant now = clock.instant();
    if (request.expiresAt() != null && !request.expiresAt().isAfter(now)) {
      throw new InvalidRequestException("expires_at must be in the future");
    }
    byte[] idBytes = new byte[ID_HEX / 2];
    random.nextBytes(idBytes);
    String id = HexFormat.of().formatHex(idBytes);
    byte[] secretBytes = new byte[32];
    random.nextBytes(secretBytes);
    String key =
        PREFIX + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
    byte[] hash = hash(key);
    ApiKeyInfo info = new ApiKeyInfo(id, request, now, actor, null, null);
    db.writeAll(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO api_keys(id, name, role, key_hash, created_at, created_by,"
                      + " expires_at, tenant, actions) VALUES (?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, id);
            ps.setString(2, info.name());
            ps.setString(
                3,
                String.join(",", request.roles().stream().map(Role::wireName).sorted().toList()));
            ps.setBytes(4, hash);
            ps.setString(5, now.toString());
            ps.setString(6, actor);
            ps.setString(7, info.expiresAt() == null ? null : info.expiresAt().toString());
            ps.setString(8, request.tenant());
            ps.setString(9, String.join(",", info.actionNames()));
            ps.executeUpdate();
          }
          try (PreparedStatement ps =
              c.prepareStatement("INSERT INTO api_key_grants(key_id, model_name) VALUES (?,?)")) {
            for (String m : request.models()) {
              ps.setString(1, id);
              ps.setString(2, m);
              ps.addBatch();
            }
            ps.executeBatch();
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO api_key_namespace_grants(key_id, namespace) VALUES (?,?)")) {
            for (String n : request.namespaces()) {
              ps.setString(1, id);
              ps.setString(2, n);
              ps.addBatch();
            }
            ps.executeBatch();
          }
        });
    entries.put(id, new Entry(info, hash));
    return new IssuedApiKey(info, SecretBytes.copyOf(key.getBytes(StandardCharsets.US_ASCII)));
  }

  /** One key, without its secret. */
  public Optional<ApiKeyInfo> find(String id) {
    Entry e = entries.get(id);
    return e == null ? Optional.empty() : Optional.of(e.info());
  }

  /** Every key ever created, newest first, without secrets. */
  public List<ApiKeyInfo> list() {
    List<ApiKeyInfo> out = new ArrayList<>();
    entries.values().forEach(e -> out.add(e.info()));
    out.sort(Comparator.comparing(ApiKeyInfo::createdAt).reversed());
    return out;
  }

  /** Longest overlap a rotation may leave the replaced key working. */
  public static final Duration MAX_ROTATION_OVERLAP = Duration.ofDays(7);

  /**
   * Rotates a key: issues a new key with the same name, role, grants and expiry, and lets the old
   * one work only for {@code overlap} more (at once, for a zero overlap), so that clients can move
   * over without an outage. The new key is stored before the old one is shortened, so a failure
   * leaves the old key as it was.
   *
   * @throws NotFoundException if there is no such key
   * @throws io.bulwark.core.ConflictException if the key is revoked or expired
   */
  public IssuedApiKey rotate(String id, Duration overlap, String actor) {
    if (overlap.isNegative() || overlap.compareTo(MAX_ROTATION_OVERLAP) > 0) {
      throw new InvalidRequestException("the overlap must be 0 to 7 days");
    }
    Entry e = entries.get(id);
    if (e == null) {
      throw new NotFoundException("key", id);
    }
    ApiKeyInfo old = e.info();
    Instant now = clock.instant();
    if (!usable(old, now)) {
      throw new io.bulwark.core.ConflictException(
          "key " + id + " is revoked or expired; create a new key instead");
    }
    IssuedApiKey fresh = create(old.scope(), actor);
    if (overlap.isZero()) {
      revoke(id, actor);
      return fresh;
    }
    Instant until = now.plus(overlap);
    if (old.expiresAt() != null && old.expiresAt().isBefore(until)) {
      return fresh;
    }
    db.write(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE api_keys SET expires_at = ? WHERE id = ?")) {
            ps.setString(1, until.toString());
            ps.setString(2, id);
            return ps.executeUpdate();
          }
        });
    ApiKeyInfo shortened = old.withExpiresAt(until);
    entries.put(id, new Entry(shortened, e.hash()));
    return fresh;
  }

  /** Revokes a key; from this call's return on, the key authenticates nowhere. */
  public ApiKeyInfo revoke(String id, String actor) {
    Entry e = entries.get(id);
    if (e == null) {
      throw new NotFoundException("key", id);
    }
    if (e.info().revokedAt() != null) {
      return e.info();
    }
    Instant now = clock.instant();
    db.write(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
            ps.setString(1, now.toString());
            ps.setString(2, id);
            return ps.executeUpdate();
          }
        });
    ApiKeyInfo revoked = e.info().withRevokedAt(now);
    entries.put(id, new Entry(revoked, e.hash()));
    return revoked;
  }

  /** Whether any admin key is currently usable (neither revoked nor expired). */
  public boolean hasUsableAdmin() {
    Instant now = clock.instant();
    return entries.values().stream()
        .map(Entry::info)
        .anyMatch(i -> i.isUnlimitedAdmin() && usable(i, now));
  }

  /**
   * Checks a presented key.
   *
   * @throws AuthenticationException if the key is malformed, unknown, expired or revoked
   */
  public Principal authenticate(String presented) throws AuthenticationException {
    if (presented.length() != KEY_LENGTH
        || !presented.startsWith(PREFIX)
        || presented.charAt(PREFIX.length() + ID_HEX) != '_') {
      throw new AuthenticationException("malformed API key");
    }
    String id = presented.substring(PREFIX.length(), PREFIX.length() + ID_HEX);
    Entry e = entries.get(id);
    byte[] expected = e == null ? dummyHash : e.hash();
    boolean match = MessageDigest.isEqual(hash(presented), expected);
    if (e == null || !match) {
      throw new AuthenticationException("unknown API key");
    }
    Instant now = clock.instant();
    ApiKeyInfo info = e.info();
    if (info.revokedAt() != null) {
      throw new AuthenticationException("revoked API key " + id);
    }
    if (info.expiresAt() != null && !now.isBefore(info.expiresAt())) {
      throw new AuthenticationException("expired API key " + id);
    }
    touch(e, now);
    return info.principal();
  }

  /**
   * The principal of the API key {@code id} as it is now, for a token issued to that key: a token
   * stops working the moment its key is revoked or expires, and carries the key's current grants.
   *
   * @throws AuthenticationException if the key is unknown, revoked or expired
   */
  public Principal principalForToken(String id) throws AuthenticationException {
    Entry e = entries.get(id);
    if (e == null) {
      throw new AuthenticationException("token for an unknown API key");
    }
    ApiKeyInfo info = e.info();
    if (!usable(info, clock.instant())) {
      throw new AuthenticationException("token for a revoked or expired API key " + id);
    }
    return info.principal();
  }

  private void touch(Entry e, Instant now) {
    Instant last = e.info().lastUsedAt();
    if (last != null && Duration.between(last, now).compareTo(LAST_USED_RESOLUTION) < 0) {
      return;
    }
    ApiKeyInfo updated = e.info().withLastUsedAt(now);
    // Only the thread that wins the swap records the time; others see it as fresh.
    if (entries.replace(updated.id(), e, new Entry(updated, e.hash()))) {
      background.execute(() -> recordLastUse(updated.id(), now));
    }
  }

  /** Best effort: a lost last-use time is not worth failing a request for. */
  private void recordLastUse(String id, Instant when) {
    try {
      db.writeAll(
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement("UPDATE api_keys SET last_used_at = ? WHERE id = ?")) {
              ps.setString(1, when.toString());
              ps.setString(2, id);
              ps.executeUpdate();
            }
          });
    } catch (RuntimeException e) {
      log.warn("could not record the last use of API key {}: {}", id, e.toString());
    }
  }

  private static boolean usable(ApiKeyInfo i, Instant now) {
    return i.revokedAt() == null && (i.expiresAt() == null || now.isBefore(i.expiresAt()));
  }

  private byte[] hash(String key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(hmacKey);
      return mac.doFinal(key.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private void load() {
    Map<String, Set<String>> grants = new HashMap<>();
    Map<String, Set<String>> namespaceGrants = new HashMap<>();
    db.readAll(
        c -> {
          readGrants(c, "SELECT key_id, model_name FROM api_key_grants", grants);
          readGrants(c, "SELECT key_id, namespace FROM api_key_namespace_grants", namespaceGrants);
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT id, name, role, key_hash, created_at, created_by, expires_at,"
                          + " revoked_at, last_used_at, tenant, actions FROM api_keys");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              String id = rs.getString(1);
              NewApiKey scope =
                  new NewApiKey(
                      rs.getString(2),
                      parse(id, rs.getString(3), Role::fromWireName),
                      rs.getString(10),
                      grants.getOrDefault(id, Set.of()),
                      namespaceGrants.getOrDefault(id, Set.of()),
                      parse(id, rs.getString(11), PolicyAction::fromWireName),
                      instant(rs.getString(7)));
              ApiKeyInfo info =
                  new ApiKeyInfo(
                      id,
                      scope,
                      Instant.parse(rs.getString(5)),
                      rs.getString(6),
                      instant(rs.getString(8)),
                      instant(rs.getString(9)));
              entries.put(id, new Entry(info, rs.getBytes(4)));
            }
          }
        });
  }

  private static void readGrants(java.sql.Connection c, String query, Map<String, Set<String>> into)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(query);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        into.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
      }
    }
  }

  /** A comma-separated list of names as stored; an unknown name is corruption, not a default. */
  private static <T> Set<T> parse(
      String id, String joined, java.util.function.Function<String, Optional<T>> byName)
      throws SQLException {
    Set<T> out = new HashSet<>();
    if (joined.isEmpty()) {
      return out;
    }
    for (String name : joined.split(",", -1)) {
      out.add(
          byName
              .apply(name)
              .orElseThrow(() -> new SQLException("unknown name in api_keys row " + id)));
    }
    return out;
  }

  private static @Nullable Instant instant(@Nullable String s) {
    return s == null ? null : Instant.parse(s);
  }

  /** Reads the secret of an issued key as text, for printing it once to its owner. */
  public static String reveal(IssuedApiKey issued, InsecureSecretAccess access) {
    return new String(issued.secret().toByteArray(access), StandardCharsets.US_ASCII);
  }
}
