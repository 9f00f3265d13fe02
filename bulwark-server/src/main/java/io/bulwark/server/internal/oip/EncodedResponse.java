package io.bulwark.server.internal.oip;

import org.jspecify.annotations.Nullable;

/**
 * An inference response ready to send.
 *
 * @param body the whole HTTP body: the JSON object, then any binary tensor data. Not copied; the
 *     caller owns it.
 * @param inferenceHeaderContentLength the value of the {@code Inference-Header-Content-Length}
 *     header (the JSON object's length in bytes) when binary data follows the JSON, else null
 * @param contentType {@code application/octet-stream} when binary data follows, else {@code
 *     application/json}
 */
@SuppressWarnings("ArrayRecordComponent") // the body is handed to the transport without a copy
public record EncodedResponse(
    byte[] body, @Nullable Integer inferenceHeaderContentLength, String contentType) {
  public EncodedResponse {
    if (inferenceHeaderContentLength != null
        && (inferenceHeaderContentLength < 0 || inferenceHeaderContentLength > body.length)) {
      throw new IllegalArgumentException("header length outside the body");
    }
  }
}
