package io.bulwark.security.people;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.Configuration;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.aead.AeadConfig2026;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.security.GeneralSecurityException;

/** A sealer as the server would build it: AES-256-GCM from a Tink keyset. */
final class TinkSecretSealer implements SecretSealer {
  private final Aead aead;

  TinkSecretSealer() throws GeneralSecurityException {
    Configuration config = AeadConfig2026.get();
    this.aead =
        KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM, config)
            .getPrimitive(config, Aead.class);
  }

  @Override
  public byte[] seal(byte[] plaintext, byte[] aad) {
    try {
      return aead.encrypt(plaintext, aad);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("sealing failed", e);
    }
  }

  @Override
  public byte[] open(byte[] sealed, byte[] aad) throws GeneralSecurityException {
    return aead.decrypt(sealed, aad);
  }
}
