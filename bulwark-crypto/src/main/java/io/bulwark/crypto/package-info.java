/**
 * Bulwark's cryptography: envelope encryption of model artifacts under a key-encryption key, and
 * the local certificate authority that gives a fresh installation working TLS.
 *
 * <p>Entry points: {@link io.bulwark.crypto.KeyEncryptionKeys} (key-encryption keys), {@link
 * io.bulwark.crypto.ArtifactSealers} (sealing and opening artifacts) and {@link
 * io.bulwark.crypto.TlsMaterial} (local CA and server certificate). Providers of key-encryption
 * keys plug in through {@link io.bulwark.crypto.spi.KeyEncryptionKey}. All algorithms come from
 * Tink and BouncyCastle; nothing here implements a cipher.
 */
@NullMarked
package io.bulwark.crypto;

import org.jspecify.annotations.NullMarked;
