package io.bulwark.server.internal;

import io.bulwark.crypto.WrappedKey;
import io.bulwark.crypto.spi.KeyEncryptionKey;
import io.bulwark.security.people.SecretSealer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * Seals people's TOTP seeds with a key-encryption key of their own ({@code keys/people-kek.json}, a
 * local Tink keyset), not the model KEK: rotating and disabling model KEK versions must never lock
 * people out. Format: 2-byte length of the key id, the key id (UTF-8), the wrapped bytes.
 */
public final class KekSecretSealer implements SecretSealer {
  private final KeyEncryptionKey kek;

  public KekSecretSealer(KeyEncryptionKey kek) {
    this.kek = kek;
  }

  @Override
  public byte[] seal(byte[] plaintext, byte[] aad) {
    try {
      WrappedKey w = kek.wrap(plaintext, aad);
      byte[] id = w.kekId().getBytes(StandardCharsets.UTF_8);
      return ByteBuffer.allocate(2 + id.length + w.bytes().length)
          .putShort((short) id.length)
          .put(id)
          .put(w.bytes())
          .array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal a secret: " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] open(byte[] sealed, byte[] aad) throws GeneralSecurityException {
    if (sealed.length < 3) {
      throw new GeneralSecurityException("sealed secret too short");
    }
    ByteBuffer b = ByteBuffer.wrap(sealed);
    int idLength = Short.toUnsignedInt(b.getShort());
    if (idLength == 0 || idLength > WrappedKey.MAX_KEK_ID_LENGTH || idLength > b.remaining() - 1) {
      throw new GeneralSecurityException("sealed secret malformed");
    }
    byte[] id = new byte[idLength];
    b.get(id);
    byte[] rest = new byte[b.remaining()];
    b.get(rest);
    return kek.unwrap(new WrappedKey(new String(id, StandardCharsets.UTF_8), rest), aad);
  }
}
