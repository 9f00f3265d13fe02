package io.bulwark.server.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.Limits;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * JSON for the management API: a strict reader (depth and size limits, unknown fields and duplicate
 * keys refused, no source excerpts in errors) and a writer.
 */
public final class Json {
  /** Management request bodies are small documents; larger ones are refused. */
  public static final int MAX_MANAGEMENT_BODY = 64 * 1024;

  private final ObjectMapper mapper;

  public Json(Limits limits) {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(limits.maxJsonDepth())
                    .maxStringLength(MAX_MANAGEMENT_BODY)
                    .maxNumberLength(64)
                    .build())
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    this.mapper =
        new ObjectMapper(factory)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.mapper.getFactory().disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
    // A number or boolean where text belongs is a client mistake, not something to convert.
    for (CoercionInputShape shape :
        new CoercionInputShape[] {
          CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean
        }) {
      this.mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
    }
  }

  public ObjectNode object() {
    return mapper.createObjectNode();
  }

  /** Reads a request body into {@code type}, with a client-safe message on any problem. */
  public <T> T read(byte[] body, Class<T> type) {
    if (body.length == 0) {
      throw new InvalidRequestException("request body must be a JSON object");
    }
    try {
      return mapper.readValue(body, type);
    } catch (IOException e) {
      throw new InvalidRequestException("invalid JSON request: " + JsonErrors.describe(e), e);
    }
  }

  /** Returns {@code value}, or refuses the request because the field is missing or null. */
  public static <T> T required(@Nullable T value, String field) {
    if (value == null) {
      throw new InvalidRequestException("field '" + field + "' is required and must not be null");
    }
    return value;
  }

  /** Parses stored JSON written by this server. */
  public JsonNode tree(String json) {
    try {
      return mapper.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("stored JSON does not parse", e);
    }
  }

  public String write(JsonNode node) {
    try {
      return mapper.writeValueAsString(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public HttpResponse response(HttpStatus status, JsonNode node) {
    return HttpResponse.of(status, MediaType.JSON_UTF_8, write(node));
  }

  /** {@code {"error": message}}. */
  public byte[] error(String message) {
    try {
      return mapper.writeValueAsBytes(object().put("error", message));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
