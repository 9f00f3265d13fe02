package io.bulwark.cli.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;

/**
 * JSON readers with explicit limits. Server responses are parsed as untrusted input: the size is
 * capped before parsing (see {@link ApiClient}), and nesting, string and number lengths here.
 */
final class Json {
  static final int MAX_DEPTH = 64;
  static final int MAX_STRING_CHARS = 1024 * 1024;
  static final int MAX_NUMBER_CHARS = 100;

  private static final JsonMapper MAPPER = mapper(MAX_DEPTH);

  private Json() {}

  /** A strict mapper: duplicate keys, trailing tokens and nesting deeper than maxDepth fail. */
  static JsonMapper mapper(int maxDepth) {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(maxDepth)
                    .maxStringLength(MAX_STRING_CHARS)
                    .maxNumberLength(MAX_NUMBER_CHARS)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // --json output goes to terminals too: escaping everything outside ASCII keeps C1
            // control characters from the server out of them and is still the same JSON.
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();
    return JsonMapper.builder(factory)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
  }

  static ObjectMapper mapper() {
    return MAPPER;
  }

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static JsonNode parse(byte[] json) throws IOException {
    return MAPPER.readTree(json);
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }

  /** Prints {@code node} indented, as {@code --json} promises. */
  static void print(PrintStream out, JsonNode node) {
    try {
      out.println(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node));
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }
}
