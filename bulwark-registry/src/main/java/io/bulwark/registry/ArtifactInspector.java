package io.bulwark.registry;

/**
 * Checks an artifact's plaintext before a push is committed, and describes it. Runs on the bytes
 * that were just sealed and opened again, so what it accepts is exactly what will be stored.
 */
@FunctionalInterface
public interface ArtifactInspector {
  /**
   * Scans and verifies the artifact.
   *
   * @param plaintext the artifact; the caller wipes it afterwards
   * @param sha256 lower-case hex SHA-256 of {@code plaintext}
   * @throws io.bulwark.core.InvalidRequestException if the artifact is not acceptable; the push is
   *     then abandoned and nothing is stored
   * @throws io.bulwark.core.ForbiddenException if its signature is missing or not from a trusted
   *     signer; nothing is stored
   */
  Admission inspect(byte[] plaintext, String sha256);
}
