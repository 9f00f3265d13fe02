package io.bulwark.signing;

import java.util.Objects;

/**
 * The outcome of a successful verification: the manifest that was signed (and matches the model on
 * disk) and who signed it.
 *
 * @param manifest the verified manifest
 * @param signer the signer: {@code key} for the key form, the leaf certificate's subject for the
 *     certificate form
 */
public record VerifiedModel(ModelManifest manifest, String signer) {
  public VerifiedModel {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(signer, "signer");
  }
}
