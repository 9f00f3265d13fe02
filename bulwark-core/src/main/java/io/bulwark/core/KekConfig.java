package io.bulwark.core;

import java.net.URI;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** Where the key-encryption key that wraps every model's data key lives. */
public sealed interface KekConfig {

  /** The embedded default: a Tink keyset file in the data directory ({@code keys/kek.json}). */
  record LocalKeyset() implements KekConfig {}

  /**
   * An AES-256 key inside a PKCS#11 token (an HSM), generated there and never extractable.
   *
   * @param library the token's PKCS#11 library, for example {@code /usr/lib/softhsm/libsofthsm2.so}
   * @param slot the slot id of the token
   * @param pinFile a file holding the user PIN; refused if others can read it
   * @param keyLabel the label of the key in the token; created on first use
   */
  record Pkcs11(Path library, long slot, Path pinFile, String keyLabel) implements KekConfig {}

  /**
   * A symmetric key in AWS KMS; data keys are wrapped by KMS Encrypt and unwrapped by Decrypt. Key
   * rotation happens inside KMS (automatic rotation keeps the key id and every wrapped key valid),
   * so {@code bulwark key rotate} is refused for this provider.
   *
   * @param keyArn the key's ARN ({@code arn:aws:kms:REGION:ACCOUNT:key/ID}); aliases are refused
   * @param credentialsFile a properties file with {@code accessKey} and {@code secretKey}, mode
   *     0600; null for none (the test endpoint only)
   * @param endpoint an endpoint override (a VPC endpoint), or null for the region's
   */
  record AwsKms(String keyArn, @Nullable Path credentialsFile, @Nullable URI endpoint)
      implements KekConfig {}
}
