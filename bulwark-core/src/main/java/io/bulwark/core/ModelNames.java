package io.bulwark.core;

import java.util.regex.Pattern;

/**
 * The syntax of model names and versions. Both appear in URL paths, file names and audit records,
 * so they are restricted to a small, unambiguous alphabet: no slashes, no dot-only segments, no
 * control characters, at most 128 characters.
 */
public final class ModelNames {
  private static final Pattern NAME = Pattern.compile("[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9])?");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62})?");

  private ModelNames() {}

  /**
   * Returns {@code name} if it is a valid model name, else throws {@link InvalidRequestException}.
   */
  public static String checkName(String name) {
    if (!NAME.matcher(name).matches() || name.contains("..")) {
      throw new InvalidRequestException(
          "invalid model name '"
              + Strings.printable(name)
              + "': use 1-128 lower-case letters, digits, '.', '_' or '-', starting and ending"
              + " with a letter or digit");
    }
    return name;
  }

  /** Returns {@code version} if it is a valid version label, else throws. */
  public static String checkVersion(String version) {
    if (!VERSION.matcher(version).matches() || version.contains("..")) {
      throw new InvalidRequestException(
          "invalid model version '"
              + Strings.printable(version)
              + "': use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    return version;
  }

  /** The namespace of models without a '.' in their name. */
  public static final String DEFAULT_NAMESPACE = "default";

  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9](?:[a-z0-9_-]{0,62})?");

  /**
   * The namespace of a model: the part of its name before the first '.', or {@value
   * #DEFAULT_NAMESPACE} if it has none ({@code risk.credit-scorer} is in namespace {@code risk}).
   * Signing trust, and later policies, are configured per namespace.
   */
  public static String namespace(String name) {
    checkName(name);
    int dot = name.indexOf('.');
    return dot < 0 ? DEFAULT_NAMESPACE : name.substring(0, dot);
  }

  public static boolean isValidNamespace(String namespace) {
    return NAMESPACE.matcher(namespace).matches();
  }

  public static boolean isValidName(String name) {
    return NAME.matcher(name).matches() && !name.contains("..");
  }

  public static boolean isValidVersion(String version) {
    return VERSION.matcher(version).matches() && !version.contains("..");
  }
}
