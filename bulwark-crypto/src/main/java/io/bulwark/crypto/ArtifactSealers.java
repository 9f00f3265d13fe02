package io.bulwark.crypto;

import io.bulwark.crypto.internal.TinkArtifactSealer;
import io.bulwark.crypto.spi.KeyEncryptionKey;

/** Factories for {@link ArtifactSealer}s. */
public final class ArtifactSealers {
  private ArtifactSealers() {}

  /**
   * Seals with Tink's {@code StreamingAead} AES256_GCM_HKDF_1MB: a fresh 256-bit data key per
   * artifact, per-artifact subkeys derived with HKDF-SHA256, and 1 MiB segments each authenticated
   * with AES-GCM, so that reordered, dropped, truncated or appended segments are detected. The data
   * key is serialised as a Tink keyset and wrapped by {@code kek}.
   */
  public static ArtifactSealer tinkStreaming(KeyEncryptionKey kek) {
    return TinkArtifactSealer.create(kek);
  }
}
