package io.bulwark.scanning.internal;

/**
 * A pickle stream that a real unpickler would refuse, or that we refuse because it is ambiguous.
 * Carries the byte position of the problem; the message never contains stream contents.
 */
final class PickleMalformedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final long position;

  PickleMalformedException(long position, String reason) {
    super(reason);
    this.position = position;
  }

  long position() {
    return position;
  }
}
