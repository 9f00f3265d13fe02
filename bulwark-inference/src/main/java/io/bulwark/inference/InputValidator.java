package io.bulwark.inference;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.LimitExceededException;
import io.bulwark.core.Strings;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks inference inputs against a model's {@link ModelSignature} before anything runs the model.
 *
 * <p>If {@link #validate} returns, the inputs are exactly the model's inputs, each once, each of
 * the declared datatype and of a shape the declaration accepts, and together they hold at most the
 * allowed number of elements. Otherwise it throws with a message meant for the client: it names the
 * input and what was expected, and echoes names only through {@link Strings#printable}.
 */
public final class InputValidator {
  /** The configuration name of the element limit, as {@link io.bulwark.core.Limits} names it. */
  public static final String MAX_TENSOR_ELEMENTS = "limits.max_tensor_elements";

  // Keeps the message short when a model declares many inputs.
  private static final int MAX_NAMES_SHOWN = 8;

  private InputValidator() {}

  /**
   * Validates {@code inputs} against {@code signature}.
   *
   * @param maxTotalElements the most elements all inputs together may hold
   * @throws InvalidRequestException naming the first problem found: a duplicate input, an input the
   *     model does not declare, a datatype or shape that does not match, or a missing input
   * @throws LimitExceededException if the inputs hold more than {@code maxTotalElements} elements,
   *     or any dimension is larger than that (even in an empty tensor)
   * @throws IllegalArgumentException if {@code maxTotalElements} is not positive
   */
  public static void validate(
      ModelSignature signature, List<Tensor> inputs, long maxTotalElements) {
    if (maxTotalElements <= 0) {
      throw new IllegalArgumentException("maxTotalElements must be positive");
    }
    Set<String> seen = new HashSet<>();
    long total = 0;
    for (Tensor input : inputs) {
      String name = input.name();
      if (!seen.add(name)) {
        throw new InvalidRequestException("duplicate input '" + Strings.printable(name) + "'");
      }
      TensorSpec spec =
          signature
              .input(name)
              .orElseThrow(
                  () ->
                      new InvalidRequestException(
                          "unexpected input '"
                              + Strings.printable(name)
                              + "'; the model's inputs are "
                              + names(signature.inputs())));
      if (input.datatype() != spec.datatype()) {
        throw new InvalidRequestException(
            "input '"
                + Strings.printable(name)
                + "' has datatype "
                + input.datatype()
                + ", model expects "
                + spec.datatype());
      }
      long[] shape = input.shape();
      if (!spec.accepts(shape)) {
        throw new InvalidRequestException(
            "input '"
                + Strings.printable(name)
                + "' has shape "
                + Arrays.toString(shape)
                + ", model expects "
                + spec.shape()
                + " (-1 is any size)");
      }
      // A zero-sized dimension makes the element count 0 whatever the others are, and a model
      // may still size its outputs from them (a reduction over the empty axis): cap every
      // dimension too, so that a tiny request cannot make the model allocate without bound.
      for (long d : shape) {
        if (d > maxTotalElements) {
          throw new LimitExceededException(
              MAX_TENSOR_ELEMENTS,
              maxTotalElements,
              "dimension " + d + " of input '" + Strings.printable(name) + "'");
        }
      }
      total = saturatedAdd(total, input.elementCount());
    }
    for (TensorSpec spec : signature.inputs()) {
      if (!seen.contains(spec.name())) {
        throw new InvalidRequestException("missing input '" + Strings.printable(spec.name()) + "'");
      }
    }
    if (total > maxTotalElements) {
      throw new LimitExceededException(MAX_TENSOR_ELEMENTS, maxTotalElements, "input tensors");
    }
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  private static String names(List<TensorSpec> specs) {
    if (specs.isEmpty()) {
      return "(none)";
    }
    StringBuilder out = new StringBuilder();
    int shown = Math.min(specs.size(), MAX_NAMES_SHOWN);
    for (int i = 0; i < shown; i++) {
      out.append(i == 0 ? "'" : ", '").append(Strings.printable(specs.get(i).name())).append('\'');
    }
    if (specs.size() > shown) {
      out.append(" and ").append(specs.size() - shown).append(" more");
    }
    return out.toString();
  }
}
