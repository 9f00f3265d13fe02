package io.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.LimitExceededException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditEventTest {
  private static final Instant T = Instant.parse("2026-01-02T03:04:05.123456Z");

  private static AuditEvent event(Map<String, String> params) {
    return new AuditEvent(
        AuditEventType.DEPLOY, AuditOutcome.SUCCESS, "alice", "model:fraud/2", "req-1", T, params);
  }

  @Test
  void toCanonicalJson_fixedOrderSortedParameters_exactBytes() {
    AuditEvent e = event(Map.of("z", "1", "a", "\"q\"\n\u00e9"));
    assertThat(new String(e.toCanonicalJson(), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"v\":1,\"type\":\"DEPLOY\",\"outcome\":\"SUCCESS\",\"actor\":\"alice\","
                + "\"resource\":\"model:fraud/2\",\"requestId\":\"req-1\","
                + "\"time\":\"2026-01-02T03:04:05.123456Z\","
                + "\"parameters\":{\"a\":\"\\\"q\\\"\\u000a\u00e9\",\"z\":\"1\"}}");
  }

  @Test
  void parse_canonicalBytes_roundTrips() {
    AuditEvent e = event(Map.of("digest", "sha256:ab", "size", "12"));
    assertThat(AuditEvent.parse(e.toCanonicalJson())).isEqualTo(e);
  }

  @Test
  void parse_nonCanonicalSpelling_rejected() {
    byte[] canonical = event(Map.of()).toCanonicalJson();
    String s = new String(canonical, StandardCharsets.UTF_8);
    for (String bad :
        new String[] {
          s.replace(",\"outcome\"", ", \"outcome\""),
          s.replace("alice", "\\u0061lice"),
          s + "\n",
          s.replace("{\"v\":1,", "{\"v\":2,"),
          s.replace("\"type\":\"DEPLOY\",", "")
        }) {
      assertThatThrownBy(() -> AuditEvent.parse(bad.getBytes(StandardCharsets.UTF_8)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void parse_invalidUtf8_rejected() {
    byte[] b = event(Map.of()).toCanonicalJson();
    int i = new String(b, StandardCharsets.UTF_8).indexOf("alice");
    b[i] = (byte) 0xff;
    assertThatThrownBy(() -> AuditEvent.parse(b)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parse_justAboveMaxBytes_rejected() {
    assertThatThrownBy(() -> AuditEvent.parse(new byte[AuditEvent.MAX_ENCODED_BYTES + 1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("larger than");
  }

  @Test
  void create_parametersAtAndAboveLimit_acceptedThenRejected() {
    Map<String, String> p = new HashMap<>();
    for (int i = 0; i < AuditEvent.MAX_PARAMETERS; i++) {
      p.put("p" + i, "v");
    }
    AuditEvent atLimit = event(p);
    assertThat(AuditEvent.parse(atLimit.toCanonicalJson())).isEqualTo(atLimit);
    p.put("one-more", "v");
    assertThatThrownBy(() -> event(p)).isInstanceOf(LimitExceededException.class);
  }

  @Test
  void create_valueAtAndAboveLimit_acceptedThenRejected() {
    String max = "\u00e9".repeat(AuditEvent.MAX_PARAMETER_VALUE_CHARS);
    AuditEvent e = event(Map.of("note", max));
    assertThat(AuditEvent.parse(e.toCanonicalJson())).isEqualTo(e);
    assertThatThrownBy(() -> event(Map.of("note", max + "x")))
        .isInstanceOf(LimitExceededException.class);
  }

  @Test
  void create_keyAndFieldLimits_enforced() {
    event(Map.of("k".repeat(AuditEvent.MAX_PARAMETER_KEY_CHARS), "v"));
    assertThatThrownBy(() -> event(Map.of("k".repeat(AuditEvent.MAX_PARAMETER_KEY_CHARS + 1), "v")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> event(Map.of("bad key", "v")))
        .isInstanceOf(IllegalArgumentException.class);
    String actor = "a".repeat(AuditEvent.MAX_FIELD_CHARS);
    new AuditEvent(AuditEventType.INFERENCE, AuditOutcome.SUCCESS, actor, "-", "-", T, Map.of());
    assertThatThrownBy(
            () ->
                new AuditEvent(
                    AuditEventType.INFERENCE,
                    AuditOutcome.SUCCESS,
                    actor + "a",
                    "-",
                    "-",
                    T,
                    Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new AuditEvent(
                    AuditEventType.INFERENCE,
                    AuditOutcome.SUCCESS,
                    "\ud800",
                    "-",
                    "-",
                    T,
                    Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unicode");
  }

  @Test
  void create_secretNamedParameters_redacted() {
    AuditEvent e =
        event(
            Map.of(
                "password", "hunter2",
                "api_key", "bk_live_x",
                "clientSecret", "s",
                "refresh-token", "t",
                "key", "k",
                "keyId", "key-7",
                "tokenId", "tok-1",
                "artifactDigest", "sha256:ab"));
    assertThat(e.parameters())
        .containsEntry("password", Redaction.REDACTED)
        .containsEntry("api_key", Redaction.REDACTED)
        .containsEntry("clientSecret", Redaction.REDACTED)
        .containsEntry("refresh-token", Redaction.REDACTED)
        .containsEntry("key", Redaction.REDACTED)
        .containsEntry("keyId", "key-7")
        .containsEntry("tokenId", "tok-1")
        .containsEntry("artifactDigest", "sha256:ab");
    assertThat(new String(e.toCanonicalJson(), StandardCharsets.UTF_8))
        .doesNotContain("hunter2")
        .doesNotContain("bk_live_x");
  }
}
