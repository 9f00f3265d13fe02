package io.bulwark.security.people.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226): 30-second steps from the Unix epoch,
 * dynamic truncation, 6 digits, HMAC-SHA1 unless stated. A code is accepted for the current step
 * and one step either side, and only for a step later than the last one accepted for the account.
 */
final class Totp {
  static final int SECRET_BYTES = 20;
  static final int STEP_SECONDS = 30;
  static final int DIGITS = 6;
  static final int WINDOW = 1;
  static final String ISSUER = "Bulwark";

  enum Algorithm {
    SHA1("HmacSHA1"),
    SHA256("HmacSHA256"),
    SHA512("HmacSHA512");

    private final String jca;

    Algorithm(String jca) {
      this.jca = jca;
    }
  }

  private static final int[] POWERS = {
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000
  };

  private Totp() {}

  /** The time step containing {@code now}. */
  static long step(Instant now) {
    return Math.floorDiv(now.getEpochSecond(), STEP_SECONDS);
  }

  /** The code for one time step, zero-padded to {@code digits}. */
  static String code(byte[] secret, long step, Algorithm algorithm, int digits) {
    if (digits < 6 || digits > 8) {
      throw new IllegalArgumentException("digits must be 6..8");
    }
    byte[] h;
    try {
      Mac mac = Mac.getInstance(algorithm.jca);
      mac.init(new SecretKeySpec(secret, algorithm.jca));
      byte[] counter = new byte[8];
      for (int i = 7; i >= 0; i--) {
        counter[i] = (byte) (step >>> (8 * (7 - i)));
      }
      h = mac.doFinal(counter);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm.jca + " unavailable", e);
    }
    int offset = h[h.length - 1] & 0x0f;
    int binary =
        ((h[offset] & 0x7f) << 24)
            | ((h[offset + 1] & 0xff) << 16)
            | ((h[offset + 2] & 0xff) << 8)
            | (h[offset + 3] & 0xff);
    StringBuilder s = new StringBuilder(Integer.toString(binary % POWERS[digits]));
    while (s.length() < digits) {
      s.insert(0, '0');
    }
    return s.toString();
  }

  /**
   * Checks a 6-digit SHA-1 code and returns the time step it belongs to, which the caller must
   * record as the new {@code lastAcceptedStep}.
   *
   * @throws GeneralSecurityException if the code is malformed, matches no step of the window, or
   *     matches only a step at or before {@code lastAcceptedStep} (a replay)
   */
  static long verify(byte[] secret, String code, Instant now, long lastAcceptedStep)
      throws GeneralSecurityException {
    if (code.length() != DIGITS) {
      throw new GeneralSecurityException("malformed code");
    }
    for (int i = 0; i < DIGITS; i++) {
      if (code.charAt(i) < '0' || code.charAt(i) > '9') {
        throw new GeneralSecurityException("malformed code");
      }
    }
    byte[] presented = code.getBytes(StandardCharsets.US_ASCII);
    long current = step(now);
    long matched = Long.MIN_VALUE;
    // Every step of the window is computed and compared, whatever matches first.
    for (long s = current - WINDOW; s <= current + WINDOW; s++) {
      byte[] expected = code(secret, s, Algorithm.SHA1, DIGITS).getBytes(StandardCharsets.US_ASCII);
      if (MessageDigest.isEqual(expected, presented) && s > lastAcceptedStep) {
        matched = s;
      }
    }
    if (matched == Long.MIN_VALUE) {
      throw new GeneralSecurityException("wrong or already used code");
    }
    return matched;
  }

  /** RFC 4648 base32, upper case, without padding (what authenticator apps expect). */
  static String base32(byte[] data) {
    final String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(alphabet.charAt((buffer >>> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(alphabet.charAt((buffer << (5 - bits)) & 31));
    }
    return out.toString();
  }

  /** The Key Uri Format understood by authenticator apps. */
  static String otpauthUri(String account, byte[] secret) {
    String issuer = URLEncoder.encode(ISSUER, StandardCharsets.UTF_8);
    String label = issuer + ":" + URLEncoder.encode(account, StandardCharsets.UTF_8);
    return "otpauth://totp/"
        + label
        + "?secret="
        + base32(secret)
        + "&issuer="
        + issuer
        + "&algorithm=SHA1&digits="
        + DIGITS
        + "&period="
        + STEP_SECONDS;
  }
}
