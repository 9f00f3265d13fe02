package io.bulwark.server.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.bulwark.audit.AuditLog;
import io.bulwark.audit.ConsistencyProof;
import io.bulwark.audit.InclusionProof;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.security.Authorizer;
import io.bulwark.security.policy.PolicyAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The audit log under {@code /api/v1/audit}, for auditors (read-audit in the operator's tenant):
 * the latest signed checkpoint as a C2SP signed note, the note verifier key, entries by range, and
 * inclusion and consistency proofs, so that a client can check any entry against a checkpoint and
 * any checkpoint against an earlier one without trusting the server.
 */
public final class AuditApi {
  private static final String PREFIX = "/api/v1/audit";
  private static final int MAX_QUERY_BODY = 1;

  private final AuditLog log;
  private final Authorizer authorizer;
  private final Json json;
  private final Blocking blocking;

  public AuditApi(AuditLog log, Authorizer authorizer, Json json, Blocking blocking) {
    this.log = log;
    this.authorizer = authorizer;
    this.json = json;
    this.blocking = blocking;
  }

  public void register(ServerBuilder sb) {
    route(sb, "/checkpoint", this::checkpoint);
    route(sb, "/key", this::key);
    route(sb, "/entries", this::entries);
    route(sb, "/proof/inclusion", this::inclusion);
    route(sb, "/proof/consistency", this::consistency);
  }

  private void route(ServerBuilder sb, String path, Blocking.Handler handler) {
    sb.route()
        .methods(HttpMethod.GET)
        .path(PREFIX + path)
        .maxRequestLength(MAX_QUERY_BODY)
        .build(
            blocking.aggregated(
                (ctx, req) -> {
                  authorizer.checkSystem(
                      Principals.of(ctx),
                      PolicyAction.READ_AUDIT,
                      KeyManagementApi.OPERATOR_TENANT);
                  return handler.handle(ctx, req);
                }));
  }

  private HttpResponse checkpoint(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    return HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, log.latestCheckpoint());
  }

  private HttpResponse key(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    return HttpResponse.of(
        HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, log.verifierKey().encode() + "\n");
  }

  /** {@code ?start=N&count=M}: up to {@link AuditLog#MAX_ENTRIES_PER_READ} entries from N. */
  private HttpResponse entries(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    long size = log.size();
    long start = number(ctx, "start", 0);
    long count = number(ctx, "count", 100);
    if (count < 1 || count > AuditLog.MAX_ENTRIES_PER_READ) {
      throw new InvalidRequestException("count must be 1-" + AuditLog.MAX_ENTRIES_PER_READ);
    }
    ObjectNode out = json.object().put("start", start).put("tree_size", size);
    ArrayNode entries = out.putArray("entries");
    if (start < size) {
      List<byte[]> leaves = log.entries(start, (int) Math.min(count, size - start));
      long index = start;
      for (byte[] leaf : leaves) {
        ObjectNode e = entries.addObject();
        e.put("index", index++);
        // The exact leaf bytes (base64) for proofs, and the event they encode for reading.
        e.put("leaf", Base64.getEncoder().encodeToString(leaf));
        e.set("event", json.tree(new String(leaf, StandardCharsets.UTF_8)));
      }
    } else if (start > size) {
      throw new InvalidRequestException("start is beyond the log's " + size + " entries");
    }
    return json.response(HttpStatus.OK, out);
  }

  /** {@code ?index=I&tree_size=N}. */
  private HttpResponse inclusion(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    long index = number(ctx, "index", -1);
    long treeSize = number(ctx, "tree_size", log.latestCheckpointValue().size());
    InclusionProof p;
    try {
      p = log.inclusionProof(index, treeSize);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("no such proof: need 0 <= index < tree_size <= log size");
    }
    ObjectNode out = json.object().put("index", p.index()).put("tree_size", p.treeSize());
    ArrayNode hashes = out.putArray("hashes");
    p.hashesBase64().forEach(hashes::add);
    return json.response(HttpStatus.OK, out);
  }

  /** {@code ?from=M&to=N}. */
  private HttpResponse consistency(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    long from = number(ctx, "from", -1);
    long to = number(ctx, "to", log.latestCheckpointValue().size());
    ConsistencyProof p;
    try {
      p = log.consistencyProof(from, to);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("no such proof: need 0 < from <= to <= log size");
    }
    ObjectNode out = json.object().put("from", p.size1()).put("to", p.size2());
    ArrayNode hashes = out.putArray("hashes");
    p.hashesBase64().forEach(hashes::add);
    return json.response(HttpStatus.OK, out);
  }

  private static long number(ServiceRequestContext ctx, String name, long absent) {
    String v = ctx.queryParam(name);
    if (v == null) {
      if (absent < 0) {
        throw new InvalidRequestException("query parameter " + name + " is required");
      }
      return absent;
    }
    if (v.isEmpty() || v.length() > 19 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new InvalidRequestException(name + " must be a non-negative integer");
    }
    return Long.parseLong(v);
  }
}
