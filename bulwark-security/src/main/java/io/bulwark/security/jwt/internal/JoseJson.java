package io.bulwark.security.jwt.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for JOSE headers, claims and JWK sets, parsed as hostile input: duplicate member names
 * (which parsers resolve differently), trailing data, deep nesting, long strings and long numbers
 * all fail.
 */
final class JoseJson {
  /** Deepest nesting in a JOSE header; a flat object with one array member ({@code crit}) is 2. */
  static final int MAX_HEADER_DEPTH = 4;

  /** Deepest nesting in a claims set ({@code realm_access.roles} style claims need 3). */
  static final int MAX_CLAIMS_DEPTH = 8;

  static final int MAX_STRING_CHARS = 64 * 1024;
  static final int MAX_NUMBER_CHARS = 64;

  private static final JsonMapper HEADER = mapper(MAX_HEADER_DEPTH);
  private static final JsonMapper CLAIMS = mapper(MAX_CLAIMS_DEPTH);
  private static final JsonMapper JWKS = mapper(io.bulwark.security.jwt.JwkSet.MAX_DEPTH);

  private JoseJson() {}

  private static JsonMapper mapper(int depth) {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(depth)
                    .maxStringLength(MAX_STRING_CHARS)
                    .maxNumberLength(MAX_NUMBER_CHARS)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    return JsonMapper.builder(factory)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
        .build();
  }

  static JsonNode header(byte[] json) throws IOException {
    return read(HEADER, json);
  }

  static JsonNode claims(byte[] json) throws IOException {
    return read(CLAIMS, json);
  }

  static JsonNode jwks(byte[] json) throws IOException {
    return read(JWKS, json);
  }

  private static JsonNode read(JsonMapper mapper, byte[] json) throws IOException {
    JsonNode node = mapper.readTree(json);
    if (node == null || !node.isObject()) {
      throw new IOException("not a JSON object");
    }
    return node;
  }

  /**
   * An immutable Java view of a JSON object: String, Boolean, Long (BigInteger beyond long),
   * BigDecimal, List, Map. Members whose value is null are left out; a null inside an array has no
   * faithful immutable representation, so it is refused.
   */
  static Map<String, Object> toMap(JsonNode object) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : object.properties()) {
      if (!e.getValue().isNull()) {
        out.put(e.getKey(), toJava(e.getValue()));
      }
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  private static Object toJava(JsonNode node) {
    if (node.isObject()) {
      return toMap(node);
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>(node.size());
      for (JsonNode element : node) {
        if (element.isNull()) {
          throw new IllegalArgumentException("null inside an array");
        }
        list.add(toJava(element));
      }
      return List.copyOf(list);
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
    }
    if (node.isNumber()) {
      BigDecimal d = node.decimalValue();
      return d;
    }
    throw new IllegalArgumentException("unsupported JSON value");
  }
}
