package io.bulwark.inference;

import java.util.List;

/**
 * A model's declaration of one input or output.
 *
 * @param shape dimensions; {@code -1} marks a dimension of any size
 */
public record TensorSpec(String name, DataType datatype, List<Long> shape) {
  public TensorSpec {
    shape = List.copyOf(shape);
    for (long d : shape) {
      if (d < -1) {
        throw new IllegalArgumentException("dimension " + d + " of '" + name + "' is invalid");
      }
    }
  }

  /** Whether the concrete {@code dims} fit this declaration (same rank, fixed dims equal). */
  public boolean accepts(long[] dims) {
    if (dims.length != shape.size()) {
      return false;
    }
    for (int i = 0; i < dims.length; i++) {
      long declared = shape.get(i);
      if (declared != -1 && declared != dims[i]) {
        return false;
      }
    }
    return true;
  }
}
