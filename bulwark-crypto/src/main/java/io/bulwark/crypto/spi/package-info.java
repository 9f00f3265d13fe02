/**
 * Plug-in points of {@code bulwark-crypto}: where a key-encryption key lives (a local keyset file,
 * a PKCS#11 token, a cloud KMS) is a provider behind {@link
 * io.bulwark.crypto.spi.KeyEncryptionKey}.
 */
@NullMarked
package io.bulwark.crypto.spi;

import org.jspecify.annotations.NullMarked;
