package io.bulwark.security.people.internal;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.UnavailableException;
import io.bulwark.security.people.Argon2Cost;
import io.bulwark.security.people.PasswordHasher;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.Semaphore;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.jspecify.annotations.Nullable;

/**
 * Argon2id (version 0x13) by BouncyCastle, encoded as a PHC string with unpadded standard base64,
 * the format of the reference implementation. A semaphore bounds how many evaluations run at once,
 * so that a burst of logins cannot allocate unbounded memory.
 */
public final class Argon2idPasswordHasher implements PasswordHasher {
  static final int SALT_BYTES = 16;
  static final int HASH_BYTES = 32;

  /** Longest PHC string accepted from storage. */
  static final int MAX_ENCODED_CHARS = 256;

  static final int MIN_STORED_SALT = 8;
  static final int MAX_STORED_SALT = 64;
  static final int MIN_STORED_HASH = 16;
  static final int MAX_STORED_HASH = 64;

  /** Longest password input, in chars, before normalisation; the policy allows 256 code points. */
  static final int MAX_PASSWORD_CHARS = 1024;

  private static final String PREFIX = "$argon2id$v=19$";

  private final Argon2Cost cost;
  private final Semaphore permits;
  private final SecureRandom random = new SecureRandom();

  public Argon2idPasswordHasher(Argon2Cost cost, int maxConcurrent) {
    this.cost = cost;
    this.permits = new Semaphore(maxConcurrent, true);
  }

  public Argon2Cost cost() {
    return cost;
  }

  @Override
  public String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] pw = passwordBytes(password);
    byte[] out = new byte[HASH_BYTES];
    try {
      derive(cost, pw, salt, null, null, out);
    } finally {
      Arrays.fill(pw, (byte) 0);
    }
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return PREFIX
        + "m="
        + cost.memoryKiB()
        + ",t="
        + cost.iterations()
        + ",p="
        + cost.parallelism()
        + "$"
        + b64.encodeToString(salt)
        + "$"
        + b64.encodeToString(out);
  }

  @Override
  public void verify(String password, String encoded) throws GeneralSecurityException {
    Phc phc = Phc.parse(encoded);
    byte[] pw = passwordBytes(password);
    byte[] out = new byte[phc.hash().length];
    try {
      derive(phc.cost(), pw, phc.salt(), null, null, out);
    } finally {
      Arrays.fill(pw, (byte) 0);
    }
    if (!MessageDigest.isEqual(out, phc.hash())) {
      throw new GeneralSecurityException("password does not match");
    }
  }

  @Override
  public boolean needsRehash(String encoded) {
    try {
      Phc phc = Phc.parse(encoded);
      return phc.cost().weakerThan(cost)
          || phc.salt().length < SALT_BYTES
          || phc.hash().length < HASH_BYTES;
    } catch (GeneralSecurityException e) {
      return true;
    }
  }

  /**
   * Raw Argon2id, exposed to the package for the RFC 9106 test vector (which uses a secret and
   * associated data; password hashes use neither).
   */
  void derive(
      Argon2Cost c,
      byte[] password,
      byte[] salt,
      byte @Nullable [] secret,
      byte @Nullable [] ad,
      byte[] out) {
    Argon2Parameters.Builder b =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(c.memoryKiB())
            .withIterations(c.iterations())
            .withParallelism(c.parallelism())
            .withSalt(salt);
    if (secret != null) {
      b.withSecret(secret);
    }
    if (ad != null) {
      b.withAdditional(ad);
    }
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(b.build());
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while waiting to hash a password");
    }
    try {
      gen.generateBytes(password, out);
    } finally {
      permits.release();
    }
  }

  /** The NFC-normalised UTF-8 bytes of a password. */
  static byte[] passwordBytes(String password) {
    if (password.length() > MAX_PASSWORD_CHARS) {
      throw new InvalidRequestException("password too long");
    }
    return Normalizer.normalize(password, Normalizer.Form.NFC).getBytes(StandardCharsets.UTF_8);
  }

  /** A parsed PHC string; every field checked against its limit before any allocation. */
  // Never compared or exposed outside the package; the arrays are read-only by convention.
  @SuppressWarnings("ArrayRecordComponent")
  record Phc(Argon2Cost cost, byte[] salt, byte[] hash) {
    static Phc parse(String encoded) throws GeneralSecurityException {
      if (encoded.length() > MAX_ENCODED_CHARS || !encoded.startsWith(PREFIX)) {
        throw new GeneralSecurityException("not an argon2id v=19 hash");
      }
      String[] parts = encoded.substring(PREFIX.length()).split("\\$", -1);
      if (parts.length != 3) {
        throw new GeneralSecurityException("malformed argon2id hash");
      }
      String[] params = parts[0].split(",", -1);
      if (params.length != 3
          || !params[0].startsWith("m=")
          || !params[1].startsWith("t=")
          || !params[2].startsWith("p=")) {
        throw new GeneralSecurityException("malformed argon2id parameters");
      }
      Argon2Cost cost;
      try {
        cost =
            new Argon2Cost(
                number(params[0].substring(2)),
                number(params[1].substring(2)),
                number(params[2].substring(2)));
      } catch (InvalidRequestException e) {
        throw new GeneralSecurityException("argon2id parameters out of range", e);
      }
      byte[] salt = base64(parts[1], MIN_STORED_SALT, MAX_STORED_SALT);
      byte[] hash = base64(parts[2], MIN_STORED_HASH, MAX_STORED_HASH);
      return new Phc(cost, salt, hash);
    }

    private static int number(String s) throws GeneralSecurityException {
      // Digits only and at most 7 of them: no sign, no overflow, no leading zeros tricks.
      if (s.isEmpty() || s.length() > 7 || (s.length() > 1 && s.charAt(0) == '0')) {
        throw new GeneralSecurityException("malformed argon2id number");
      }
      for (int i = 0; i < s.length(); i++) {
        if (s.charAt(i) < '0' || s.charAt(i) > '9') {
          throw new GeneralSecurityException("malformed argon2id number");
        }
      }
      return Integer.parseInt(s);
    }

    private static byte[] base64(String s, int min, int max) throws GeneralSecurityException {
      if (s.indexOf('=') >= 0) {
        throw new GeneralSecurityException("padded base64 in argon2id hash");
      }
      byte[] b;
      try {
        b = Base64.getDecoder().decode(s);
      } catch (IllegalArgumentException e) {
        throw new GeneralSecurityException("malformed base64 in argon2id hash", e);
      }
      if (b.length < min || b.length > max) {
        throw new GeneralSecurityException("argon2id salt or hash length out of range");
      }
      return b;
    }
  }
}
