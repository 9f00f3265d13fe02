package io.bulwark.server.internal.oip;

/**
 * One output named in a request's {@code outputs} array.
 *
 * @param name the output's name
 * @param binaryData whether to return it as binary tensor data: the output's own {@code
 *     binary_data} parameter if given, otherwise the request's {@code binary_data_output}
 */
public record RequestedOutput(String name, boolean binaryData) {
  public RequestedOutput {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("output name must not be empty");
    }
  }
}
