package io.bulwark.core;

import java.util.List;

/**
 * What a model namespace requires of a pushed version's signature.
 *
 * @param allowUnsigned accept versions without a signature; a loud setting, warned about at start
 *     and recorded on every version it lets in. A version that does carry a signature must still
 *     verify against {@code signers}.
 * @param signers the signers whose bundles are accepted; any one suffices
 */
public record NamespaceTrust(boolean allowUnsigned, List<SignerTrust> signers) {
  public NamespaceTrust {
    signers = List.copyOf(signers);
  }

  /** Refuses every push: no signer is trusted and unsigned versions are not allowed. */
  public static NamespaceTrust nothing() {
    return new NamespaceTrust(false, List.of());
  }
}
