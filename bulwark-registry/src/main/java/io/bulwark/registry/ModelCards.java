package io.bulwark.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.core.InvalidRequestException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Model cards as JSON: the wire and storage form, with snake_case field names. Parsing is strict:
 * unknown fields, wrong types, duplicate keys and oversized documents are refused.
 */
public final class ModelCards {
  /** Largest card document accepted. */
  public static final int MAX_BYTES = 64 * 1024;

  private static final Set<String> FIELDS =
      Set.of(
          "owner",
          "description",
          "intended_use",
          "limitations",
          "training_data",
          "licence",
          "risk_tier",
          "data_classification",
          "parent_version");

  private static final ObjectMapper MAPPER = mapper();

  private ModelCards() {}

  private static ObjectMapper mapper() {
    ObjectMapper m = new ObjectMapper();
    m.getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(4)
                .maxStringLength(MAX_BYTES)
                .maxDocumentLength(MAX_BYTES)
                .build());
    m.enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    m.enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    return m;
  }

  /**
   * Parses and validates a card.
   *
   * @throws InvalidRequestException naming the first problem
   */
  public static ModelCard parse(byte[] json) {
    if (json.length > MAX_BYTES) {
      throw new InvalidRequestException("model card is larger than " + MAX_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new InvalidRequestException("model card is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new InvalidRequestException("model card must be a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw new InvalidRequestException(
            "model card: unknown field '" + io.bulwark.core.Strings.printable(f) + "'");
      }
    }
    List<String> sources = new ArrayList<>();
    JsonNode training = root.get("training_data");
    if (training != null && !training.isNull()) {
      if (!training.isArray()) {
        throw new InvalidRequestException("model card: training_data must be a list of strings");
      }
      if (training.size() > ModelCard.MAX_LIST) {
        throw new InvalidRequestException(
            "model card: training_data has more than " + ModelCard.MAX_LIST + " entries");
      }
      for (JsonNode n : training) {
        if (!n.isTextual()) {
          throw new InvalidRequestException("model card: training_data must be a list of strings");
        }
        sources.add(n.textValue());
      }
    }
    return new ModelCard(
        text(root, "owner"),
        text(root, "description"),
        text(root, "intended_use"),
        optionalText(root, "limitations"),
        sources,
        text(root, "licence"),
        text(root, "risk_tier"),
        optionalText(root, "data_classification") == null
            ? "internal"
            : text(root, "data_classification"),
        optionalText(root, "parent_version"));
  }

  private static String text(JsonNode root, String field) {
    String v = optionalText(root, field);
    if (v == null) {
      throw new InvalidRequestException("model card: " + field + " is required");
    }
    return v;
  }

  private static @Nullable String optionalText(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new InvalidRequestException("model card: " + field + " must be a string");
    }
    return n.textValue();
  }

  /** The card as a JSON object. */
  public static ObjectNode toNode(ModelCard card) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("owner", card.owner());
    o.put("description", card.description());
    o.put("intended_use", card.intendedUse());
    o.put("limitations", card.limitations());
    ArrayNode sources = o.putArray("training_data");
    card.trainingData().forEach(sources::add);
    o.put("licence", card.licence());
    o.put("risk_tier", card.riskTier());
    o.put("data_classification", card.dataClassification());
    o.put("parent_version", card.parentVersion());
    return o;
  }

  static String toJson(ModelCard card) {
    try {
      return MAPPER.writeValueAsString(toNode(card));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static ModelCard fromJson(String stored) {
    return parse(stored.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
