package io.bulwark.server.internal;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;

/**
 * Lets a refusal reach the client as the status it is. A request refused before its body was read
 * (no credentials, a forbidden push, a rate limit) would otherwise end with the server resetting
 * the stream; HTTP/2 allows answering first, but many clients, the JDK's among them, then report
 * the reset instead of the 401 or 403. So a small unread body is received and dropped before the
 * refusal is sent; a body above {@link #LIMIT}, or one of unknown length, is still cut off.
 */
public final class ReadBeforeRefusing implements DecoratingHttpServiceFunction {
  /** Largest declared body length received before refusing. */
  static final long LIMIT = 64 * 1024;

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) {
    HttpResponse response;
    try {
      response = delegate.serve(ctx, req);
    } catch (Exception e) {
      response = HttpResponse.ofFailure(e);
    }
    return response.recover(failure -> afterBody(ctx, req, failure));
  }

  private static HttpResponse afterBody(
      ServiceRequestContext ctx, HttpRequest req, Throwable failure) {
    long declared = req.headers().contentLength();
    if (req.isComplete() || declared < 0 || declared > LIMIT) {
      return HttpResponse.ofFailure(failure);
    }
    // Subscribing discards and releases every chunk; if a service already subscribed, this
    // second subscription fails at once and the refusal goes out without waiting.
    return HttpResponse.of(
        req.subscribe(ctx.eventLoop()).handle((done, e) -> HttpResponse.ofFailure(failure)));
  }
}
