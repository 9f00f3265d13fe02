package io.bulwark.audit.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.bulwark.audit.AuditEvent;
import io.bulwark.audit.AuditEventType;
import io.bulwark.audit.AuditOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The canonical JSON form of an {@link AuditEvent}, written by hand so that the bytes (the Merkle
 * leaf) never depend on a library's formatting choices, and read back with a limited streaming
 * parser and a byte-for-byte re-encoding check.
 */
public final class EventCodec {
  /** The format version written into every record. */
  static final int VERSION = 1;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(2)
                  .maxStringLength(AuditEvent.MAX_PARAMETER_VALUE_CHARS * 6)
                  .maxNameLength(AuditEvent.MAX_PARAMETER_KEY_CHARS * 6)
                  .maxNumberLength(4)
                  .maxDocumentLength(AuditEvent.MAX_ENCODED_BYTES)
                  .build())
          .build();

  private EventCodec() {}

  /** The canonical bytes of {@code event}. */
  public static byte[] encode(AuditEvent event) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"v\":").append(VERSION);
    b.append(",\"type\":");
    string(b, event.type().name());
    b.append(",\"outcome\":");
    string(b, event.outcome().name());
    b.append(",\"actor\":");
    string(b, event.actor());
    b.append(",\"resource\":");
    string(b, event.resource());
    b.append(",\"requestId\":");
    string(b, event.requestId());
    b.append(",\"time\":");
    string(b, event.time().toString());
    b.append(",\"parameters\":{");
    boolean first = true;
    for (Map.Entry<String, String> e : event.parameters().entrySet()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      string(b, e.getKey());
      b.append(':');
      string(b, e.getValue());
    }
    b.append("}}");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Parses canonical bytes; see {@link AuditEvent#parse}. */
  public static AuditEvent decode(byte[] json) {
    if (json.length > AuditEvent.MAX_ENCODED_BYTES) {
      throw new IllegalArgumentException(
          "audit record is larger than " + AuditEvent.MAX_ENCODED_BYTES + " bytes");
    }
    AuditEvent event;
    try (JsonParser p = FACTORY.createParser(json)) {
      event = read(p);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "not an audit record: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""),
          e);
    }
    if (!MessageDigest.isEqual(encode(event), json)) {
      throw new IllegalArgumentException("audit record is not in canonical form");
    }
    return event;
  }

  private static AuditEvent read(JsonParser p) throws IOException {
    expect(p.nextToken(), JsonToken.START_OBJECT);
    Map<String, String> fields = new LinkedHashMap<>();
    Map<String, String> parameters = new LinkedHashMap<>();
    int version = -1;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      expect(t, JsonToken.FIELD_NAME);
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (name.equals("v")) {
        expect(value, JsonToken.VALUE_NUMBER_INT);
        version = p.getIntValue();
      } else if (name.equals("parameters")) {
        expect(value, JsonToken.START_OBJECT);
        for (JsonToken u = p.nextToken(); u != JsonToken.END_OBJECT; u = p.nextToken()) {
          expect(u, JsonToken.FIELD_NAME);
          String key = p.currentName();
          expect(p.nextToken(), JsonToken.VALUE_STRING);
          if (parameters.size() >= AuditEvent.MAX_PARAMETERS) {
            throw new IllegalArgumentException(
                "more than " + AuditEvent.MAX_PARAMETERS + " parameters");
          }
          parameters.put(key, p.getText());
        }
      } else {
        expect(value, JsonToken.VALUE_STRING);
        if (fields.put(name, p.getText()) != null) {
          throw new IllegalArgumentException("duplicate field");
        }
      }
    }
    if (p.nextToken() != null) {
      throw new IllegalArgumentException("trailing data");
    }
    if (version != VERSION) {
      throw new IllegalArgumentException("unsupported record version");
    }
    Instant time;
    try {
      time = Instant.parse(required(fields, "time"));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("bad time", e);
    }
    return new AuditEvent(
        AuditEventType.valueOf(required(fields, "type")),
        AuditOutcome.valueOf(required(fields, "outcome")),
        required(fields, "actor"),
        required(fields, "resource"),
        required(fields, "requestId"),
        time,
        parameters);
  }

  private static String required(Map<String, String> fields, String name) {
    @Nullable String v = fields.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing field " + name);
    }
    return v;
  }

  private static void expect(@Nullable JsonToken actual, JsonToken wanted) {
    if (actual != wanted) {
      throw new IllegalArgumentException("expected " + wanted + " but found " + actual);
    }
  }

  private static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    b.append('"');
  }
}
