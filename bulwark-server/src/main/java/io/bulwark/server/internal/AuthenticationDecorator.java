package io.bulwark.server.internal;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.bulwark.security.ApiKeys;
import io.bulwark.security.AuthenticationException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requires a valid credential on every request except the load-balancer health checks. Runs before
 * routing to a service, so an unauthenticated caller learns nothing — not even which paths exist.
 */
public final class AuthenticationDecorator implements DecoratingHttpServiceFunction {
  private static final Logger log = LoggerFactory.getLogger(AuthenticationDecorator.class);
  private static final Set<String> OPEN_PATHS = Set.of("/v2/health/live", "/v2/health/ready");
  private static final int MAX_CREDENTIAL_CHARS = 512;

  private final ApiKeys apiKeys;

  public AuthenticationDecorator(ApiKeys apiKeys) {
    this.apiKeys = apiKeys;
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req)
      throws Exception {
    if (OPEN_PATHS.contains(ctx.path())) {
      return delegate.serve(ctx, req);
    }
    String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    try {
      if (header == null) {
        throw new AuthenticationException("no Authorization header");
      }
      if (header.length() > MAX_CREDENTIAL_CHARS
          || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw new AuthenticationException("Authorization header is not a Bearer credential");
      }
      ctx.setAttr(Principals.KEY, apiKeys.authenticate(header.substring(7).strip()));
    } catch (AuthenticationException e) {
      log.info("authentication failed for request {}: {}", ctx.id().text(), e.reason());
      throw new Unauthenticated(e);
    }
    return delegate.serve(ctx, req);
  }

  /** Carries an authentication failure to the error mapping. */
  static final class Unauthenticated extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unauthenticated(AuthenticationException cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }
}
