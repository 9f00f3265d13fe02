package io.bulwark.audit;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rule that keeps secrets out of the audit log: a parameter whose key names secret material
 * (secret, token, password, passphrase, credential, private key, API key, key material, or just
 * "key") is stored as {@value #REDACTED} whatever the caller passed. Identifiers such as {@code
 * keyId} or {@code tokenId} are kept, since an audit trail needs them.
 *
 * <p>This is a safety net, not the contract: callers pass ids, digests and sizes, never payloads.
 */
public final class Redaction {
  /** What a redacted value is stored as. */
  public static final String REDACTED = "<redacted>";

  private static final String[] SECRET_WORDS = {
    "secret",
    "token",
    "password",
    "passwd",
    "passphrase",
    "credential",
    "privatekey",
    "apikey",
    "keymaterial",
    "authorization",
    "cookie"
  };

  /** Suffixes that mark an identifier or a digest of a secret rather than the secret itself. */
  private static final String[] SAFE_SUFFIXES = {"id", "ids", "digest", "sha256", "fingerprint"};

  private Redaction() {}

  /** Whether a parameter called {@code key} is stored redacted. */
  public static boolean redacts(String key) {
    String k = normalise(key);
    for (String suffix : SAFE_SUFFIXES) {
      if (k.endsWith(suffix) && k.length() > suffix.length()) {
        return false;
      }
    }
    if (k.equals("key") || (k.endsWith("key") && !k.endsWith("publickey"))) {
      return true;
    }
    for (String word : SECRET_WORDS) {
      if (k.contains(word)) {
        return true;
      }
    }
    return false;
  }

  /** {@code parameters} with every value whose key {@link #redacts} replaced, sorted by key. */
  public static Map<String, String> apply(Map<String, String> parameters) {
    Map<String, String> out = new TreeMap<>();
    parameters.forEach((k, v) -> out.put(k, redacts(k) ? REDACTED : v));
    return out;
  }

  private static String normalise(String key) {
    StringBuilder b = new StringBuilder(key.length());
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c != '_' && c != '-' && c != '.') {
        b.append(c);
      }
    }
    return b.toString().toLowerCase(Locale.ROOT);
  }
}
