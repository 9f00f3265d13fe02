package io.bulwark.security.people;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A session just opened by a successful login. It holds the session token, which exists only here
 * and in the browser's cookie (the server stores a keyed hash of it); {@link #toString()} does not
 * show it.
 */
public final class Session {
  /**
   * The cookie name. The {@code __Host-} prefix makes browsers refuse the cookie unless it is
   * {@code Secure}, has {@code Path=/} and no {@code Domain}, so a sibling subdomain or a
   * plain-HTTP response cannot plant or overwrite it.
   */
  public static final String COOKIE_NAME = "__Host-bulwark_session";

  private static final String ATTRIBUTES = "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=";

  private final String id;
  private final AccountPrincipal principal;
  private final Instant createdAt;
  private final Instant expiresAt;
  private final String token;
  private final String csrfToken;

  public Session(
      String id,
      AccountPrincipal principal,
      Instant createdAt,
      Instant expiresAt,
      String token,
      String csrfToken) {
    if (!expiresAt.isAfter(createdAt)) {
      throw new IllegalArgumentException("a session must expire after it starts");
    }
    this.id = Objects.requireNonNull(id);
    this.principal = principal;
    this.createdAt = createdAt;
    this.expiresAt = expiresAt;
    this.token = token;
    this.csrfToken = csrfToken;
  }

  /** The session id (not the token), safe to log. */
  public String id() {
    return id;
  }

  public AccountPrincipal principal() {
    return principal;
  }

  public Instant createdAt() {
    return createdAt;
  }

  /** The absolute end of the session; idle sessions end earlier. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /**
   * The value of the {@code Set-Cookie} header that hands the session to the browser: {@code
   * __Host-bulwark_session=<token>; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=<seconds
   * until the absolute expiry>}. It contains the secret token: never log it.
   */
  public String setCookieHeader() {
    long maxAge = Duration.between(createdAt, expiresAt).toSeconds();
    return COOKIE_NAME + "=" + token + ATTRIBUTES + maxAge;
  }

  /** The {@code Set-Cookie} value that removes the session cookie from the browser (logout). */
  public static String clearCookieHeader() {
    return COOKIE_NAME + "=" + ATTRIBUTES + 0;
  }

  /**
   * The CSRF token of this session, for the page to echo in a request header on every
   * state-changing request; derived from the session id under a server secret.
   */
  public String csrfToken() {
    return csrfToken;
  }

  @Override
  public String toString() {
    return "Session[id=" + id + ", account=" + principal.accountId() + ", token=redacted]";
  }
}
