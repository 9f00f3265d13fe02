package io.bulwark.security.people;

import java.util.Set;

/**
 * A person authenticated by a session cookie.
 *
 * @param accountId the stable account id, safe to log
 * @param username the login name
 * @param tenant the account's tenant
 * @param roles the account's roles, as read when the session was checked
 * @param sessionId the id of the session (not its token), safe to log; the key of the CSRF token
 */
public record AccountPrincipal(
    String accountId, String username, String tenant, Set<String> roles, String sessionId) {
  public AccountPrincipal {
    roles = Set.copyOf(roles);
  }
}
