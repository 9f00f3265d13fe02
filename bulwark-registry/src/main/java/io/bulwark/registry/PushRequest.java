package io.bulwark.registry;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.ModelNames;
import org.jspecify.annotations.Nullable;

/**
 * A request to add a model version.
 *
 * @param format the artifact format, for example {@code onnx}
 * @param actor who pushes, as recorded
 * @param maxBytes the largest artifact accepted
 * @param card the publisher's model card, or null where the caller does not require one
 * @param signature the OMS signature bundle that came with the artifact, or null; stored so that it
 *     can be verified again whenever the version is loaded
 */
@SuppressWarnings("ArrayRecordComponent") // copied in and out
public record PushRequest(
    String name,
    String version,
    String format,
    String actor,
    long maxBytes,
    @Nullable ModelCard card,
    byte[] signature) {

  public PushRequest {
    ModelNames.checkName(name);
    ModelNames.checkVersion(version);
    if (!format.matches("[a-z0-9]{1,16}")) {
      throw new InvalidRequestException("invalid format");
    }
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive");
    }
    signature = signature.clone();
  }

  /** A push without a card or a signature. */
  public PushRequest(String name, String version, String format, String actor, long maxBytes) {
    this(name, version, format, actor, maxBytes, null, new byte[0]);
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** Whether a signature bundle came with the artifact. */
  public boolean signed() {
    return signature.length > 0;
  }
}
