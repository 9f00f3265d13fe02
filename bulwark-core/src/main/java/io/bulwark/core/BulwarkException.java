package io.bulwark.core;

/**
 * Root of Bulwark's unchecked errors.
 *
 * <p>The message of every subclass is written for the client: it names the problem without echoing
 * secrets, payloads or internal paths. Details that only an operator may see belong in the cause,
 * which transports log with a correlation id and never return.
 */
public abstract class BulwarkException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected BulwarkException(String message) {
    super(message);
  }

  protected BulwarkException(String message, Throwable cause) {
    super(message, cause);
  }
}
