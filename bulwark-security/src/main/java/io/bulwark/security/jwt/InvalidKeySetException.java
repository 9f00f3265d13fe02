package io.bulwark.security.jwt;

/**
 * A JWK set (or one key in it) is malformed, too large, ambiguous or unsafe to verify with. The
 * whole set is refused: a validator is never built from the keys that happened to parse.
 */
public final class InvalidKeySetException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidKeySetException(String reason) {
    super(reason);
  }
}
