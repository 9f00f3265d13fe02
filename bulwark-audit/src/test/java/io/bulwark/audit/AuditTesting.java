package io.bulwark.audit;

import java.time.Instant;
import java.util.Map;

/** Events for tests. */
final class AuditTesting {
  private AuditTesting() {}

  static AuditEvent event(int i) {
    return new AuditEvent(
        AuditEventType.INFERENCE,
        AuditOutcome.SUCCESS,
        "consumer-" + (i % 7),
        "model:fraud/1",
        "req-" + i,
        Instant.ofEpochSecond(1_767_225_600L + i),
        Map.of("inputDigest", "sha256:" + Integer.toHexString(i), "n", Integer.toString(i)));
  }
}
