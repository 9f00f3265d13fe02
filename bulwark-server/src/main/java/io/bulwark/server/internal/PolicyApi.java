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
import io.bulwark.audit.AuditEventType;
import io.bulwark.core.ConflictException;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.NotFoundException;
import io.bulwark.core.Strings;
import io.bulwark.security.Authorizer;
import io.bulwark.security.Principal;
import io.bulwark.security.policy.Policies;
import io.bulwark.security.policy.PolicyAction;
import io.bulwark.security.policy.PolicyStore;
import io.bulwark.security.policy.PolicyVersion;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authorisation policy under {@code /api/v1/policies}: the installed version, every earlier
 * one, and changes. A change is the whole Cedar text as the request body ({@code text/plain}),
 * validated against the schema before anything is stored, recorded with who made it and why, and in
 * force for the next request without a restart. Reading needs read-policy, changing needs
 * manage-policy, both in the operator's tenant: the policy governs every tenant.
 */
public final class PolicyApi {
  private static final Logger log = LoggerFactory.getLogger(PolicyApi.class);
  private static final String PREFIX = "/api/v1/policies";

  private final PolicyStore store;
  private final Authorizer authorizer;
  private final Json json;
  private final Blocking blocking;
  private final Auditor auditor;
  // Makes expected_version a real compare-and-set between concurrent changes.
  private final ReentrantLock changes = new ReentrantLock();

  public PolicyApi(
      PolicyStore store, Authorizer authorizer, Json json, Blocking blocking, Auditor auditor) {
    this.auditor = auditor;
    this.store = store;
    this.authorizer = authorizer;
    this.json = json;
    this.blocking = blocking;
  }

  public void register(ServerBuilder sb) {
    sb.route()
        .methods(HttpMethod.GET)
        .path(PREFIX)
        .maxRequestLength(Json.MAX_MANAGEMENT_BODY)
        .build(blocking.aggregated(this::current));
    sb.route()
        .methods(HttpMethod.GET)
        .path(PREFIX + "/versions")
        .maxRequestLength(Json.MAX_MANAGEMENT_BODY)
        .build(blocking.aggregated(this::history));
    sb.route()
        .methods(HttpMethod.GET)
        .path(PREFIX + "/versions/{version}")
        .maxRequestLength(Json.MAX_MANAGEMENT_BODY)
        .build(blocking.aggregated(this::one));
    sb.route()
        .methods(HttpMethod.PUT)
        .path(PREFIX)
        .maxRequestLength(Policies.MAX_POLICY_BYTES)
        .build(blocking.aggregated(auditor.audited(AuditEventType.POLICY_CHANGE, this::change)));
  }

  private HttpResponse current(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    authorizer.checkSystem(
        Principals.of(ctx), PolicyAction.READ_POLICY, KeyManagementApi.OPERATOR_TENANT);
    return json.response(HttpStatus.OK, versionJson(store.current(), true));
  }

  private HttpResponse history(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    authorizer.checkSystem(
        Principals.of(ctx), PolicyAction.READ_POLICY, KeyManagementApi.OPERATOR_TENANT);
    ObjectNode out = json.object();
    ArrayNode versions = out.putArray("versions");
    store.history().forEach(v -> versions.add(versionJson(v, false)));
    return json.response(HttpStatus.OK, out);
  }

  private HttpResponse one(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    authorizer.checkSystem(
        Principals.of(ctx), PolicyAction.READ_POLICY, KeyManagementApi.OPERATOR_TENANT);
    String wanted = Principals.pathParam(ctx, "version");
    for (PolicyVersion v : store.history()) {
      if (Long.toString(v.version()).equals(wanted)) {
        return json.response(HttpStatus.OK, versionJson(v, true));
      }
    }
    throw new NotFoundException("policy version", wanted);
  }

  /**
   * {@code PUT /api/v1/policies?comment=WHY[&expected_version=N]} with the Cedar text as a {@code
   * text/plain} body. With {@code expected_version}, the change applies only if that version is
   * still the installed one (409 otherwise), so that two people cannot overwrite each other.
   */
  private HttpResponse change(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    authorizer.checkSystem(p, PolicyAction.MANAGE_POLICY, KeyManagementApi.OPERATOR_TENANT);
    MediaType type = req.headers().contentType();
    if (type == null || !type.is(MediaType.PLAIN_TEXT)) {
      throw new InvalidRequestException("send the Cedar policies as text/plain");
    }
    String text = utf8(req.content().array());
    String comment = ctx.queryParam("comment");
    if (comment == null || comment.isBlank()) {
      throw new InvalidRequestException("say why the policy changes: add ?comment=...");
    }
    if (comment.length() > PolicyVersion.MAX_COMMENT_CHARS
        || !Strings.printable(comment).equals(comment)) {
      throw new InvalidRequestException(
          "comment must be at most " + PolicyVersion.MAX_COMMENT_CHARS + " printable characters");
    }
    @Nullable String expected = ctx.queryParam("expected_version");
    PolicyVersion stored;
    changes.lock();
    try {
      long installed = store.current().version();
      if (expected != null && !expected.equals(Long.toString(installed))) {
        throw new ConflictException(
            "the policy is at version "
                + installed
                + ", not "
                + Strings.printable(expected)
                + "; read it again and reapply your change");
      }
      stored = store.set(text, ManagementApi.actor(p), comment);
      Auditor.note(ctx, "policy_version", Long.toString(stored.version()));
      Auditor.note(ctx, "comment", comment);
    } finally {
      changes.unlock();
    }
    log.info(
        "policy version {} installed by {}: {}",
        stored.version(),
        ManagementApi.actor(p),
        Strings.printable(comment));
    return json.response(HttpStatus.OK, versionJson(stored, false));
  }

  private static String utf8(byte[] body) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(body))
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidRequestException("the policy text is not valid UTF-8");
    }
  }

  private ObjectNode versionJson(PolicyVersion v, boolean withText) {
    ObjectNode o =
        json.object()
            .put("version", v.version())
            .put("created_at", v.createdAt().toString())
            .put("created_by", v.createdBy())
            .put("comment", v.comment());
    if (withText) {
      o.put("text", v.text());
    }
    return o;
  }
}
