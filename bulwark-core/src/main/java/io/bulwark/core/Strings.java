package io.bulwark.core;

/** Helpers for putting untrusted strings into messages and logs. */
public final class Strings {
  private static final int MAX_ECHO = 128;

  private Strings() {}

  /**
   * Returns {@code s} made safe to echo: control, format (bidirectional overrides) and line or
   * paragraph separator characters (so that no log line can be forged) become {@code ?}, and
   * anything past 128 characters is cut off.
   */
  public static String printable(String s) {
    int n = Math.min(s.length(), MAX_ECHO);
    StringBuilder out = new StringBuilder(n + 3);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      out.append(isUnsafe(c) ? '?' : c);
    }
    if (s.length() > MAX_ECHO) {
      out.append("...");
    }
    return out.toString();
  }

  private static boolean isUnsafe(char c) {
    int type = Character.getType(c);
    return Character.isISOControl(c)
        || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }
}
