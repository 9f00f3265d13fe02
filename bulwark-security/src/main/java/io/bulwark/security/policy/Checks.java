package io.bulwark.security.policy;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.LimitExceededException;
import io.bulwark.core.Strings;
import java.util.Collection;

/** Bounds on the strings and collections of policy requests: they become Cedar entities. */
final class Checks {
  private Checks() {}

  /** {@code value} if it is 1..max characters without control characters, else throws. */
  static String text(String what, String value, int max) {
    if (value.isEmpty()) {
      throw new InvalidRequestException(what + " is empty");
    }
    return textOrEmpty(what, value, max);
  }

  static String textOrEmpty(String what, String value, int max) {
    if (value.length() > max) {
      throw new LimitExceededException("policy." + what.replace(' ', '_'), max, what);
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new InvalidRequestException(
            what + " '" + Strings.printable(value) + "' contains control characters");
      }
    }
    return value;
  }

  static void count(String what, Collection<?> values, int max) {
    if (values.size() > max) {
      throw new LimitExceededException("policy.max_" + what.replace(' ', '_'), max, what);
    }
  }
}
