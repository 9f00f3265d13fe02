package io.bulwark.audit.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.audit.AuditEvent;
import io.bulwark.audit.AuditEventType;
import io.bulwark.audit.AuditOutcome;
import java.time.Instant;

/**
 * Audit events as OCSF 1.1 records: authentication events as Authentication (class 3002), every
 * other event as API Activity (class 6003). The mapping is documented in {@code docs/audit.md}.
 */
public final class OcsfMapper {
  static final String OCSF_VERSION = "1.1.0";
  private static final ObjectMapper JSON = new ObjectMapper();

  private OcsfMapper() {}

  /** The OCSF JSON of {@code e}. */
  public static byte[] map(AuditEvent e) {
    boolean auth =
        e.type() == AuditEventType.AUTHENTICATION_SUCCESS
            || e.type() == AuditEventType.AUTHENTICATION_FAILURE;
    int classUid = auth ? 3002 : 6003;
    int activity = auth ? 1 : activity(e.type());
    ObjectNode o = JSON.createObjectNode();
    o.put("class_uid", classUid);
    o.put("class_name", auth ? "Authentication" : "API Activity");
    o.put("category_uid", auth ? 3 : 6);
    o.put("activity_id", activity);
    o.put("type_uid", classUid * 100L + activity);
    o.put("time", e.time().toEpochMilli());
    boolean ok = e.outcome() == AuditOutcome.SUCCESS;
    o.put("status_id", ok ? 1 : 2);
    o.put("status", ok ? "Success" : "Failure");
    o.put("status_detail", e.outcome().name());
    o.put("severity_id", ok ? 1 : 3);
    o.put("severity", ok ? "Informational" : "Medium");
    o.put("message", e.type().name());
    ObjectNode meta = o.putObject("metadata");
    meta.put("version", OCSF_VERSION);
    meta.putObject("product").put("name", "Bulwark").put("vendor_name", "Bulwark");
    meta.put("log_name", "audit");
    meta.put("correlation_uid", e.requestId());
    if (auth) {
      o.putObject("user").put("uid", e.actor());
      o.putObject("service").put("name", e.resource());
    } else {
      o.putObject("actor").putObject("user").put("uid", e.actor());
      ObjectNode api = o.putObject("api");
      api.put("operation", e.type().name());
      api.putObject("request").put("uid", e.requestId());
      o.putArray("resources").addObject().put("uid", e.resource());
    }
    ObjectNode unmapped = o.putObject("unmapped");
    e.parameters().forEach(unmapped::put);
    return bytes(o);
  }

  /** The record that reports {@code n} dropped events ({@code total} since start). */
  public static byte[] dropped(long n, long total, Instant now) {
    ObjectNode o = JSON.createObjectNode();
    o.put("class_uid", 6003);
    o.put("class_name", "API Activity");
    o.put("category_uid", 6);
    o.put("activity_id", 99);
    o.put("type_uid", 600399);
    o.put("time", now.toEpochMilli());
    o.put("status_id", 2);
    o.put("status", "Failure");
    o.put("severity_id", 4);
    o.put("severity", "High");
    o.put("message", "dropped " + n + " audit events (SIEM stream buffer full or sink failing)");
    ObjectNode meta = o.putObject("metadata");
    meta.put("version", OCSF_VERSION);
    meta.putObject("product").put("name", "Bulwark").put("vendor_name", "Bulwark");
    meta.put("log_name", "audit");
    o.putObject("api").put("operation", "AUDIT_STREAM_DROPPED");
    o.putObject("unmapped").put("dropped", n).put("dropped_total", total);
    return bytes(o);
  }

  private static int activity(AuditEventType t) {
    return switch (t) {
      case MODEL_PUSH, TOKEN_ISSUED -> 1; // Create
      case INFERENCE, AUDIT_EXPORT, MODEL_DOWNLOAD -> 2; // Read
      case PRINCIPAL_CHANGE,
          KEY_CHANGE,
          KEY_ROTATION,
          POLICY_CHANGE,
          CONFIGURATION_CHANGE,
          APPROVE,
          DEPLOY,
          ROLLBACK ->
          3; // Update
      case UNDEPLOY, RETIRE, KEY_REVOCATION -> 4; // Delete
      default -> 99; // Other
    };
  }

  private static byte[] bytes(ObjectNode o) {
    try {
      return JSON.writeValueAsBytes(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serialises", e);
    }
  }
}
