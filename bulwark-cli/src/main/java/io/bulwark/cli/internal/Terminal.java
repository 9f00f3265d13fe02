package io.bulwark.cli.internal;

/**
 * Makes text from the server or from files safe to print: a server (or whoever sits between it and
 * us) must not be able to move the cursor, rewrite earlier lines or forge output with control
 * characters and escape sequences.
 */
final class Terminal {
  /** Longest message echoed from elsewhere; more is cut off. */
  static final int MAX_MESSAGE_CHARS = 1000;

  private Terminal() {}

  /** {@code s} with control and format characters replaced by {@code ?}, cut at {@code max}. */
  static String safe(String s, int max) {
    int n = Math.min(s.length(), max);
    StringBuilder out = new StringBuilder(n + 3);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      out.append(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? '?' : c);
    }
    if (s.length() > max) {
      out.append("...");
    }
    return out.toString();
  }

  static String safe(String s) {
    return safe(s, MAX_MESSAGE_CHARS);
  }

  /**
   * {@code s} quoted for a POSIX shell: single quotes, with each embedded single quote written as
   * {@code '\''}, so that a pasted command receives exactly {@code s}.
   */
  static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
