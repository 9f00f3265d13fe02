package io.bulwark.server.internal;

import java.time.Instant;

/**
 * Checks, every time a version is loaded, that it may still be served: its stored signature is
 * verified again against the trusted signers its namespace has now.
 */
@FunctionalInterface
public interface LoadVerifier {
  /**
   * Returns if {@code name}/{@code version}, whose plaintext has digest {@code sha256} and which
   * was admitted at {@code pushedAt}, may load.
   *
   * @throws io.bulwark.core.ConflictException if the version no longer verifies
   */
  void verify(String name, String version, String sha256, Instant pushedAt);
}
