package io.bulwark.core;

/**
 * A token that must be passed to read the raw bytes of a {@link SecretBytes}. Every place that
 * touches secret material therefore names this class and can be found with one search.
 */
public final class InsecureSecretAccess {
  private static final InsecureSecretAccess INSTANCE = new InsecureSecretAccess();

  private InsecureSecretAccess() {}

  public static InsecureSecretAccess get() {
    return INSTANCE;
  }
}
