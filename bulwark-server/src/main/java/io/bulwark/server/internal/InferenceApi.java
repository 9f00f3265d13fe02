package io.bulwark.server.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.bulwark.audit.AuditEventType;
import io.bulwark.audit.AuditOutcome;
import io.bulwark.core.Digests;
import io.bulwark.core.Limits;
import io.bulwark.core.NotFoundException;
import io.bulwark.core.UnavailableException;
import io.bulwark.inference.InputValidator;
import io.bulwark.inference.LoadedModel;
import io.bulwark.inference.Tensor;
import io.bulwark.security.Authorizer;
import io.bulwark.security.Principal;
import io.bulwark.security.RateLimiter;
import io.bulwark.security.policy.PolicyAction;
import io.bulwark.server.internal.oip.EncodedResponse;
import io.bulwark.server.internal.oip.InferenceRequest;
import io.bulwark.server.internal.oip.OipJson;
import io.bulwark.server.internal.oip.OipMetadataEncoder;
import io.bulwark.server.internal.oip.OipRequestDecoder;
import io.bulwark.server.internal.oip.OipResponseEncoder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;

/**
 * The Open Inference Protocol (v2) REST endpoints. Health endpoints are open; everything else
 * requires an authenticated principal, and a model the principal may not use is reported exactly
 * like a model that does not exist.
 */
public final class InferenceApi {
  private static final long HEALTH_MAX_BODY = 1;

  private final ModelServing serving;
  private final Json json;
  private final Limits limits;
  private final Blocking blocking;
  private final OipRequestDecoder decoder;
  private final OipResponseEncoder encoder = new OipResponseEncoder();
  private final Semaphore inFlight;
  private final RateLimiter rateLimiter;
  private final Authorizer authorizer;
  private final Auditor auditor;

  public InferenceApi(
      ModelServing serving,
      Json json,
      Limits limits,
      Blocking blocking,
      RateLimiter rateLimiter,
      Authorizer authorizer,
      Auditor auditor) {
    this.auditor = auditor;
    this.rateLimiter = rateLimiter;
    this.authorizer = authorizer;
    this.serving = serving;
    this.json = json;
    this.limits = limits;
    this.blocking = blocking;
    this.decoder = new OipRequestDecoder(limits);
    this.inFlight = new Semaphore(limits.maxConcurrentInferences());
  }

  public void register(ServerBuilder sb) {
    // The only routes open without credentials: GET and HEAD only, and no request body.
    sb.route()
        .methods(HttpMethod.GET, HttpMethod.HEAD)
        .path("/v2/health/live")
        .maxRequestLength(HEALTH_MAX_BODY)
        .build(
            (ctx, req) ->
                HttpResponse.of(
                    HttpStatus.OK, MediaType.JSON_UTF_8, OipMetadataEncoder.serverLive(true)));
    sb.route()
        .methods(HttpMethod.GET, HttpMethod.HEAD)
        .path("/v2/health/ready")
        .maxRequestLength(HEALTH_MAX_BODY)
        .build(
            (ctx, req) -> {
              // Not ready while a deployed model failed to load or the audit log cannot be
              // written (every audited call would be refused); the reasons say which. This route
              // is open, so they name no model and no path: the details are in the server log.
              boolean auditDown = auditor.unavailableReason().isPresent();
              int failedModels = serving.loadFailures().size();
              boolean ready = serving.ready() && !auditDown;
              ObjectNode out = json.object().put("ready", ready);
              if (!ready) {
                ArrayNode reasons = out.putArray("reasons");
                if (auditDown) {
                  reasons.add("the audit log cannot be written; audited calls are refused");
                }
                if (failedModels > 0) {
                  reasons.add(failedModels + " deployed model version(s) failed to load");
                }
              }
              return json.response(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE, out);
            });
    sb.route()
        .get("/v2")
        .build(
            (ctx, req) ->
                HttpResponse.of(
                    HttpStatus.OK, MediaType.JSON_UTF_8, OipMetadataEncoder.serverMetadata()));
    sb.route().get("/v2/models/{name}").build(blocking.aggregated(this::modelMetadata));
    sb.route()
        .get("/v2/models/{name}/versions/{version}")
        .build(blocking.aggregated(this::modelMetadata));
    sb.route().get("/v2/models/{name}/ready").build(blocking.aggregated(this::modelReady));
    sb.route()
        .get("/v2/models/{name}/versions/{version}/ready")
        .build(blocking.aggregated(this::modelReady));
    sb.route().post("/v2/models/{name}/infer").build(blocking.aggregated(this::infer));
    sb.route()
        .post("/v2/models/{name}/versions/{version}/infer")
        .build(blocking.aggregated(this::infer));
  }

  private HttpResponse modelMetadata(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    try (ModelServing.Lease lease = lease(ctx, PolicyAction.READ_METADATA)) {
      LoadedModel m = lease.model();
      return HttpResponse.of(
          HttpStatus.OK,
          MediaType.JSON_UTF_8,
          OipMetadataEncoder.modelMetadata(m.name(), List.of(m.version()), m.signature()));
    }
  }

  private HttpResponse modelReady(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    try (ModelServing.Lease lease = lease(ctx, PolicyAction.READ_METADATA)) {
      ObjectNode out = json.object().put("name", lease.model().name()).put("ready", true);
      return json.response(HttpStatus.OK, out);
    }
  }

  private HttpResponse infer(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    return respond(
        infer(
            ctx,
            Principals.of(ctx),
            Principals.pathParam(ctx, "name"),
            ctx.pathParam("version"),
            req.content().array(),
            req.headers().get(OipJson.INFERENCE_HEADER_CONTENT_LENGTH)));
  }

  /**
   * Everything an inference request goes through once its body has arrived and its caller is
   * authenticated: the audit log's availability, authorisation, rate limits, the concurrency limit,
   * decoding and validation, the model call, encoding, and the durable audit record. The HTTP route
   * calls it; so does in-process measurement, with no request context.
   */
  public EncodedResponse infer(
      @Nullable ServiceRequestContext ctx,
      Principal principal,
      String name,
      @Nullable String version,
      byte[] body,
      @Nullable String inferenceHeaderLength) {
    // The lease authorises first, so that a model the caller may not use is "not found" whatever
    // its rate; only then are the rate limits and the concurrency limit counted.
    long started = System.nanoTime();
    String resource = "model:" + name;
    auditor.requireAvailable();
    Map<String, String> audit = new LinkedHashMap<>();
    audit.put("input_sha256", Digests.sha256Hex(body));
    audit.put("input_bytes", Integer.toString(body.length));
    EncodedResponse encoded;
    try (ModelServing.Lease lease = lease(principal, PolicyAction.INFER, name, version)) {
      resource = "model:" + lease.model().name() + "/" + lease.model().version();
      rateLimiter.acquire(principal.id(), lease.model().name());
      if (!inFlight.tryAcquire()) {
        throw new UnavailableException(
            "too many concurrent inference requests (limits.max_concurrent_inferences = "
                + limits.maxConcurrentInferences()
                + "); retry later");
      }
      try {
        encoded = run(body, inferenceHeaderLength, lease);
      } finally {
        inFlight.release();
      }
    } catch (RuntimeException e) {
      // Failed calls are recorded too; if that fails, its 503 replaces the original error.
      // Only the type: an inference error's message may quote the request's inputs, and no
      // payload goes into the audit trail.
      audit.put("error", e.getClass().getSimpleName());
      audit.put("latency_us", Long.toString((System.nanoTime() - started) / 1000));
      auditor.record(
          ctx, AuditEventType.INFERENCE, Auditor.outcomeOf(e), principal.id(), resource, audit);
      throw e;
    }
    // The answer leaves only once its record is durable: no output without a record.
    audit.put("output_sha256", Digests.sha256Hex(encoded.body()));
    audit.put("output_bytes", Integer.toString(encoded.body().length));
    audit.put("latency_us", Long.toString((System.nanoTime() - started) / 1000));
    auditor.record(
        ctx, AuditEventType.INFERENCE, AuditOutcome.SUCCESS, principal.id(), resource, audit);
    return encoded;
  }

  private EncodedResponse run(
      byte[] body, @Nullable String inferenceHeaderLength, ModelServing.Lease lease) {
    LoadedModel model = lease.model();
    InferenceRequest request = decoder.decode(body, inferenceHeaderLength);
    InputValidator.validate(model.signature(), request.inputs(), limits.maxTensorElements());
    List<Tensor> outputs = model.infer(request.inputs(), request.outputNames());
    return encoder.encode(
        model.name(), model.version(), request.id(), outputs, request.binaryOutputs(outputs));
  }

  private static HttpResponse respond(EncodedResponse encoded) {
    ResponseHeadersBuilder headers =
        ResponseHeaders.builder(HttpStatus.OK).contentType(MediaType.parse(encoded.contentType()));
    if (encoded.inferenceHeaderContentLength() != null) {
      headers.setInt(
          OipJson.INFERENCE_HEADER_CONTENT_LENGTH, encoded.inferenceHeaderContentLength());
    }
    return HttpResponse.of(headers.build(), HttpData.wrap(encoded.body()));
  }

  /** The serving model the path names, if the caller may see it; else "not found". */
  private ModelServing.Lease lease(ServiceRequestContext ctx, PolicyAction action) {
    return lease(
        Principals.of(ctx), action, Principals.pathParam(ctx, "name"), ctx.pathParam("version"));
  }

  private ModelServing.Lease lease(
      Principal principal, PolicyAction action, String name, @Nullable String version) {
    authorizer.checkModel(principal, action, name);
    return serving
        .lease(name, principal.id(), version)
        .orElseThrow(
            () ->
                version == null
                    ? new NotFoundException("model", name)
                    : new NotFoundException("model version", name + "/" + version));
  }
}
