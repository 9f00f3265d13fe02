package io.bulwark.registry;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.ModelNames;

/**
 * A request to add a model version.
 *
 * @param format the artifact format, for example {@code onnx}
 * @param actor who pushes, as recorded
 * @param maxBytes the largest artifact accepted
 */
public record PushRequest(String name, String version, String format, String actor, long maxBytes) {
  public PushRequest {
    ModelNames.checkName(name);
    ModelNames.checkVersion(version);
    if (!format.matches("[a-z0-9]{1,16}")) {
      throw new InvalidRequestException("invalid format");
    }
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive");
    }
  }
}
