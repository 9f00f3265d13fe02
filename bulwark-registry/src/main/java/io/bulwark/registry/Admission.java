package io.bulwark.registry;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link ArtifactInspector} found out about an artifact it admitted.
 *
 * @param metadata JSON derived from the artifact (for a servable model, its inputs and outputs)
 * @param scanVerdict the admission scan's verdict, for example {@code safe}
 * @param signer who signed the artifact, as verified against the namespace's trusted signers, or
 *     null if it was admitted unsigned because its namespace allows that
 */
public record Admission(String metadata, String scanVerdict, @Nullable String signer) {
  public Admission {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(scanVerdict, "scanVerdict");
  }
}
