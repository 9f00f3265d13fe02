package io.bulwark.signing;

import java.util.Objects;

/**
 * The outcome of a successful verification: the manifest that was signed (and matches the model on
 * disk) and who signed it.
 *
 * @param manifest the verified manifest
 * @param signer who signed, human-readable: {@code key sha256:<hex of the SPKI>} for the key form,
 *     the leaf certificate's subject DN for the certificate form, {@code <identity> (issuer
 *     <issuer>)} for Sigstore keyless
 */
public record VerifiedModel(ModelManifest manifest, String signer) {
  public VerifiedModel {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(signer, "signer");
  }
}
