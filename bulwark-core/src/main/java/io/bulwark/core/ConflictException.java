package io.bulwark.core;

/** The request conflicts with the current state (for example, a version that already exists). */
public class ConflictException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  public ConflictException(String message) {
    super(message);
  }
}
