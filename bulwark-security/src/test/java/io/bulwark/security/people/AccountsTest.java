package io.bulwark.security.people;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.ConflictException;
import io.bulwark.core.InsecureSecretAccess;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.NotFoundException;
import io.bulwark.core.SecretBytes;
import io.bulwark.security.AuthenticationException;
import io.bulwark.storage.Database;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccountsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");
  private static final String PASSWORD = "tangerine-lighthouse-42";
  private static final String ADDRESS = "192.0.2.10";
  private static final Argon2Cost CHEAP = new Argon2Cost(256, 1, 1);

  @TempDir Path dir;
  private Database db;
  private TinkSecretSealer sealer;
  private Accounts accounts;

  @BeforeEach
  void setUp() throws Exception {
    db = Database.open(dir);
    sealer = new TinkSecretSealer();
    accounts = open(PeopleConfig.builder().passwordCost(CHEAP).build());
  }

  private Accounts open(PeopleConfig config) {
    byte[] secret = new byte[32];
    Arrays.fill(secret, (byte) 7);
    return Accounts.open(
        db, config, sealer, SecretBytes.copyOf(secret), Clock.fixed(T0, ZoneOffset.UTC));
  }

  private void person(String username, String... roles) {
    accounts.create(new NewAccount(username, "acme", Set.of(roles)), "root");
    accounts.setPassword(username, PASSWORD, "root");
  }

  /** RFC 6238 with HMAC-SHA1 and 6 digits, written independently of the code under test. */
  private static String totp(byte[] secret, Instant t) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(secret, "HmacSHA1"));
    byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(t.getEpochSecond() / 30).array());
    int o = h[19] & 0xf;
    int v = ByteBuffer.wrap(h, o, 4).getInt() & 0x7fffffff;
    return String.format("%06d", v % 1_000_000);
  }

  private byte[] enrol(String username, Instant t) throws GeneralSecurityException {
    TotpEnrolment e = accounts.enrolTotp(username, "root");
    byte[] secret = e.secret().toByteArray(InsecureSecretAccess.get());
    accounts.confirmTotp(username, totp(secret, t), t);
    return secret;
  }

  private static String cookieValue(Session s) {
    String header = s.setCookieHeader();
    return header.substring(Session.COOKIE_NAME.length() + 1, header.indexOf(';'));
  }

  // ---- login: the defender's side

  @Test
  void login_correctPassword_sessionAuthenticatesAsAccount() throws Exception {
    person("alice", "analyst");
    Session s = accounts.login("alice", PASSWORD, null, ADDRESS, T0);
    AccountPrincipal p = accounts.authenticate(cookieValue(s), T0.plusSeconds(5));
    assertThat(p.username()).isEqualTo("alice");
    assertThat(p.tenant()).isEqualTo("acme");
    assertThat(p.roles()).containsExactly("analyst");
    assertThat(p.sessionId()).isEqualTo(s.id());
    assertThat(s.toString()).doesNotContain(cookieValue(s));
  }

  @Test
  void setCookieHeader_hostPrefixedStrictCookie_exactAttributes() throws Exception {
    person("alice");
    Session s = accounts.login("alice", PASSWORD, null, ADDRESS, T0);
    assertThat(s.setCookieHeader())
        .matches(
            "__Host-bulwark_session=[A-Za-z0-9_-]{43}; Path=/; Secure; HttpOnly; SameSite=Strict;"
                + " Max-Age=28800");
    assertThat(Session.clearCookieHeader())
        .isEqualTo("__Host-bulwark_session=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
    assertThat(s.expiresAt()).isEqualTo(T0.plus(Duration.ofHours(8)));
  }

  // ---- login: the attacker's side

  @Test
  void login_wrongPasswordOrUnknownUser_sameExceptionAndMessage() throws Exception {
    person("alice");
    LoginFailedException wrong = catchLogin("alice", "not-the-password-at-all", null);
    LoginFailedException unknown = catchLogin("mallory", PASSWORD, null);
    accounts.create(new NewAccount("bob", "acme", Set.of()), "root");
    LoginFailedException noPassword = catchLogin("bob", PASSWORD, null);
    for (LoginFailedException e : new LoginFailedException[] {wrong, unknown, noPassword}) {
      assertThat(e.getClass()).isEqualTo(LoginFailedException.class);
      assertThat(e.getMessage()).isEqualTo("login failed");
    }
    assertThat(unknown.reason()).isNotEqualTo(wrong.reason());
  }

  private LoginFailedException catchLogin(String user, String password, String code) {
    try {
      accounts.login(user, password, code, ADDRESS, T0);
    } catch (LoginFailedException e) {
      return e;
    }
    throw new AssertionError("login succeeded");
  }

  @Test
  void login_malformedInputs_genericFailure() {
    for (String user :
        new String[] {"", "ab", "Alice", "a".repeat(65), "al ice", "x".repeat(100_000)}) {
      assertThatThrownBy(() -> accounts.login(user, PASSWORD, null, ADDRESS, T0))
          .as(user.length() > 80 ? "long" : user)
          .isExactlyInstanceOf(LoginFailedException.class)
          .hasMessage("login failed");
    }
    assertThatThrownBy(() -> accounts.login("alice", "p".repeat(2_000), null, "192.0.2.99", T0))
        .isExactlyInstanceOf(LoginFailedException.class);
  }

  @Test
  void login_clientAddressLimit_justInsideAcceptedJustOutsideRefused() throws Exception {
    person("alice");
    accounts.login("alice", PASSWORD, null, "a".repeat(64), T0);
    assertThatThrownBy(() -> accounts.login("alice", PASSWORD, null, "a".repeat(65), T0))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> accounts.login("alice", PASSWORD, null, "", T0))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void login_disabledAccount_refusedAndSessionsEnded() throws Exception {
    person("alice");
    Session s = accounts.login("alice", PASSWORD, null, ADDRESS, T0);
    accounts.disable("alice", "root");
    assertThatThrownBy(() -> accounts.login("alice", PASSWORD, null, ADDRESS, T0))
        .isExactlyInstanceOf(LoginFailedException.class)
        .hasMessage("login failed");
    assertThatThrownBy(() -> accounts.authenticate(cookieValue(s), T0))
        .isInstanceOf(AuthenticationException.class);
    assertThat(accounts.list()).singleElement().satisfies(a -> assertThat(a.disabled()).isTrue());
  }

  // ---- second factor

  @Test
  void login_adminWithoutTotp_refusedEvenWithRightPassword() {
    person("root-admin", "admin");
    person("officer", "security-officer");
    assertThatThrownBy(() -> accounts.login("root-admin", PASSWORD, "123456", ADDRESS, T0))
        .isExactlyInstanceOf(LoginFailedException.class)
        .hasMessage("login failed");
    assertThatThrownBy(() -> accounts.login("officer", PASSWORD, null, ADDRESS, T0))
        .isExactlyInstanceOf(LoginFailedException.class);
  }

  @Test
  void login_adminPendingEnrolment_refusedUntilConfirmed() throws Exception {
    person("root-admin", "admin");
    byte[] secret =
        accounts.enrolTotp("root-admin", "root").secret().toByteArray(InsecureSecretAccess.get());
    assertThatThrownBy(() -> accounts.login("root-admin", PASSWORD, totp(secret, T0), ADDRESS, T0))
        .isExactlyInstanceOf(LoginFailedException.class);
    accounts.confirmTotp("root-admin", totp(secret, T0.plusSeconds(30)), T0.plusSeconds(30));
    Instant later = T0.plusSeconds(120);
    accounts.login("root-admin", PASSWORD, totp(secret, later), ADDRESS, later);
    assertThat(accounts.list().get(0).totpEnrolled()).isTrue();
  }

  @Test
  void login_secondFactorRolesConfigurable_customRoleNeedsTotp() {
    accounts =
        open(
            PeopleConfig.builder()
                .passwordCost(CHEAP)
                .secondFactorRoles(Set.of("auditor"))
                .build());
    person("carol", "auditor");
    person("dave", "admin");
    assertThatThrownBy(() -> accounts.login("carol", PASSWORD, null, ADDRESS, T0))
        .isExactlyInstanceOf(LoginFailedException.class);
    assertThatCode(() -> accounts.login("dave", PASSWORD, null, ADDRESS, T0))
        .doesNotThrowAnyException();
  }

  @Test
  void login_wrongOrMissingTotp_refused() throws Exception {
    person("root-admin", "admin");
    byte[] secret = enrol("root-admin", T0);
    Instant t = T0.plusSeconds(300);
    String right = totp(secret, t);
    String wrong = String.format("%06d", (Integer.parseInt(right) + 1) % 1_000_000);
    assertThatThrownBy(() -> accounts.login("root-admin", PASSWORD, wrong, ADDRESS, t))
        .isExactlyInstanceOf(LoginFailedException.class)
        .hasMessage("login failed");
    assertThatThrownBy(() -> accounts.login("root-admin", PASSWORD, null, ADDRESS, t))
        .isExactlyInstanceOf(LoginFailedException.class);
    assertThatThrownBy(() -> accounts.login("root-admin", PASSWORD, right + "0", ADDRESS, t))
        .isExactlyInstanceOf(LoginFailedException.class);
    // A right code with a wrong password does not get in either.
    assertThatThrownBy(() -> accounts.login("root-admin", "wrong-password-123", right, ADDRESS, t))
        .isExactlyInstanceOf(LoginFailedException.class);
    accounts.login("root-admin", PASSWORD, right, ADDRESS, t);
  }

  @Test
  void login_replayedTotp_refused() throws Exception {
    person("root-admin", "admin");
    byte[] secret = enrol("root-admin", T0);
    Instant t = T0.plusSeconds(300);
    String code = totp(secret, t);
    accounts.login("root-admin", PASSWORD, code, ADDRESS, t);
    assertThatThrownBy(
            () -> accounts.login("root-admin", PASSWORD, code, "198.51.100.2", t.plusSeconds(10)))
        .isExactlyInstanceOf(LoginFailedException.class)
        .hasMessage("login failed")
        .satisfies(e -> assertThat(((LoginFailedException) e).reason()).contains("replayed"));
  }

  @Test
  void confirmTotp_confirmationCode_cannotBeReusedToLogIn() throws Exception {
    person("root-admin", "admin");
    TotpEnrolment e = accounts.enrolTotp("root-admin", "root");
    byte[] secret = e.secret().toByteArray(InsecureSecretAccess.get());
    String code = totp(secret, T0);
    accounts.confirmTotp("root-admin", code, T0);
    assertThatThrownBy(() -> accounts.login("root-admin", PASSWORD, code, ADDRESS, T0))
        .isExactlyInstanceOf(LoginFailedException.class);
  }

  @Test
  void confirmTotp_wrongCode_throwsAndStaysUnconfirmed() throws Exception {
    person("root-admin", "admin");
    byte[] secret =
        accounts.enrolTotp("root-admin", "root").secret().toByteArray(InsecureSecretAccess.get());
    String right = totp(secret, T0);
    String wrong = String.format("%06d", (Integer.parseInt(right) + 1) % 1_000_000);
    assertThatThrownBy(() -> accounts.confirmTotp("root-admin", wrong, T0))
        .isInstanceOf(GeneralSecurityException.class);
    assertThat(accounts.list().get(0).totpEnrolled()).isFalse();
  }

  @Test
  void enrolTotp_whenConfirmed_conflictUntilReset() throws Exception {
    person("root-admin", "admin");
    enrol("root-admin", T0);
    assertThatThrownBy(() -> accounts.enrolTotp("root-admin", "root"))
        .isInstanceOf(ConflictException.class);
    accounts.resetTotp("root-admin", "root");
    assertThat(accounts.list().get(0).totpEnrolled()).isFalse();
    assertThatThrownBy(() -> accounts.login("root-admin", PASSWORD, null, ADDRESS, T0))
        .isExactlyInstanceOf(LoginFailedException.class);
  }

  @Test
  void enrolTotp_secretAndUri_shownWithBase32() {
    person("alice");
    TotpEnrolment e = accounts.enrolTotp("alice", "root");
    assertThat(e.secret().size()).isEqualTo(20);
    String b32 = e.base32(InsecureSecretAccess.get());
    assertThat(b32).matches("[A-Z2-7]{32}");
    assertThat(e.otpauthUri(InsecureSecretAccess.get()))
        .startsWith("otpauth://totp/Bulwark:alice?secret=" + b32 + "&issuer=Bulwark");
    assertThat(e.toString()).doesNotContain(b32);
  }

  @Test
  void enrolTotp_databaseHoldsNoClearSecretNorPassword() throws Exception {
    person("alice");
    byte[] secret = enrol("alice", T0);
    Path wal = dir.resolve(Database.FILE_NAME + "-wal");
    byte[] file = Files.readAllBytes(dir.resolve(Database.FILE_NAME));
    byte[] log = Files.exists(wal) ? Files.readAllBytes(wal) : new byte[0];
    for (byte[] haystack : new byte[][] {file, log}) {
      assertThat(indexOf(haystack, secret)).isEqualTo(-1);
      assertThat(indexOf(haystack, PASSWORD.getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
    }
  }

  @Test
  void login_sealedSecretCopiedToAnotherAccount_refused() throws Exception {
    person("root-admin", "admin");
    person("other-admin", "admin");
    byte[] secret = enrol("root-admin", T0);
    enrol("other-admin", T0);
    // An insider copies the first admin's sealed secret onto the second account.
    db.writeAll(
        c -> {
          byte[] sealed;
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT totp_sealed FROM people_accounts WHERE username = 'root-admin'");
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            sealed = rs.getBytes(1);
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE people_accounts SET totp_sealed = ? WHERE username = 'other-admin'")) {
            ps.setBytes(1, sealed);
            ps.executeUpdate();
          }
        });
    Instant t = T0.plusSeconds(600);
    assertThatThrownBy(() -> accounts.login("other-admin", PASSWORD, totp(secret, t), ADDRESS, t))
        .isExactlyInstanceOf(LoginFailedException.class);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  // ---- throttling

  @Test
  void login_repeatedFailures_throttledBeforePasswordWorkWithRetryAfter() throws Exception {
    person("alice");
    for (int i = 0; i < 6; i++) {
      assertThatThrownBy(() -> accounts.login("alice", "wrong-password-123", null, ADDRESS, T0))
          .isExactlyInstanceOf(LoginFailedException.class);
    }
    // Even the right password is refused while waiting, from any address.
    assertThatThrownBy(() -> accounts.login("alice", PASSWORD, null, "198.51.100.77", T0))
        .isInstanceOfSatisfying(
            LoginThrottledException.class, e -> assertThat(e.retryAfterSeconds()).isEqualTo(1));
    accounts.login("alice", PASSWORD, null, ADDRESS, T0.plusSeconds(1));
    // Success reset the count: five more free failures.
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(
              () -> accounts.login("alice", "wrong-password-123", null, ADDRESS, T0.plusSeconds(2)))
          .isExactlyInstanceOf(LoginFailedException.class);
    }
  }

  @Test
  void login_unknownUsername_throttledExactlyLikeKnownOne() {
    for (int i = 0; i < 6; i++) {
      assertThatThrownBy(
              () -> accounts.login("ghost", "wrong-password-123", null, "198.51.100.1", T0))
          .isExactlyInstanceOf(LoginFailedException.class);
    }
    assertThatThrownBy(
            () -> accounts.login("ghost", "wrong-password-123", null, "198.51.100.2", T0))
        .isInstanceOf(LoginThrottledException.class);
  }

  // ---- sessions

  @Test
  void authenticate_afterAbsoluteLifetime_refused() throws Exception {
    person("alice");
    Session s = accounts.login("alice", PASSWORD, null, ADDRESS, T0);
    String cookie = cookieValue(s);
    // Active every 20 minutes, so never idle; the absolute limit still ends it.
    Instant t = T0;
    for (int i = 0; i < 23; i++) {
      t = t.plus(Duration.ofMinutes(20));
      accounts.authenticate(cookie, t);
    }
    Instant end = T0.plus(Duration.ofHours(8));
    accounts.authenticate(cookie, end.minusSeconds(1));
    assertThatThrownBy(() -> accounts.authenticate(cookie, end))
        .isInstanceOf(AuthenticationException.class)
        .hasMessage("invalid or missing credentials");
  }

  @Test
  void authenticate_idleTooLong_refused() throws Exception {
    person("alice");
    String cookie = cookieValue(accounts.login("alice", PASSWORD, null, ADDRESS, T0));
    accounts.authenticate(cookie, T0.plus(Duration.ofMinutes(29)));
    // The use at 29 minutes restarted the idle clock.
    accounts.authenticate(cookie, T0.plus(Duration.ofMinutes(58)));
    assertThatThrownBy(() -> accounts.authenticate(cookie, T0.plus(Duration.ofMinutes(88))))
        .isInstanceOfSatisfying(
            AuthenticationException.class, e -> assertThat(e.reason()).startsWith("idle"));
  }

  @Test
  void authenticate_revokedOrPasswordChanged_refused() throws Exception {
    person("alice");
    Session a = accounts.login("alice", PASSWORD, null, ADDRESS, T0);
    Session b = accounts.login("alice", PASSWORD, null, ADDRESS, T0);
    accounts.revokeSession(a.id());
    assertThatThrownBy(() -> accounts.authenticate(cookieValue(a), T0))
        .isInstanceOf(AuthenticationException.class);
    accounts.authenticate(cookieValue(b), T0);
    accounts.setPassword("alice", "a-brand-new-passphrase", "alice");
    assertThatThrownBy(() -> accounts.authenticate(cookieValue(b), T0))
        .isInstanceOf(AuthenticationException.class);
  }

  @Test
  void authenticate_forgedOrMalformedCookie_refused() throws Exception {
    person("alice");
    String cookie = cookieValue(accounts.login("alice", PASSWORD, null, ADDRESS, T0));
    char last = cookie.charAt(42);
    String forged = cookie.substring(0, 42) + (last == 'A' ? 'Q' : 'A');
    for (String bad :
        new String[] {
          forged,
          cookie.substring(0, 42),
          cookie + "A",
          "",
          cookie.substring(0, 42) + "=",
          "x".repeat(100_000)
        }) {
      assertThatThrownBy(() -> accounts.authenticate(bad, T0))
          .isInstanceOf(AuthenticationException.class);
    }
  }

  @Test
  void sessions_storedOnlyAsKeyedHash() throws Exception {
    person("alice");
    String cookie = cookieValue(accounts.login("alice", PASSWORD, null, ADDRESS, T0));
    byte[] raw = java.util.Base64.getUrlDecoder().decode(cookie);
    db.readAll(
        c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT * FROM people_sessions");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                byte[] v = rs.getBytes(i);
                if (v != null) {
                  assertThat(indexOf(v, cookie.getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
                  assertThat(indexOf(v, raw)).isEqualTo(-1);
                }
              }
            }
          }
        });
  }

  @Test
  void purgeSessions_endedOnes_deleted() throws Exception {
    person("alice");
    Session a = accounts.login("alice", PASSWORD, null, ADDRESS, T0);
    accounts.login("alice", PASSWORD, null, ADDRESS, T0.plus(Duration.ofMinutes(20)));
    accounts.revokeSession(a.id());
    assertThat(accounts.purgeSessions(T0.plus(Duration.ofMinutes(21)))).isEqualTo(1);
    assertThat(accounts.purgeSessions(T0.plus(Duration.ofHours(9)))).isEqualTo(1);
  }

  // ---- CSRF

  @Test
  void checkCsrf_ownToken_passesOtherOrMissing_refused() throws Exception {
    person("alice");
    Session a = accounts.login("alice", PASSWORD, null, ADDRESS, T0);
    Session b = accounts.login("alice", PASSWORD, null, ADDRESS, T0);
    accounts.checkCsrf(a, a.csrfToken());
    AccountPrincipal p = accounts.authenticate(cookieValue(a), T0);
    accounts.checkCsrf(p, accounts.csrfToken(p.sessionId()));
    assertThat(a.csrfToken()).isNotEqualTo(b.csrfToken()).hasSize(43);
    String flipped = a.csrfToken().substring(0, 42) + (a.csrfToken().charAt(42) == 'A' ? 'Q' : 'A');
    for (String bad :
        new String[] {b.csrfToken(), flipped, "", a.csrfToken() + "A", cookieValue(a)}) {
      assertThatThrownBy(() -> accounts.checkCsrf(p, bad)).isInstanceOf(CsrfException.class);
    }
    assertThatThrownBy(() -> accounts.checkCsrf(a, null)).isInstanceOf(CsrfException.class);
  }

  // ---- administration

  @Test
  void create_duplicateUsername_conflict() {
    accounts.create(new NewAccount("alice", "acme", Set.of()), "root");
    assertThatThrownBy(() -> accounts.create(new NewAccount("alice", "other", Set.of()), "root"))
        .isInstanceOf(ConflictException.class);
  }

  @Test
  void newAccount_usernameLimits_justInsideAcceptedJustOutsideRefused() {
    new NewAccount("abc", "t", Set.of());
    new NewAccount("a".repeat(64), "t", Set.of());
    for (String bad : new String[] {"ab", "a".repeat(65), "Alice", "al ice", "al/ice", "äbc"}) {
      assertThatThrownBy(() -> new NewAccount(bad, "t", Set.of()))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageNotContaining(bad);
    }
  }

  @Test
  void setPassword_policyBroken_refusedAndUnknownAccount_notFound() {
    accounts.create(new NewAccount("alice.anderson", "acme", Set.of()), "root");
    assertThatThrownBy(() -> accounts.setPassword("alice.anderson", "short", "root"))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> accounts.setPassword("alice.anderson", "alice.anderson", "root"))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> accounts.setPassword("nobody", PASSWORD, "root"))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void login_storedHashWeakerThanConfig_rehashedOnSuccess() throws Exception {
    person("alice");
    Accounts stronger =
        open(PeopleConfig.builder().passwordCost(new Argon2Cost(512, 2, 1)).build());
    stronger.login("alice", PASSWORD, null, ADDRESS, T0);
    String stored =
        db.read(
            c -> {
              try (PreparedStatement ps =
                      c.prepareStatement("SELECT password_hash FROM people_accounts");
                  ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
              }
            });
    assertThat(stored).startsWith("$argon2id$v=19$m=512,t=2,p=1$");
    stronger.login("alice", PASSWORD, null, ADDRESS, T0);
  }

  @Test
  void list_accountsByUsername_withoutSecrets() {
    person("bob", "analyst");
    person("alice", "admin");
    assertThat(accounts.list()).extracting(AccountInfo::username).containsExactly("alice", "bob");
    assertThat(accounts.list().get(0).passwordSet()).isTrue();
    assertThat(accounts.list().get(0).toString()).doesNotContain("argon2");
  }
}
