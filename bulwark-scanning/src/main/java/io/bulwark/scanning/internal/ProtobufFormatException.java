package io.bulwark.scanning.internal;

/** The bytes are not a well-formed protocol-buffers message. The message names no input bytes. */
final class ProtobufFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  ProtobufFormatException(String message) {
    super(message);
  }
}
