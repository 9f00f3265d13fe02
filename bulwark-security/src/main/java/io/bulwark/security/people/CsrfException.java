package io.bulwark.security.people;

/** A state-changing request did not carry the CSRF token of its session. Maps to HTTP 403. */
public final class CsrfException extends Exception {
  private static final long serialVersionUID = 1L;

  public CsrfException() {
    super("missing or invalid CSRF token");
  }
}
