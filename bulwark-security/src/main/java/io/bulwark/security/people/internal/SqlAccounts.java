package io.bulwark.security.people.internal;

import io.bulwark.core.ConflictException;
import io.bulwark.core.InsecureSecretAccess;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.NotFoundException;
import io.bulwark.core.SecretBytes;
import io.bulwark.security.AuthenticationException;
import io.bulwark.security.people.AccountInfo;
import io.bulwark.security.people.AccountPrincipal;
import io.bulwark.security.people.Accounts;
import io.bulwark.security.people.CsrfException;
import io.bulwark.security.people.LoginFailedException;
import io.bulwark.security.people.NewAccount;
import io.bulwark.security.people.PeopleConfig;
import io.bulwark.security.people.SecretSealer;
import io.bulwark.security.people.Session;
import io.bulwark.security.people.TotpEnrolment;
import io.bulwark.storage.Database;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * {@link Accounts} in the SQLite database ({@code people_*} tables of migration V5). Nothing is
 * cached: every check reads the database, so revocation and disabling act at once on every thread.
 */
public final class SqlAccounts implements Accounts {
  static final int TOKEN_BYTES = 32;
  static final int TOKEN_CHARS = 43;
  static final int MAX_ADDRESS_CHARS = 64;
  private static final Duration LAST_SEEN_RESOLUTION = Duration.ofMinutes(1);
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private final Database db;
  private final PeopleConfig config;
  private final SecretSealer sealer;
  private final Clock clock;
  private final Argon2idPasswordHasher hasher;
  private final LoginThrottle throttle;
  private final SecretKeySpec tokenKey;
  private final SecretKeySpec csrfKey;
  private final SecureRandom random = new SecureRandom();

  /** Verified instead of a real hash when the user is unknown, so that timing is the same. */
  private final String dummyHash;

  private SqlAccounts(
      Database db, PeopleConfig config, SecretSealer sealer, byte[] serverSecret, Clock clock) {
    this.db = db;
    this.config = config;
    this.sealer = sealer;
    this.clock = clock;
    this.hasher = new Argon2idPasswordHasher(config.passwordCost(), config.maxConcurrentHashes());
    this.throttle =
        new LoginThrottle(
            config.throttleEntries(),
            config.freeFailures(),
            config.firstBackoff(),
            config.maxBackoff());
    // Separate keys per purpose, so that a CSRF token is never also a valid token hash.
    this.tokenKey =
        new SecretKeySpec(hmac(serverSecret, "bulwark people session token v1"), "HmacSHA256");
    this.csrfKey = new SecretKeySpec(hmac(serverSecret, "bulwark people csrf v1"), "HmacSHA256");
    byte[] pw = new byte[24];
    random.nextBytes(pw);
    this.dummyHash = hasher.hash(HexFormat.of().formatHex(pw));
  }

  /** See {@link Accounts#open}. */
  public static SqlAccounts open(
      Database db,
      PeopleConfig config,
      SecretSealer sealer,
      SecretBytes serverSecret,
      Clock clock) {
    if (serverSecret.size() < 32) {
      throw new IllegalArgumentException("the server secret must hold at least 32 bytes");
    }
    byte[] secret = serverSecret.toByteArray(InsecureSecretAccess.get());
    try {
      return new SqlAccounts(db, config, sealer, secret, clock);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /** The row of an account, including its credentials. */
  // Private, never compared: the sealed bytes are only passed on to the sealer.
  @SuppressWarnings("ArrayRecordComponent")
  private record Row(
      String id,
      String username,
      String tenant,
      Set<String> roles,
      @Nullable String passwordHash,
      byte @Nullable [] totpSealed,
      boolean totpConfirmed,
      long totpLastStep,
      Instant createdAt,
      String createdBy,
      @Nullable Instant disabledAt) {
    AccountInfo info() {
      return new AccountInfo(
          id,
          username,
          tenant,
          roles,
          createdAt,
          createdBy,
          passwordHash != null,
          totpConfirmed,
          disabledAt);
    }
  }

  private static final String ROW_COLUMNS =
      "id, username, tenant, password_hash, totp_sealed, totp_confirmed_at, totp_last_step,"
          + " created_at, created_by, disabled_at";

  @Override
  public AccountInfo create(NewAccount request, String actor) {
    Instant now = clock.instant();
    byte[] idBytes = new byte[8];
    random.nextBytes(idBytes);
    String id = HexFormat.of().formatHex(idBytes);
    db.writeAll(
        c -> {
          if (find(c, request.username()).isPresent()) {
            throw new ConflictException("username already taken");
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO people_accounts(id, username, tenant, created_at, created_by)"
                      + " VALUES (?,?,?,?,?)")) {
            ps.setString(1, id);
            ps.setString(2, request.username());
            ps.setString(3, request.tenant());
            ps.setString(4, now.toString());
            ps.setString(5, actor);
            ps.executeUpdate();
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO people_account_roles(account_id, role) VALUES (?,?)")) {
            for (String r : request.roles()) {
              ps.setString(1, id);
              ps.setString(2, r);
              ps.addBatch();
            }
            ps.executeBatch();
          }
        });
    return new AccountInfo(
        id, request.username(), request.tenant(), request.roles(), now, actor, false, false, null);
  }

  @Override
  public void setPassword(String username, String password, String actor) {
    NewAccount.checkUsername(username);
    PasswordPolicy.check(username, password);
    String encoded = hasher.hash(password);
    Instant now = clock.instant();
    db.writeAll(
        c -> {
          Row row = require(c, username);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE people_accounts SET password_hash = ?, password_changed_at = ?"
                      + " WHERE id = ?")) {
            ps.setString(1, encoded);
            ps.setString(2, now.toString());
            ps.setString(3, row.id());
            ps.executeUpdate();
          }
          revokeAll(c, row.id(), now);
        });
  }

  @Override
  public TotpEnrolment enrolTotp(String username, String actor) {
    NewAccount.checkUsername(username);
    byte[] secret = new byte[Totp.SECRET_BYTES];
    random.nextBytes(secret);
    try {
      Row row = db.read(c -> require(c, username));
      if (row.totpConfirmed()) {
        throw new ConflictException("a second factor is already enrolled; reset it first");
      }
      // Sealed outside the write transaction: the sealer may call a remote KMS.
      byte[] sealed = sealer.seal(secret, totpAad(row.id()));
      boolean stored =
          db.write(
              c -> {
                try (PreparedStatement ps =
                    c.prepareStatement(
                        "UPDATE people_accounts SET totp_sealed = ?, totp_confirmed_at = NULL,"
                            + " totp_last_step = -1 WHERE id = ? AND totp_confirmed_at IS NULL")) {
                  ps.setBytes(1, sealed);
                  ps.setString(2, row.id());
                  return ps.executeUpdate() == 1;
                }
              });
      if (!stored) {
        throw new ConflictException("a second factor is already enrolled; reset it first");
      }
      return new TotpEnrolment(
          SecretBytes.copyOf(secret), Totp.base32(secret), Totp.otpauthUri(username, secret));
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  @Override
  public void confirmTotp(String username, String code, Instant now)
      throws GeneralSecurityException {
    NewAccount.checkUsername(username);
    Row row = db.read(c -> require(c, username));
    byte[] sealedSecret = row.totpSealed();
    if (sealedSecret == null || row.totpConfirmed()) {
      throw new GeneralSecurityException("no pending enrolment");
    }
    long step = checkCode(row, sealedSecret, code, now);
    boolean updated =
        db.write(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "UPDATE people_accounts SET totp_confirmed_at = ?, totp_last_step = ?"
                          + " WHERE id = ? AND totp_confirmed_at IS NULL AND totp_last_step < ?"
                          + " AND totp_sealed = ?")) {
                ps.setString(1, now.toString());
                ps.setLong(2, step);
                ps.setString(3, row.id());
                ps.setLong(4, step);
                ps.setBytes(5, sealedSecret);
                return ps.executeUpdate() == 1;
              }
            });
    if (!updated) {
      throw new GeneralSecurityException("enrolment changed concurrently or code already used");
    }
  }

  @Override
  public void resetTotp(String username, String actor) {
    NewAccount.checkUsername(username);
    Instant now = clock.instant();
    db.writeAll(
        c -> {
          Row row = require(c, username);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE people_accounts SET totp_sealed = NULL, totp_confirmed_at = NULL,"
                      + " totp_last_step = -1 WHERE id = ?")) {
            ps.setString(1, row.id());
            ps.executeUpdate();
          }
          revokeAll(c, row.id(), now);
        });
  }

  @Override
  public AccountInfo disable(String username, String actor) {
    NewAccount.checkUsername(username);
    Instant now = clock.instant();
    return db.write(
        c -> {
          Row row = require(c, username);
          if (row.disabledAt() != null) {
            return row.info();
          }
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE people_accounts SET disabled_at = ? WHERE id = ?")) {
            ps.setString(1, now.toString());
            ps.setString(2, row.id());
            ps.executeUpdate();
          }
          revokeAll(c, row.id(), now);
          return require(c, username).info();
        });
  }

  @Override
  public List<AccountInfo> list() {
    return db.read(
        c -> {
          Map<String, Set<String>> roles = new HashMap<>();
          try (PreparedStatement ps =
                  c.prepareStatement("SELECT account_id, role FROM people_account_roles");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              roles.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
            }
          }
          List<AccountInfo> out = new ArrayList<>();
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT " + ROW_COLUMNS + " FROM people_accounts ORDER BY username");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(row(rs, roles.getOrDefault(rs.getString(1), Set.of())).info());
            }
          }
          return Collections.unmodifiableList(out);
        });
  }

  @Override
  public Session login(
      String username,
      String password,
      @Nullable String totpCode,
      String clientAddress,
      Instant now)
      throws LoginFailedException {
    if (clientAddress.isEmpty() || clientAddress.length() > MAX_ADDRESS_CHARS) {
      throw new InvalidRequestException(
          "client address must be 1-" + MAX_ADDRESS_CHARS + " characters");
    }
    // Malformed names cannot exist; refusing them early reveals nothing. They still count against
    // the address, under one shared username key so that they cannot flood the throttle.
    boolean wellFormed = NewAccount.isValidUsername(username);
    String throttleName = wellFormed ? username : "\u0000malformed";
    // Counted as a failure until it succeeds, before any password work.
    throttle.attempt(throttleName, clientAddress, now);
    if (!wellFormed || password.length() > Argon2idPasswordHasher.MAX_PASSWORD_CHARS) {
      throw new LoginFailedException("malformed username or password");
    }
    Row row = db.read(c -> find(c, username)).orElse(null);
    String reason = check(row, password, totpCode, now);
    if (row == null || reason != null) {
      throw new LoginFailedException(reason == null ? "unknown username" : reason);
    }
    throttle.success(username, clientAddress);
    String stored = row.passwordHash();
    if (stored != null && hasher.needsRehash(stored)) {
      rehash(row, stored, password);
    }
    return open(row, clientAddress, now);
  }

  /** Returns why the login must fail, or null if it succeeds; records an accepted TOTP step. */
  private @Nullable String check(
      @Nullable Row row, String password, @Nullable String totpCode, Instant now) {
    String stored = row == null ? null : row.passwordHash();
    boolean passwordOk;
    try {
      hasher.verify(password, stored == null ? dummyHash : stored);
      passwordOk = stored != null;
    } catch (GeneralSecurityException e) {
      passwordOk = false;
    }
    if (row == null || !passwordOk) {
      return row == null ? "unknown username" : "wrong password or no password set";
    }
    if (row.disabledAt() != null) {
      return "account disabled";
    }
    boolean mandatory = row.roles().stream().anyMatch(config.secondFactorRoles()::contains);
    byte[] sealed = row.totpSealed();
    if (!row.totpConfirmed() || sealed == null) {
      return mandatory ? "second factor required but not enrolled" : null;
    }
    if (totpCode == null) {
      return "second factor code missing";
    }
    long step;
    try {
      step = checkCode(row, sealed, totpCode, now);
    } catch (GeneralSecurityException e) {
      return "wrong or replayed second factor code";
    }
    boolean consumed =
        db.write(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "UPDATE people_accounts SET totp_last_step = ?"
                          + " WHERE id = ? AND totp_last_step < ?")) {
                ps.setLong(1, step);
                ps.setString(2, row.id());
                ps.setLong(3, step);
                return ps.executeUpdate() == 1;
              }
            });
    return consumed ? null : "replayed second factor code";
  }

  private long checkCode(Row row, byte[] sealed, String code, Instant now)
      throws GeneralSecurityException {
    byte[] secret = sealer.open(sealed, totpAad(row.id()));
    try {
      return Totp.verify(secret, code, now, row.totpLastStep());
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /** Stores the password at the current cost; best effort, the login has already succeeded. */
  private void rehash(Row row, String stored, String password) {
    String fresh = hasher.hash(password);
    db.writeAll(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE people_accounts SET password_hash = ? WHERE id = ? AND password_hash = ?")) {
            ps.setString(1, fresh);
            ps.setString(2, row.id());
            ps.setString(3, stored);
            ps.executeUpdate();
          }
        });
  }

  private Session open(Row row, String clientAddress, Instant now) {
    byte[] tokenBytes = new byte[TOKEN_BYTES];
    random.nextBytes(tokenBytes);
    String token = B64URL.encodeToString(tokenBytes);
    Arrays.fill(tokenBytes, (byte) 0);
    byte[] idBytes = new byte[16];
    random.nextBytes(idBytes);
    String id = HexFormat.of().formatHex(idBytes);
    Instant expires = now.plus(config.sessionLifetime());
    db.writeAll(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO people_sessions(id, account_id, token_hash, created_at, expires_at,"
                      + " last_seen_at, client_address) VALUES (?,?,?,?,?,?,?)")) {
            ps.setString(1, id);
            ps.setString(2, row.id());
            ps.setBytes(3, tokenHash(token));
            ps.setString(4, now.toString());
            ps.setString(5, expires.toString());
            ps.setString(6, now.toString());
            ps.setString(7, clientAddress);
            ps.executeUpdate();
          }
        });
    AccountPrincipal principal =
        new AccountPrincipal(row.id(), row.username(), row.tenant(), row.roles(), id);
    return new Session(id, principal, now, expires, token, csrfToken(id));
  }

  @Override
  public AccountPrincipal authenticate(String cookieValue, Instant now)
      throws AuthenticationException {
    if (!wellFormedToken(cookieValue)) {
      throw new AuthenticationException("malformed session cookie");
    }
    byte[] hash = tokenHash(cookieValue);
    @SuppressWarnings("ArrayRecordComponent") // local, compared with MessageDigest.isEqual only
    record Found(
        String id,
        String accountId,
        byte[] hash,
        Instant expiresAt,
        Instant lastSeenAt,
        boolean revoked,
        boolean disabled) {}
    Optional<Found> found =
        db.read(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT s.id, s.account_id, s.token_hash, s.expires_at, s.last_seen_at,"
                          + " s.revoked_at, a.disabled_at FROM people_sessions s"
                          + " JOIN people_accounts a ON a.id = s.account_id"
                          + " WHERE s.token_hash = ?")) {
                ps.setBytes(1, hash);
                try (ResultSet rs = ps.executeQuery()) {
                  if (!rs.next()) {
                    return Optional.empty();
                  }
                  return Optional.of(
                      new Found(
                          rs.getString(1),
                          rs.getString(2),
                          rs.getBytes(3),
                          Instant.parse(rs.getString(4)),
                          Instant.parse(rs.getString(5)),
                          rs.getString(6) != null,
                          rs.getString(7) != null));
                }
              }
            });
    if (found.isEmpty() || !MessageDigest.isEqual(found.get().hash(), hash)) {
      throw new AuthenticationException("unknown session");
    }
    Found f = found.get();
    if (f.revoked()) {
      throw new AuthenticationException("revoked session " + f.id());
    }
    if (f.disabled()) {
      throw new AuthenticationException("session " + f.id() + " of a disabled account");
    }
    if (!now.isBefore(f.expiresAt())) {
      throw new AuthenticationException("expired session " + f.id());
    }
    if (!now.isBefore(f.lastSeenAt().plus(config.sessionIdleTimeout()))) {
      throw new AuthenticationException("idle session " + f.id());
    }
    Row row =
        db.read(c -> findById(c, f.accountId()))
            .orElseThrow(() -> new AuthenticationException("session without account"));
    if (Duration.between(f.lastSeenAt(), now).compareTo(LAST_SEEN_RESOLUTION) >= 0) {
      db.writeAll(
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "UPDATE people_sessions SET last_seen_at = ? WHERE id = ?"
                        + " AND revoked_at IS NULL")) {
              ps.setString(1, now.toString());
              ps.setString(2, f.id());
              ps.executeUpdate();
            }
          });
    }
    return new AccountPrincipal(row.id(), row.username(), row.tenant(), row.roles(), f.id());
  }

  @Override
  public String csrfToken(String sessionId) {
    return B64URL.encodeToString(mac(csrfKey, "csrf:" + sessionId));
  }

  @Override
  public void checkCsrf(AccountPrincipal principal, @Nullable String headerValue)
      throws CsrfException {
    checkCsrf(principal.sessionId(), headerValue);
  }

  @Override
  public void checkCsrf(Session session, @Nullable String headerValue) throws CsrfException {
    checkCsrf(session.id(), headerValue);
  }

  private void checkCsrf(String sessionId, @Nullable String headerValue) throws CsrfException {
    if (headerValue == null || headerValue.length() != TOKEN_CHARS) {
      throw new CsrfException();
    }
    byte[] expected = csrfToken(sessionId).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, headerValue.getBytes(StandardCharsets.UTF_8))) {
      throw new CsrfException();
    }
  }

  @Override
  public void revokeSession(String sessionId) {
    Instant now = clock.instant();
    db.writeAll(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE people_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
            ps.setString(1, now.toString());
            ps.setString(2, sessionId);
            ps.executeUpdate();
          }
        });
  }

  @Override
  public int purgeSessions(Instant now) {
    return db.write(
        c -> {
          List<String> ended = new ArrayList<>();
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT id, expires_at, last_seen_at, revoked_at FROM people_sessions");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              Instant expires = Instant.parse(rs.getString(2));
              Instant idleEnd = Instant.parse(rs.getString(3)).plus(config.sessionIdleTimeout());
              if (rs.getString(4) != null || !now.isBefore(expires) || !now.isBefore(idleEnd)) {
                ended.add(rs.getString(1));
              }
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM people_sessions WHERE id = ?")) {
            for (String id : ended) {
              ps.setString(1, id);
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return ended.size();
        });
  }

  private static boolean wellFormedToken(String v) {
    if (v.length() != TOKEN_CHARS) {
      return false;
    }
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      boolean ok =
          (ch >= 'A' && ch <= 'Z')
              || (ch >= 'a' && ch <= 'z')
              || (ch >= '0' && ch <= '9')
              || ch == '-'
              || ch == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private byte[] tokenHash(String token) {
    return mac(tokenKey, token);
  }

  private static byte[] totpAad(String accountId) {
    return ("bulwark people totp v1:" + accountId).getBytes(StandardCharsets.UTF_8);
  }

  private static void revokeAll(Connection c, String accountId, Instant now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE people_sessions SET revoked_at = ? WHERE account_id = ?"
                + " AND revoked_at IS NULL")) {
      ps.setString(1, now.toString());
      ps.setString(2, accountId);
      ps.executeUpdate();
    }
  }

  private static Row require(Connection c, String username) throws SQLException {
    return find(c, username).orElseThrow(() -> new NotFoundException("account", username));
  }

  private static Optional<Row> find(Connection c, String username) throws SQLException {
    return findWhere(c, "username", username);
  }

  private static Optional<Row> findById(Connection c, String id) throws SQLException {
    return findWhere(c, "id", id);
  }

  private static Optional<Row> findWhere(Connection c, String column, String value)
      throws SQLException {
    String sql = "SELECT " + ROW_COLUMNS + " FROM people_accounts WHERE " + column + " = ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, value);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        String id = rs.getString(1);
        return Optional.of(row(rs, roles(c, id)));
      }
    }
  }

  private static Set<String> roles(Connection c, String accountId) throws SQLException {
    Set<String> roles = new HashSet<>();
    try (PreparedStatement ps =
        c.prepareStatement("SELECT role FROM people_account_roles WHERE account_id = ?")) {
      ps.setString(1, accountId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          roles.add(rs.getString(1));
        }
      }
    }
    return roles;
  }

  private static Row row(ResultSet rs, Set<String> roles) throws SQLException {
    String disabled = rs.getString(10);
    return new Row(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        roles,
        rs.getString(4),
        rs.getBytes(5),
        rs.getString(6) != null,
        rs.getLong(7),
        Instant.parse(rs.getString(8)),
        rs.getString(9),
        disabled == null ? null : Instant.parse(disabled));
  }

  private static byte[] hmac(byte[] key, String message) {
    return mac(new SecretKeySpec(key, "HmacSHA256"), message);
  }

  private static byte[] mac(SecretKeySpec key, String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
