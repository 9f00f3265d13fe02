package io.bulwark.security.people;

import io.bulwark.core.ConflictException;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.NotFoundException;
import io.bulwark.core.SecretBytes;
import io.bulwark.security.AuthenticationException;
import io.bulwark.security.people.internal.SqlAccounts;
import io.bulwark.storage.Database;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * People's accounts, logins and dashboard sessions.
 *
 * <p>Guarantees: passwords are stored only as Argon2id hashes; TOTP secrets only sealed by the
 * {@link SecretSealer}; session tokens only as keyed hashes. A login fails with the same {@link
 * LoginFailedException} message, and after the same Argon2id work, whether or not the username
 * exists. Accounts holding a role in {@link PeopleConfig#secondFactorRoles()} cannot log in until a
 * TOTP second factor is enrolled and confirmed; a TOTP time step is accepted at most once per
 * account. Repeated failures per username and per client address are refused with growing delays
 * before any password work. Disabling an account, setting its password or resetting its second
 * factor ends all of its sessions.
 */
public interface Accounts {
  /**
   * Opens the accounts stored in {@code db}.
   *
   * @param serverSecret at least 32 random bytes kept by the server; session-token hashes and CSRF
   *     tokens are keyed by it, so changing it ends every session
   * @param clock the time recorded by administrative operations
   */
  static Accounts open(
      Database db,
      PeopleConfig config,
      SecretSealer sealer,
      SecretBytes serverSecret,
      Clock clock) {
    return SqlAccounts.open(db, config, sealer, serverSecret, clock);
  }

  /**
   * Creates an account without a password (it cannot log in until {@link #setPassword}).
   *
   * @throws ConflictException if the username is taken
   */
  AccountInfo create(NewAccount request, String actor);

  /**
   * Sets the password after checking the password policy (12-256 characters after NFC
   * normalisation, not the username, not a very common password), and ends the account's sessions.
   *
   * @throws InvalidRequestException if the password breaks the policy
   * @throws NotFoundException if there is no such account
   */
  void setPassword(String username, String password, String actor);

  /**
   * Generates a TOTP secret for the account and returns it, the only time it leaves the server. The
   * second factor counts only after {@link #confirmTotp}; enrolling again before that replaces the
   * pending secret.
   *
   * @throws ConflictException if a confirmed second factor exists (call {@link #resetTotp} first)
   * @throws NotFoundException if there is no such account
   */
  TotpEnrolment enrolTotp(String username, String actor);

  /**
   * Confirms a pending enrolment with a code from the authenticator. The code's time step is
   * consumed: it cannot be used again to log in.
   *
   * @throws GeneralSecurityException if the code is wrong, replayed, or nothing is pending
   * @throws NotFoundException if there is no such account
   */
  void confirmTotp(String username, String code, Instant now) throws GeneralSecurityException;

  /** Removes the account's second factor and ends its sessions. */
  void resetTotp(String username, String actor);

  /** Disables the account and ends its sessions; idempotent. */
  AccountInfo disable(String username, String actor);

  /** Every account, by username. */
  List<AccountInfo> list();

  /**
   * Logs in and opens a session.
   *
   * @param totpCode the 6-digit code, required if the account has a second factor
   * @param clientAddress the client's network address as the server sees it (1-64 characters),
   *     throttled like the username
   * @throws LoginThrottledException if the username or address must wait; no password work is done
   * @throws LoginFailedException for every other reason, with the same message
   */
  Session login(
      String username,
      String password,
      @Nullable String totpCode,
      String clientAddress,
      Instant now)
      throws LoginFailedException;

  /**
   * Checks the value of the session cookie.
   *
   * @throws AuthenticationException if the value is malformed or the session unknown, revoked,
   *     expired, idle too long, or its account disabled
   */
  AccountPrincipal authenticate(String cookieValue, Instant now) throws AuthenticationException;

  /** The CSRF token of a session, for pages rendered after login. */
  String csrfToken(String sessionId);

  /**
   * Returns normally if {@code headerValue} is the CSRF token of the principal's session; compared
   * in constant time.
   *
   * @throws CsrfException if it is absent or different
   */
  void checkCsrf(AccountPrincipal principal, @Nullable String headerValue) throws CsrfException;

  /** Like {@link #checkCsrf(AccountPrincipal, String)} for the session just opened. */
  void checkCsrf(Session session, @Nullable String headerValue) throws CsrfException;

  /** Ends one session (logout); idempotent. */
  void revokeSession(String sessionId);

  /** Deletes sessions that ended before {@code now}, returning how many. */
  int purgeSessions(Instant now);
}
