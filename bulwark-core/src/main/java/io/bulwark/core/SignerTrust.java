package io.bulwark.core;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One kind of signer whose OpenSSF Model Signing bundles a namespace accepts. The files are read
 * when the server starts; a file that cannot be read or parsed stops the start.
 */
public sealed interface SignerTrust {

  /** Bundles signed by the private key of this public key (PEM). */
  record PublicKey(Path file) implements SignerTrust {
    public PublicKey {
      Objects.requireNonNull(file, "file");
    }
  }

  /** Bundles whose certificate chain leads to one of these CA certificates (PEM). */
  record CertificateAuthorities(Path file) implements SignerTrust {
    public CertificateAuthorities {
      Objects.requireNonNull(file, "file");
    }
  }

  /**
   * Sigstore keyless bundles: a Fulcio certificate for exactly this identity from exactly this OIDC
   * issuer, logged in a transparency log of the trusted root, all checked offline.
   */
  record Sigstore(Path trustedRoot, String identity, String issuer) implements SignerTrust {
    public Sigstore {
      Objects.requireNonNull(trustedRoot, "trustedRoot");
      if (identity.isBlank() || issuer.isBlank()) {
        throw new IllegalArgumentException("a Sigstore signer needs an identity and an issuer");
      }
    }
  }
}
