package io.bulwark.audit;

import io.bulwark.audit.internal.EventCodec;
import io.bulwark.core.LimitExceededException;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;

/**
 * One audited event. Its {@link #toCanonicalJson canonical JSON} is exactly the Merkle leaf that
 * the log commits to, so two equal events always serialise to the same bytes.
 *
 * <p>The compact constructor enforces the limits below and applies {@link Redaction}: a parameter
 * whose key names secret material is stored as {@value Redaction#REDACTED}. Strings must be valid
 * Unicode (no unpaired surrogates), so the UTF-8 encoding is exact.
 *
 * @param type what happened
 * @param outcome how it ended
 * @param actor the principal id that acted ({@code "-"} when unauthenticated)
 * @param resource what was acted on, e.g. {@code model:fraud/2} ({@code "-"} when none)
 * @param requestId the correlation id of the request ({@code "-"} when none)
 * @param time when it happened
 * @param parameters ids, digests and sizes; never payloads or secrets
 */
public record AuditEvent(
    AuditEventType type,
    AuditOutcome outcome,
    String actor,
    String resource,
    String requestId,
    Instant time,
    Map<String, String> parameters) {

  /** Longest actor, resource or request id, in chars. */
  public static final int MAX_FIELD_CHARS = 512;

  /** Most parameters per event. */
  public static final int MAX_PARAMETERS = 32;

  /** Longest parameter key, in chars. */
  public static final int MAX_PARAMETER_KEY_CHARS = 64;

  /** Longest parameter value, in chars. */
  public static final int MAX_PARAMETER_VALUE_CHARS = 1024;

  /** Largest canonical encoding, in bytes; every event within the other limits fits. */
  public static final int MAX_ENCODED_BYTES = 256 * 1024;

  public AuditEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(outcome, "outcome");
    checkField("actor", actor);
    checkField("resource", resource);
    checkField("requestId", requestId);
    Objects.requireNonNull(time, "time");
    if (time.getEpochSecond() < 0 || time.getEpochSecond() > 253402300799L) {
      throw new IllegalArgumentException("time must be between 1970 and 9999");
    }
    if (parameters.size() > MAX_PARAMETERS) {
      throw new LimitExceededException(
          "audit.max_parameters", MAX_PARAMETERS, "the number of audit parameters");
    }
    parameters.forEach(
        (k, v) -> {
          Objects.requireNonNull(k, "parameter key");
          Objects.requireNonNull(v, "parameter value");
          if (k.isEmpty() || k.length() > MAX_PARAMETER_KEY_CHARS || !isKey(k)) {
            throw new IllegalArgumentException(
                "a parameter key must be 1.."
                    + MAX_PARAMETER_KEY_CHARS
                    + " characters of [A-Za-z0-9_.-]");
          }
          if (v.length() > MAX_PARAMETER_VALUE_CHARS) {
            throw new LimitExceededException(
                "audit.max_parameter_value_chars",
                MAX_PARAMETER_VALUE_CHARS,
                "an audit parameter value");
          }
          checkUnicode("parameter value", v);
        });
    parameters = Collections.unmodifiableMap(Redaction.apply(parameters));
  }

  /** An event now, without parameters. */
  public static AuditEvent of(
      AuditEventType type, AuditOutcome outcome, String actor, String resource, String requestId) {
    return new AuditEvent(type, outcome, actor, resource, requestId, Instant.now(), Map.of());
  }

  /**
   * The canonical encoding: one JSON object with the fields in a fixed order ({@code v, type,
   * outcome, actor, resource, requestId, time, parameters}), parameters sorted by key, no
   * whitespace, strict UTF-8, only {@code "}, {@code \} and control characters escaped.
   */
  public byte[] toCanonicalJson() {
    return EventCodec.encode(this);
  }

  /**
   * Parses a canonical encoding back, refusing anything longer than {@link #MAX_ENCODED_BYTES},
   * outside the limits, or not byte-for-byte canonical (so a parsed event re-encodes to the input).
   *
   * @throws IllegalArgumentException if {@code json} is not a canonical audit event
   */
  public static AuditEvent parse(byte[] json) {
    return EventCodec.decode(json);
  }

  private static void checkField(String name, String value) {
    Objects.requireNonNull(value, name);
    if (value.isEmpty() || value.length() > MAX_FIELD_CHARS) {
      throw new IllegalArgumentException(
          name + " must be 1.." + MAX_FIELD_CHARS + " characters (use \"-\" for none)");
    }
    checkUnicode(name, value);
  }

  private static void checkUnicode(String name, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
          throw new IllegalArgumentException(name + " is not valid Unicode");
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        throw new IllegalArgumentException(name + " is not valid Unicode");
      }
    }
  }

  private static boolean isKey(String k) {
    for (int i = 0; i < k.length(); i++) {
      char c = k.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '.'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
