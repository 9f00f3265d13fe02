package io.bulwark.inference;

import java.util.List;
import java.util.Set;

/**
 * A model ready to run. Safe for concurrent use by many threads. {@link #close()} waits for no one:
 * the owner must stop routing calls to it first (see the server's deployment switch).
 */
public interface LoadedModel extends AutoCloseable {

  String name();

  String version();

  ModelSignature signature();

  /**
   * Runs the model.
   *
   * @param inputs every input the signature declares, already validated against it
   * @param outputs the outputs to return, by name; empty means all, in signature order
   * @return the requested outputs, in the order requested (or signature order)
   * @throws io.bulwark.core.InvalidRequestException if the inputs do not fit the signature
   */
  List<Tensor> infer(List<Tensor> inputs, Set<String> outputs);

  @Override
  void close();
}
