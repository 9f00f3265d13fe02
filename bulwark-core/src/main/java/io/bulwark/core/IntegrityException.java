package io.bulwark.core;

/**
 * Stored data failed an integrity check (an altered, truncated, missing or misplaced artifact). The
 * server refuses to use it; an operator must restore it from a backup. Maps to 500 with this
 * message, which names the object but never its contents.
 */
public final class IntegrityException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  public IntegrityException(String message, Throwable cause) {
    super(message, cause);
  }
}
