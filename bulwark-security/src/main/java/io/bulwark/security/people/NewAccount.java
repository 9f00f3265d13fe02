package io.bulwark.security.people;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.LimitExceededException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A request to create an account.
 *
 * @param username 3 to 64 characters of {@code [a-z0-9._-]}
 * @param tenant 1 to 64 characters of {@code [a-z0-9._-]}
 * @param roles at most {@link #MAX_ROLES} role names, each 1 to 64 characters of {@code
 *     [a-z0-9._-]}
 */
public record NewAccount(String username, String tenant, Set<String> roles) {
  public static final int MAX_ROLES = 32;

  private static final Pattern USERNAME = Pattern.compile("[a-z0-9._-]{3,64}");
  private static final Pattern TOKEN = Pattern.compile("[a-z0-9._-]{1,64}");

  public NewAccount {
    checkUsername(username);
    if (!TOKEN.matcher(tenant).matches()) {
      throw new InvalidRequestException("tenant must be 1-64 characters of [a-z0-9._-]");
    }
    roles = Set.copyOf(roles);
    if (roles.size() > MAX_ROLES) {
      throw new LimitExceededException("people.max_roles", MAX_ROLES, "role count");
    }
    for (String r : roles) {
      if (!TOKEN.matcher(r).matches()) {
        throw new InvalidRequestException("role names must be 1-64 characters of [a-z0-9._-]");
      }
    }
  }

  /** Whether {@code username} is well formed, without echoing it. */
  public static boolean isValidUsername(String username) {
    return username.length() <= 64 && USERNAME.matcher(username).matches();
  }

  /**
   * Checks a username without echoing it.
   *
   * @throws InvalidRequestException if {@code username} is not 3-64 characters of [a-z0-9._-]
   */
  public static void checkUsername(String username) {
    if (!isValidUsername(username)) {
      throw new InvalidRequestException("username must be 3-64 characters of [a-z0-9._-]");
    }
  }
}
