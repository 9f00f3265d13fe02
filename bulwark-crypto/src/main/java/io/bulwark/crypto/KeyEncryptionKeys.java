package io.bulwark.crypto;

import io.bulwark.crypto.internal.AwsKmsKeyEncryptionKey;
import io.bulwark.crypto.internal.Pkcs11KeyEncryptionKey;
import io.bulwark.crypto.internal.TinkKeysetKeyEncryptionKey;
import io.bulwark.crypto.spi.KeyEncryptionKey;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

/** Factories for the built-in {@link KeyEncryptionKey} providers. */
public final class KeyEncryptionKeys {
  private KeyEncryptionKeys() {}

  /**
   * The embedded default: a Tink AEAD keyset (AES256_GCM) kept in cleartext JSON at {@code file},
   * protected only by file permissions. Suitable for a single machine whose disk is not shared;
   * prefer an HSM or KMS provider when backups or disks leave your control.
   *
   * <p>If {@code file} does not exist, a new keyset is generated and written with mode 0600,
   * atomically, never replacing an existing file (a missing parent directory is created with mode
   * 0700). If it exists, it is loaded. Key ids have the form {@code local:} followed by the primary
   * key's Tink id in eight hex digits.
   *
   * <p>Rotation ({@link KeyEncryptionKey#rotate()}) adds a fresh AES-256-GCM key as primary and
   * rewrites the file atomically with mode 0600; {@link KeyEncryptionKey#disable} marks a key
   * DISABLED in the file (its material stays there, so editing the file could re-enable it). Only
   * one process may rotate a given file. Keyset files written before rotation existed load as they
   * are.
   *
   * @throws IOException if the file cannot be read or written, is readable or writable by group or
   *     others, is a symbolic link, or is larger than 64 KiB
   * @throws GeneralSecurityException if the file is not a Tink JSON keyset, or a key in it is not
   *     AES-256-GCM
   */
  public static KeyEncryptionKey localKeyset(Path file)
      throws IOException, GeneralSecurityException {
    return TinkKeysetKeyEncryptionKey.loadOrCreate(file);
  }

  /**
   * A key-encryption key inside a PKCS#11 token (an HSM, or SoftHSM2 for testing), used through the
   * JDK's SunPKCS11 provider. The provider is configured for this key only and never registered
   * process-wide.
   *
   * <p>Logs in to the token in {@link Pkcs11Settings#slot()} with the PIN, then looks for an AES
   * secret key labelled {@link Pkcs11Settings#keyLabel()}. If there is none, one is generated
   * inside the token: AES-256, a private token object under that label, sensitive and not
   * extractable, allowed to encrypt and decrypt only; its bytes never exist outside the token. An
   * existing key under the label is reused only if the provider cannot read its bytes.
   *
   * <p>Data keys are wrapped with AES-256-GCM computed by the token: a fresh random 96-bit IV per
   * wrap, the associated data as GCM additional data, a 128-bit tag. Key ids have the form {@code
   * pkcs11:} followed by the key label of the version.
   *
   * <p>Rotation ({@link KeyEncryptionKey#rotate()}) generates another such key in the token under
   * the label {@code <label>.2}, then {@code <label>.3}, and so on; the highest version present is
   * primary, and a restart finds all versions again by their labels (so do not give another key a
   * label of that form). Rotation needs the token still logged in. {@link KeyEncryptionKey#disable}
   * <strong>destroys</strong> the version's key object in the token, which cannot be undone. The
   * PIN is not retained by the returned key and never appears in a message or log.
   *
   * <p>Within one process the token stays logged in once any provider has logged in to it, so a
   * second call with a wrong PIN for an already open token is not detected.
   *
   * @throws io.bulwark.core.UnavailableException if the library is missing or cannot be loaded, the
   *     slot holds no token, or the token fails while logging in; and, from the returned key,
   *     whenever the token cannot be reached
   * @throws GeneralSecurityException if the token refuses the PIN (wrong, locked or expired), or
   *     the label names something other than a non-extractable AES secret key
   */
  public static KeyEncryptionKey pkcs11(Pkcs11Settings settings) throws GeneralSecurityException {
    return Pkcs11KeyEncryptionKey.open(settings);
  }

  /**
   * A key-encryption key in AWS KMS (optional: needs {@code com.google.crypto.tink:tink-awskms} on
   * the class path). Each wrap and unwrap is one KMS {@code Encrypt} or {@code Decrypt} call for
   * {@link AwsKmsSettings#keyArn()}, signed with AWS Signature Version 4 by the AWS SDK, with the
   * associated data as encryption context. Key ids have the form {@code aws-kms:} followed by the
   * key ARN. Credentials come from {@link AwsKmsSettings#credentialsFile()}, read once (it must not
   * be readable by group or others), or else from the AWS SDK's default chain.
   *
   * <p>Rotation is not managed from Bulwark: enable automatic key rotation on the KMS key; its id
   * stays the same and existing wrapped keys keep working. {@link KeyEncryptionKey#rotate()} and
   * {@link KeyEncryptionKey#disable} throw {@link KeyRotationUnsupportedException}.
   *
   * <p>Failures: KMS unreachable, timing out (connect 5 s, read 10 s, whole call with two retries
   * 30 s), throttling or failing on its side gives {@link io.bulwark.core.UnavailableException},
   * never a security verdict; KMS refusing (wrong ciphertext or encryption context, access denied,
   * disabled key) gives {@link GeneralSecurityException}.
   *
   * <p>Tested against a loopback HTTP endpoint that checks each request's SigV4 signature and
   * speaks the KMS JSON protocol, and against unreachable and silent endpoints; never against AWS
   * itself, so IAM policies, real key ARNs, regional endpoints, the default credential chain and
   * KMS's own rotation are untested here.
   *
   * @throws IOException if {@code credentialsFile} cannot be read, is exposed to others, is larger
   *     than 8 KiB, or lacks {@code accessKey} and {@code secretKey}
   * @throws io.bulwark.core.UnavailableException if the AWS client cannot be configured
   */
  public static KeyEncryptionKey awsKms(AwsKmsSettings settings) throws IOException {
    return AwsKmsKeyEncryptionKey.open(settings);
  }
}
