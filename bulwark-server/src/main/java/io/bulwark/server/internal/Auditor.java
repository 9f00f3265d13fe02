package io.bulwark.server.internal;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.bulwark.audit.AuditEvent;
import io.bulwark.audit.AuditEventType;
import io.bulwark.audit.AuditLog;
import io.bulwark.audit.AuditOutcome;
import io.bulwark.audit.AuditStream;
import io.bulwark.core.UnavailableException;
import io.netty.util.AttributeKey;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Records the server's events in the audit log, and fails closed: an operation that must be audited
 * does not start while the log cannot be written, and its answer is not sent until its record is
 * durable. Values from requests are made printable and cut to the log's limits, so that no request
 * can make its own record unwritable.
 */
public final class Auditor {
  private final AuditLog log;
  private final Clock clock;
  private final List<AuditStream> streams;

  /**
   * An auditor writing to {@code log}; each event, once durable, is also offered to {@code streams}
   * (SIEM feeds, bounded, never blocking a request).
   */
  public Auditor(AuditLog log, Clock clock, List<AuditStream> streams) {
    this.log = log;
    this.clock = clock;
    this.streams = List.copyOf(streams);
  }

  /** The log itself, for the audit API. */
  AuditLog log() {
    return log;
  }

  /** Why audited operations are refused now, if they are. */
  public Optional<String> unavailableReason() {
    return log.health().reason();
  }

  /** Returns normally if the log can be written, else throws 503 naming the reason. */
  public void requireAvailable() {
    Optional<String> reason = unavailableReason();
    if (reason.isPresent()) {
      throw refused();
    }
  }

  /** Appends the event; returns once it is on stable storage. */
  public long record(
      @Nullable ServiceRequestContext ctx,
      AuditEventType type,
      AuditOutcome outcome,
      String actor,
      String resource,
      Map<String, String> parameters) {
    AuditEvent event = event(ctx, type, outcome, actor, resource, parameters);
    long index;
    try {
      index = log.append(event);
    } catch (UnavailableException e) {
      throw refused();
    }
    stream(event);
    return index;
  }

  /** Like {@link #record}, without blocking: for event-loop threads. */
  public CompletableFuture<Long> recordAsync(
      @Nullable ServiceRequestContext ctx,
      AuditEventType type,
      AuditOutcome outcome,
      String actor,
      String resource,
      Map<String, String> parameters) {
    AuditEvent event = event(ctx, type, outcome, actor, resource, parameters);
    return log.appendAsync(event)
        .thenApply(
            index -> {
              stream(event);
              return index;
            });
  }

  private void stream(AuditEvent event) {
    for (AuditStream s : streams) {
      s.offer(event);
    }
  }

  /** Parameters a handler adds to the record of its request (for example the version deployed). */
  private static final AttributeKey<Map<String, String>> NOTES =
      AttributeKey.valueOf(Auditor.class, "notes");

  /** Adds a parameter to the record of the current request's audited operation. */
  static void note(ServiceRequestContext ctx, String key, @Nullable String value) {
    Map<String, String> notes = ctx.attr(NOTES);
    if (notes == null) {
      notes = new LinkedHashMap<>();
      ctx.setAttr(NOTES, notes);
    }
    notes.put(key, value == null ? "-" : value);
  }

  /**
   * An operation recorded as {@code type}: refused with 503 before it starts if the log cannot be
   * written; recorded, with its outcome, before its answer is sent.
   */
  Blocking.Handler audited(AuditEventType type, Blocking.Handler handler) {
    return (ctx, req) -> around(ctx, type, () -> handler.handle(ctx, req));
  }

  /** Like {@link #audited(AuditEventType, Blocking.Handler)} for a streaming handler. */
  Blocking.StreamingHandler auditedStream(AuditEventType type, Blocking.StreamingHandler handler) {
    return (ctx, req) -> around(ctx, type, () -> handler.handle(ctx, req));
  }

  private interface Operation {
    HttpResponse run() throws Exception;
  }

  private HttpResponse around(ServiceRequestContext ctx, AuditEventType type, Operation op)
      throws Exception {
    requireAvailable();
    String actor = Principals.of(ctx).id();
    HttpResponse response;
    try {
      response = op.run();
    } catch (Exception e) {
      Map<String, String> params = parameters(ctx);
      params.put("error", errorOf(e));
      try {
        record(ctx, type, outcomeOf(e), actor, resourceOf(ctx), params);
      } catch (RuntimeException refused) {
        // The log's refusal is what the caller gets; what went wrong first stays with it.
        refused.addSuppressed(e);
        throw refused;
      }
      throw e;
    }
    record(ctx, type, AuditOutcome.SUCCESS, actor, resourceOf(ctx), parameters(ctx));
    return response;
  }

  /**
   * What a failure record says of the error: a Bulwark exception's message, which is written to be
   * shown to clients, or else only the exception's type — messages of other exceptions can carry
   * paths, SQL or key-handling detail that belongs in the server log, not in the audit trail and
   * the SIEM feeds.
   */
  static String errorOf(Throwable e) {
    Throwable t = ErrorMapping.unwrap(e);
    return t instanceof io.bulwark.core.BulwarkException
        ? String.valueOf(t.getMessage())
        : t.getClass().getSimpleName();
  }

  /** DENIED for refusals (forbidden, hidden or missing, over a rate limit), FAILURE otherwise. */
  static AuditOutcome outcomeOf(Throwable e) {
    Throwable t = ErrorMapping.unwrap(e);
    return t instanceof io.bulwark.core.ForbiddenException
            || t instanceof io.bulwark.core.NotFoundException
            || t instanceof io.bulwark.core.RateLimitedException
        ? AuditOutcome.DENIED
        : AuditOutcome.FAILURE;
  }

  private static Map<String, String> parameters(ServiceRequestContext ctx) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("method", ctx.method().name());
    params.put("path", ctx.path());
    Map<String, String> notes = ctx.attr(NOTES);
    if (notes != null) {
      params.putAll(notes);
    }
    return params;
  }

  /** {@code model:NAME[/VERSION]} or {@code key:ID} from the route's path, else the path. */
  private static String resourceOf(ServiceRequestContext ctx) {
    String name = ctx.pathParam("name");
    if (name != null) {
      String version = ctx.pathParam("version");
      return "model:" + name + (version == null ? "" : "/" + version);
    }
    String id = ctx.pathParam("id");
    return id != null ? "key:" + id : ctx.path();
  }

  private AuditEvent event(
      @Nullable ServiceRequestContext ctx,
      AuditEventType type,
      AuditOutcome outcome,
      String actor,
      String resource,
      Map<String, String> parameters) {
    Map<String, String> safe = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : parameters.entrySet()) {
      if (safe.size() == AuditEvent.MAX_PARAMETERS) {
        break;
      }
      safe.put(
          clean(e.getKey(), AuditEvent.MAX_PARAMETER_KEY_CHARS),
          clean(e.getValue(), AuditEvent.MAX_PARAMETER_VALUE_CHARS));
    }
    return new AuditEvent(
        type,
        outcome,
        orDash(clean(actor, AuditEvent.MAX_FIELD_CHARS)),
        orDash(clean(resource, AuditEvent.MAX_FIELD_CHARS)),
        ctx == null ? "-" : ctx.id().text(),
        clock.instant(),
        safe);
  }

  private static String orDash(String s) {
    return s.isEmpty() ? "-" : s;
  }

  /** Control characters and lone surrogates become '?'; then cut to {@code max}. */
  private static String clean(String s, int max) {
    int n = Math.min(s.length(), max);
    StringBuilder out = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        out.append(c).append(s.charAt(++i));
      } else {
        out.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
      }
    }
    return out.toString();
  }

  /**
   * The refusal callers get. The reason (an I/O error, perhaps with a path) is in the server log,
   * written by the audit log when the failure started; clients learn only what happened.
   */
  private static UnavailableException refused() {
    return new UnavailableException(
        "the audit log cannot be written; audited operations are refused until it can"
            + " (details in the server log)");
  }
}
