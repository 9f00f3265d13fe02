package io.bulwark.server.internal;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.RequestTimeoutException;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.bulwark.core.ConflictException;
import io.bulwark.core.ForbiddenException;
import io.bulwark.core.IntegrityException;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.LimitExceededException;
import io.bulwark.core.NotFoundException;
import io.bulwark.core.RateLimitedException;
import io.bulwark.core.UnavailableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP responses: {@code {"error": "..."}} with the status the
 * failure calls for. Clients get the exception's client-safe message; anything unexpected becomes a
 * 500 that carries only a correlation id, with the details in the server log.
 */
public final class ErrorMapping implements ServerErrorHandler {
  private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

  private final Json json;

  public ErrorMapping(Json json) {
    this.json = json;
  }

  @Override
  public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
    Throwable t = unwrap(cause);
    HttpStatus status;
    String message;
    switch (t) {
      case AuthenticationDecorator.Unauthenticated u -> {
        return withHeader(
            HttpStatus.UNAUTHORIZED,
            messageOf(u),
            HttpHeaderNames.WWW_AUTHENTICATE,
            "Bearer realm=\"bulwark\"");
      }
      case NotFoundException e -> {
        status = HttpStatus.NOT_FOUND;
        message = messageOf(e);
      }
      case LimitExceededException e -> {
        status = isBodyLimit(e) ? HttpStatus.REQUEST_ENTITY_TOO_LARGE : HttpStatus.BAD_REQUEST;
        message = messageOf(e);
      }
      case InvalidRequestException e -> {
        status = HttpStatus.BAD_REQUEST;
        message = messageOf(e);
      }
      case ForbiddenException e -> {
        status = HttpStatus.FORBIDDEN;
        message = messageOf(e);
      }
      case ConflictException e -> {
        status = HttpStatus.CONFLICT;
        message = messageOf(e);
      }
      case RateLimitedException e -> {
        return withHeader(
            HttpStatus.TOO_MANY_REQUESTS,
            messageOf(e),
            HttpHeaderNames.RETRY_AFTER,
            Long.toString((e.retryAfter().toMillis() + 999) / 1000));
      }
      case UnavailableException e -> {
        if (e.getCause() != null) {
          log.warn("request {} unavailable: {}", ctx.id().text(), e.getMessage(), e.getCause());
        }
        return withHeader(
            HttpStatus.SERVICE_UNAVAILABLE, messageOf(e), HttpHeaderNames.RETRY_AFTER, "1");
      }
      case IntegrityException e -> {
        log.error("request {}: {}", ctx.id().text(), e.getMessage(), e.getCause());
        status = HttpStatus.INTERNAL_SERVER_ERROR;
        message = messageOf(e);
      }
      case ContentTooLargeException e -> {
        status = HttpStatus.REQUEST_ENTITY_TOO_LARGE;
        message = statusMessage(status, ctx.maxRequestLength());
      }
      case RequestTimeoutException e -> {
        status = HttpStatus.SERVICE_UNAVAILABLE;
        message = "request timed out";
      }
      case HttpStatusException e -> {
        status = e.httpStatus();
        message = statusMessage(status, ctx.maxRequestLength());
      }
      default -> {
        log.error("request {} failed", ctx.id().text(), t);
        status = HttpStatus.INTERNAL_SERVER_ERROR;
        message = "internal error (request id " + ctx.id().text() + ")";
      }
    }
    return HttpResponse.of(status, MediaType.JSON_UTF_8, json.error(message));
  }

  @Override
  public @Nullable AggregatedHttpResponse renderStatus(
      @Nullable ServiceRequestContext ctx,
      ServiceConfig config,
      @Nullable RequestHeaders headers,
      HttpStatus status,
      @Nullable String description,
      @Nullable Throwable cause) {
    String message = statusMessage(status, config.maxRequestLength());
    return AggregatedHttpResponse.of(
        ResponseHeaders.of(status, HttpHeaderNames.CONTENT_TYPE, MediaType.JSON_UTF_8),
        HttpData.wrap(json.error(message)));
  }

  /** Messages for the statuses Armeria itself produces (routing, protocol and size limits). */
  private static String statusMessage(HttpStatus status, long maxRequestLength) {
    return switch (status.code()) {
      case 404 -> "not found";
      case 405 -> "method not allowed";
      case 413 ->
          "request body exceeds the limit of " + maxRequestLength + " bytes for this endpoint";
      case 431 -> "request headers exceed the limit";
      default -> status.reasonPhrase();
    };
  }

  private HttpResponse withHeader(
      HttpStatus status, String message, CharSequence header, String value) {
    return HttpResponse.of(
        ResponseHeaders.of(
            status, HttpHeaderNames.CONTENT_TYPE, MediaType.JSON_UTF_8, header, value),
        HttpData.wrap(json.error(message)));
  }

  private static boolean isBodyLimit(LimitExceededException e) {
    return e.limit().equals("limits.max_request_bytes")
        || e.limit().equals("limits.max_model_bytes");
  }

  private static String messageOf(Throwable t) {
    String m = t.getMessage();
    return m == null ? "request failed" : m;
  }

  static Throwable unwrap(Throwable t) {
    Throwable cur = t;
    while ((cur instanceof CompletionException || cur instanceof ExecutionException)
        && cur.getCause() != null) {
      cur = cur.getCause();
    }
    return cur;
  }
}
