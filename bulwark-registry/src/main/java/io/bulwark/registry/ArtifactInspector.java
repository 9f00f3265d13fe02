package io.bulwark.registry;

/**
 * Checks an artifact's plaintext before a push is committed, and describes it. Runs on the bytes
 * that were just sealed and opened again, so what it accepts is exactly what will be stored.
 */
@FunctionalInterface
public interface ArtifactInspector {
  /**
   * Returns the metadata (JSON) to store with the version.
   *
   * @throws io.bulwark.core.InvalidRequestException if the artifact is not acceptable; the push is
   *     then abandoned and nothing is stored
   */
  String inspect(byte[] plaintext);
}
