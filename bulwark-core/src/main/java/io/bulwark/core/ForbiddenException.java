package io.bulwark.core;

/**
 * The authenticated caller may not perform this kind of operation at all (for example, a consumer
 * calling an administrative endpoint). Never used where the answer would reveal whether a specific
 * resource exists: those cases use {@link NotFoundException}.
 */
public final class ForbiddenException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  public ForbiddenException(String message) {
    super(message);
  }
}
