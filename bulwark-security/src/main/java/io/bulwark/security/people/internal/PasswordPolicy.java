package io.bulwark.security.people.internal;

import io.bulwark.core.InvalidRequestException;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Set;

/**
 * What a new password must be: 12 to 256 code points after NFC normalisation (length is what
 * resists guessing; no composition rules, as NIST SP 800-63B advises), not the username, and not
 * one of the most common long passwords. Messages never echo the password.
 */
final class PasswordPolicy {
  static final int MIN_LENGTH = 12;
  static final int MAX_LENGTH = 256;

  // Entries of breached-password top lists that are long enough to pass the length rule.
  private static final Set<String> COMMON =
      Set.of(
          "123456789012",
          "1234567890123",
          "12345678901234",
          "123456789012345",
          "1234567891011",
          "111111111111",
          "000000000000",
          "123123123123",
          "password1234",
          "password12345",
          "password123456",
          "passwordpassword",
          "qwertyuiop123",
          "qwertyuiopasdf",
          "qwertyuiopasdfgh",
          "qwerty123456",
          "1q2w3e4r5t6y",
          "1qaz2wsx3edc",
          "iloveyou1234",
          "administrator",
          "administrator1",
          "letmein12345",
          "welcome12345",
          "changeme1234",
          "aaaaaaaaaaaa",
          "abcdefghijkl",
          "abc123456789",
          "correcthorsebatterystaple",
          "trustno1trustno1",
          "monkeymonkey",
          "superman1234",
          "football1234",
          "baseball1234",
          "princess1234",
          "sunshine1234");

  private PasswordPolicy() {}

  /**
   * Checks a new password against the policy.
   *
   * @throws InvalidRequestException naming the rule that was broken
   */
  static void check(String username, String password) {
    if (password.length() > Argon2idPasswordHasher.MAX_PASSWORD_CHARS) {
      throw new InvalidRequestException("password must be at most " + MAX_LENGTH + " characters");
    }
    String p = Normalizer.normalize(password, Normalizer.Form.NFC);
    int length = p.codePointCount(0, p.length());
    if (length < MIN_LENGTH) {
      throw new InvalidRequestException("password must be at least " + MIN_LENGTH + " characters");
    }
    if (length > MAX_LENGTH) {
      throw new InvalidRequestException("password must be at most " + MAX_LENGTH + " characters");
    }
    String lower = p.toLowerCase(Locale.ROOT);
    if (lower.equals(username.toLowerCase(Locale.ROOT))) {
      throw new InvalidRequestException("password must not be the username");
    }
    if (COMMON.contains(lower)) {
      throw new InvalidRequestException("password is too common");
    }
  }
}
