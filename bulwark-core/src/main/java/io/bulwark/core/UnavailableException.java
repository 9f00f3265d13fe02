package io.bulwark.core;

/**
 * The operation cannot run now: a dependency is down, a capacity limit is reached, or a model
 * failed to load. Maps to 503; the caller may retry later.
 */
public final class UnavailableException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  public UnavailableException(String message) {
    super(message);
  }

  public UnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
