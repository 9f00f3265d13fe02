package io.bulwark.crypto.internal;

import com.amazonaws.AmazonClientException;
import com.amazonaws.AmazonServiceException;
import com.amazonaws.ClientConfiguration;
import com.amazonaws.auth.AWSCredentials;
import com.amazonaws.auth.AWSCredentialsProvider;
import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.auth.BasicSessionCredentials;
import com.amazonaws.auth.DefaultAWSCredentialsProviderChain;
import com.amazonaws.client.builder.AwsClientBuilder.EndpointConfiguration;
import com.amazonaws.services.kms.AWSKMS;
import com.amazonaws.services.kms.AWSKMSClientBuilder;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.integration.awskms.AwsKmsAead;
import io.bulwark.core.Strings;
import io.bulwark.core.UnavailableException;
import io.bulwark.crypto.AwsKmsSettings;
import io.bulwark.crypto.KeyVersion;
import io.bulwark.crypto.WrappedKey;
import io.bulwark.crypto.spi.KeyEncryptionKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A key-encryption key in AWS KMS, through Tink's {@code tink-awskms} ({@link AwsKmsAead}, AWS SDK
 * for Java 1.x): data keys are sent to KMS {@code Encrypt}/{@code Decrypt} for the configured key,
 * with the associated data, hex-encoded, as the encryption context entry {@code associatedData}
 * (omitted when empty). The key material never leaves KMS.
 *
 * <p>Failures are sorted so that an outage is never reported as tampering: no connection, a
 * timeout, a 5xx answer, throttling or KMS's own internal and dependency errors become {@link
 * UnavailableException}; any other refusal by KMS (bad ciphertext, other encryption context, access
 * denied, disabled key) and a Decrypt answer naming another key become {@link
 * GeneralSecurityException}.
 *
 * <p>Timeouts are bounded: {@value #CONNECT_TIMEOUT_MILLIS} ms to connect, {@value
 * #SOCKET_TIMEOUT_MILLIS} ms per read, at most {@value #MAX_ERROR_RETRY} retries, and {@value
 * #EXECUTION_TIMEOUT_MILLIS} ms for a whole call including retries.
 *
 * <p>Rotation is KMS's own: enable automatic key rotation on the KMS key. The key id stays the
 * same, KMS keeps every earlier key material, and every wrapped key keeps working; {@link #rotate}
 * and {@link #disable} therefore throw {@link io.bulwark.crypto.KeyRotationUnsupportedException}.
 */
public final class AwsKmsKeyEncryptionKey implements KeyEncryptionKey {
  static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  static final int SOCKET_TIMEOUT_MILLIS = 10_000;
  static final int EXECUTION_TIMEOUT_MILLIS = 30_000;
  static final int MAX_ERROR_RETRY = 2;

  /** Largest credentials file accepted. */
  static final int MAX_CREDENTIALS_FILE_BYTES = 8 * 1024;

  /** KMS error codes (4xx though they are) that say KMS, not the input, is the problem. */
  private static final Set<String> UNAVAILABLE_CODES =
      Set.of(
          "ThrottlingException",
          "Throttling",
          "RequestLimitExceeded",
          "TooManyRequestsException",
          "KMSInternalException",
          "DependencyTimeoutException",
          "KeyUnavailableException",
          "RequestTimeout",
          "RequestTimeoutException");

  private final Aead aead;
  private final String keyId;

  private AwsKmsKeyEncryptionKey(Aead aead, String keyId) {
    this.aead = aead;
    this.keyId = keyId;
  }

  /** See {@link io.bulwark.crypto.KeyEncryptionKeys#awsKms(AwsKmsSettings)}. */
  public static KeyEncryptionKey open(AwsKmsSettings settings) throws IOException {
    return open(
        settings,
        new Timeouts(
            Duration.ofMillis(CONNECT_TIMEOUT_MILLIS),
            Duration.ofMillis(SOCKET_TIMEOUT_MILLIS),
            Duration.ofMillis(EXECUTION_TIMEOUT_MILLIS),
            MAX_ERROR_RETRY));
  }

  /** Client limits; tests shorten them. */
  record Timeouts(Duration connect, Duration socket, Duration execution, int maxErrorRetry) {}

  static KeyEncryptionKey open(AwsKmsSettings settings, Timeouts timeouts) throws IOException {
    Path credentialsFile = settings.credentialsFile();
    AWSCredentialsProvider credentials =
        credentialsFile == null
            ? DefaultAWSCredentialsProviderChain.getInstance()
            : new AWSStaticCredentialsProvider(readCredentials(credentialsFile));
    ClientConfiguration client =
        new ClientConfiguration()
            .withConnectionTimeout(Math.toIntExact(timeouts.connect().toMillis()))
            .withSocketTimeout(Math.toIntExact(timeouts.socket().toMillis()))
            .withRequestTimeout(Math.toIntExact(timeouts.socket().toMillis()))
            .withClientExecutionTimeout(Math.toIntExact(timeouts.execution().toMillis()))
            .withMaxErrorRetry(timeouts.maxErrorRetry());
    AWSKMSClientBuilder builder =
        AWSKMSClientBuilder.standard().withCredentials(credentials).withClientConfiguration(client);
    if (settings.endpoint() != null) {
      builder.withEndpointConfiguration(
          new EndpointConfiguration(settings.endpoint().toString(), settings.region()));
    } else {
      builder.withRegion(settings.region());
    }
    AWSKMS kms;
    try {
      kms = builder.build();
    } catch (AmazonClientException | IllegalArgumentException e) {
      throw new UnavailableException("AWS KMS unavailable: cannot configure the client", e);
    }
    return new AwsKmsKeyEncryptionKey(
        new AwsKmsAead(kms, settings.keyArn()), "aws-kms:" + settings.keyArn());
  }

  /**
   * Reads {@code accessKey}, {@code secretKey} and optionally {@code sessionToken} from a private
   * properties file. Messages never quote the file's content.
   */
  private static AWSCredentials readCredentials(Path file) throws IOException {
    byte[] content =
        BoundedFiles.readPrivate(file, MAX_CREDENTIALS_FILE_BYTES, "AWS credentials file");
    try {
      Properties properties = new Properties();
      properties.load(
          new InputStreamReader(new ByteArrayInputStream(content), StandardCharsets.UTF_8));
      String accessKey = nonBlank(properties.getProperty("accessKey"));
      String secretKey = nonBlank(properties.getProperty("secretKey"));
      String sessionToken = nonBlank(properties.getProperty("sessionToken"));
      if (accessKey == null || secretKey == null) {
        throw new IOException(
            "AWS credentials file " + file + " must define accessKey and secretKey");
      }
      return sessionToken == null
          ? new BasicAWSCredentials(accessKey, secretKey)
          : new BasicSessionCredentials(accessKey, secretKey, sessionToken);
    } catch (IllegalArgumentException e) {
      throw new IOException("AWS credentials file " + file + " is not a properties file");
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  private static @Nullable String nonBlank(@Nullable String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  @Override
  public String keyId() {
    return keyId;
  }

  @Override
  public WrappedKey wrap(byte[] plaintextKey, byte[] associatedData)
      throws GeneralSecurityException {
    try {
      return new WrappedKey(keyId, aead.encrypt(plaintextKey, associatedData));
    } catch (GeneralSecurityException e) {
      throw sorted("encrypt", e);
    } catch (AmazonClientException | IllegalArgumentException | NullPointerException e) {
      // No answer, a timeout, or an answer without a ciphertext: KMS, not the input, failed.
      throw new UnavailableException("AWS KMS unavailable: cannot encrypt", e);
    }
  }

  @Override
  public byte[] unwrap(WrappedKey wrapped, byte[] associatedData) throws GeneralSecurityException {
    if (!wrapped.kekId().equals(keyId)) {
      // Decrypt would name the key anyway; refusing here saves a round trip and a KMS audit entry.
      throw new GeneralSecurityException(
          "key-encryption key " + wrapped.kekId() + " is not " + keyId);
    }
    try {
      return aead.decrypt(wrapped.bytes(), associatedData);
    } catch (GeneralSecurityException e) {
      throw sorted("decrypt", e);
    } catch (AmazonClientException | NullPointerException e) {
      throw new UnavailableException("AWS KMS unavailable: cannot decrypt", e);
    }
  }

  /** Sorts a failure {@link AwsKmsAead} reported: outages out, refusals through. */
  private static GeneralSecurityException sorted(String operation, GeneralSecurityException e) {
    if (e.getCause() instanceof AmazonServiceException service) {
      String code = service.getErrorCode() == null ? "" : service.getErrorCode();
      if (service.getErrorType() == AmazonServiceException.ErrorType.Service
          || service.getStatusCode() >= 500
          || UNAVAILABLE_CODES.contains(code)) {
        throw new UnavailableException("AWS KMS unavailable: cannot " + operation, e);
      }
      String shown = Strings.printable(code.length() > 64 ? code.substring(0, 64) : code);
      return new GeneralSecurityException("AWS KMS refused to " + operation + ": " + shown, e);
    }
    return new GeneralSecurityException("AWS KMS " + operation + " failed", e);
  }

  @Override
  public List<KeyVersion> versions() {
    return List.of(new KeyVersion(keyId, KeyVersion.Status.PRIMARY));
  }

  @Override
  public String toString() {
    return "AwsKmsKeyEncryptionKey[" + keyId + "]";
  }
}
