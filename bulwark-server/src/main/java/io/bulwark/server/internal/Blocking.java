package io.bulwark.server.internal;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

/**
 * Runs handlers on virtual threads, never on an event loop: handlers block on the database, the
 * disk and ONNX Runtime.
 */
public final class Blocking {
  private final ExecutorService executor;

  public Blocking(ExecutorService executor) {
    this.executor = executor;
  }

  /** A handler of a whole (aggregated) request. */
  @FunctionalInterface
  public interface Handler {
    HttpResponse handle(ServiceRequestContext ctx, AggregatedHttpRequest req) throws Exception;
  }

  /** A handler that reads the request body as a stream. */
  @FunctionalInterface
  public interface StreamingHandler {
    HttpResponse handle(ServiceRequestContext ctx, HttpRequest req) throws Exception;
  }

  public HttpService aggregated(Handler handler) {
    return (ctx, req) ->
        HttpResponse.of(
            req.aggregate()
                .thenApplyAsync(
                    agg -> call(() -> handler.handle(ctx, agg)), ctx.makeContextAware(executor)));
  }

  public HttpService streaming(StreamingHandler handler) {
    return (ctx, req) ->
        HttpResponse.of(
            CompletableFuture.supplyAsync(
                () -> call(() -> handler.handle(ctx, req)), ctx.makeContextAware(executor)));
  }

  private interface Call {
    HttpResponse run() throws Exception;
  }

  private static HttpResponse call(Call c) {
    try {
      return c.run();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new CompletionException(e);
    }
  }
}
