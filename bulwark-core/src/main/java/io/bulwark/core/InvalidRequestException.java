package io.bulwark.core;

/** The request is malformed or does not match what the target expects. Maps to 400. */
public final class InvalidRequestException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  public InvalidRequestException(String message) {
    super(message);
  }

  public InvalidRequestException(String message, Throwable cause) {
    super(message, cause);
  }
}
