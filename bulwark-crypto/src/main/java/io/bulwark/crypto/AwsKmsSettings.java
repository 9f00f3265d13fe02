package io.bulwark.crypto;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where an AWS KMS key-encryption key lives and how to reach it; see {@link
 * KeyEncryptionKeys#awsKms(AwsKmsSettings)}.
 *
 * @param keyArn the ARN of a symmetric KMS key, {@code arn:<partition>:kms:<region>:<account>:key/
 *     <id>}, or the same prefixed with {@code aws-kms://} (Tink's key URI form, which is stripped).
 *     Aliases are refused: an alias can be repointed to another key, and {@link WrappedKey#kekId()}
 *     must name the key that wrapped. At most {@value #MAX_KEY_ARN_LENGTH} characters
 * @param credentialsFile a Java properties file holding {@code accessKey} and {@code secretKey}
 *     (the AWS SDK's {@code PropertiesFileCredentialsProvider} format); {@code null} to use the AWS
 *     SDK's default chain (environment, system properties, profile, container or instance role)
 * @param endpoint an {@code https} (or, for loopback tests only, {@code http}) URI overriding the
 *     regional KMS endpoint, for VPC endpoints and tests; {@code null} for the region's public
 *     endpoint
 */
public record AwsKmsSettings(
    String keyArn, @Nullable Path credentialsFile, @Nullable URI endpoint) {

  /** Longest accepted key ARN: leaves room for {@code aws-kms:} in {@link WrappedKey#kekId()}. */
  public static final int MAX_KEY_ARN_LENGTH = 240;

  private static final String URI_PREFIX = "aws-kms://";
  private static final Pattern KEY_ARN =
      Pattern.compile("arn:aws[a-z-]{0,20}:kms:[a-z0-9-]{1,40}:[0-9]{12}:key/[A-Za-z0-9-]{1,128}");

  public AwsKmsSettings {
    if (keyArn.startsWith(URI_PREFIX)) {
      keyArn = keyArn.substring(URI_PREFIX.length());
    }
    if (keyArn.length() > MAX_KEY_ARN_LENGTH || !KEY_ARN.matcher(keyArn).matches()) {
      // Echoing an ARN is safe (not secret), but the input may be anything; keep it out.
      throw new IllegalArgumentException(
          "AWS KMS key must be a key ARN (arn:aws:kms:<region>:<account>:key/<id>) of at most "
              + MAX_KEY_ARN_LENGTH
              + " characters; aliases are not accepted");
    }
    if (endpoint != null) {
      String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme();
      scheme = scheme.toLowerCase(Locale.ROOT);
      boolean loopback = isLoopback(endpoint.getHost());
      if (!endpoint.isAbsolute()
          || endpoint.getHost() == null
          || endpoint.getRawUserInfo() != null
          || endpoint.getRawQuery() != null
          || endpoint.getRawFragment() != null
          || !(scheme.equals("https") || (scheme.equals("http") && loopback))) {
        throw new IllegalArgumentException(
            "AWS KMS endpoint must be an https URI without user info, query or fragment"
                + " (http only on loopback)");
      }
    }
  }

  /** The region named by {@link #keyArn()}, where the KMS key lives. */
  public String region() {
    return keyArn.split(":", 6)[3];
  }

  private static boolean isLoopback(@Nullable String host) {
    return host != null
        && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
  }
}
