package io.bulwark.server.internal.oip;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Names and small JSON bodies shared by the Open Inference Protocol endpoints. */
public final class OipJson {
  /** The binary tensor data extension's header giving the length of the JSON part of a body. */
  public static final String INFERENCE_HEADER_CONTENT_LENGTH = "inference-header-content-length";

  public static final String JSON_CONTENT_TYPE = "application/json";
  public static final String BINARY_CONTENT_TYPE = "application/octet-stream";

  /**
   * Writes JSON for every response. Immutable once built; NaN and infinities (which JSON cannot
   * express as numbers) are written as the strings {@code "NaN"}, {@code "Infinity"} and {@code
   * "-Infinity"}, Jackson's default.
   */
  static final JsonFactory WRITER =
      JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();

  private OipJson() {}

  /** The protocol's error object, {@code {"error": message}}. */
  public static byte[] error(String message) {
    GrowableBuffer out = new GrowableBuffer(message.length() + 16);
    try (JsonGenerator g = generator(out)) {
      g.writeStartObject();
      g.writeStringField("error", message);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray(0);
  }

  static JsonGenerator generator(GrowableBuffer out) throws IOException {
    return WRITER.createGenerator(out, JsonEncoding.UTF8);
  }
}
