package io.bulwark.inference;

/**
 * Turns model bytes held in memory into a {@link LoadedModel}. Implementations never write the
 * bytes anywhere and never load code (custom operator libraries) named by a model.
 */
public interface InferenceEngine extends AutoCloseable {

  /**
   * Loads a model from its serialized bytes.
   *
   * @throws ModelLoadException if the bytes are not a model this engine can serve
   */
  LoadedModel load(String modelName, String version, byte[] modelBytes) throws ModelLoadException;

  @Override
  void close();
}
