package io.bulwark.server.internal;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.bulwark.audit.AuditEventType;
import io.bulwark.audit.AuditOutcome;
import io.bulwark.security.ApiKeys;
import io.bulwark.security.AuthenticationException;
import io.bulwark.security.jwt.TokenRejectedException;
import io.bulwark.security.jwt.VerifiedToken;
import io.bulwark.security.tokens.TokenIssuer;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requires a valid credential on every request except the load-balancer health checks. Runs before
 * routing to a service, so an unauthenticated caller learns nothing — not even which paths exist.
 */
public final class AuthenticationDecorator implements DecoratingHttpServiceFunction {
  private static final Logger log = LoggerFactory.getLogger(AuthenticationDecorator.class);
  private static final Set<String> OPEN_PATHS =
      Set.of("/v2/health/live", "/v2/health/ready", TokenApi.JWKS_PATH);

  /** Longest credential read: an API key is 64 characters, an access token about 600. */
  private static final int MAX_CREDENTIAL_CHARS = 4096;

  private final ApiKeys apiKeys;
  private final TokenIssuer tokens;
  private final ExternalTokens external;
  private final Auditor auditor;

  public AuthenticationDecorator(
      ApiKeys apiKeys, TokenIssuer tokens, ExternalTokens external, Auditor auditor) {
    this.auditor = auditor;
    this.apiKeys = apiKeys;
    this.tokens = tokens;
    this.external = external;
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
      String credential = header.substring(7).strip();
      if (credential.startsWith(ApiKeys.PREFIX)) {
        ctx.setAttr(Principals.KEY, apiKeys.authenticate(credential));
      } else {
        VerifiedToken token = null;
        String rejected;
        try {
          token = tokens.validate(credential);
          rejected = "";
        } catch (TokenRejectedException e) {
          rejected = e.reason();
        }
        if (token != null) {
          // The token names its API key; the key's state now decides (revocation is immediate).
          ctx.setAttr(Principals.KEY, apiKeys.principalForToken(token.subject()));
        } else if (!external.isEmpty()) {
          ctx.setAttr(Principals.KEY, external.authenticate(credential));
        } else {
          throw new AuthenticationException("access token rejected: " + rejected);
        }
        ctx.setAttr(Principals.VIA_TOKEN, true);
      }
    } catch (AuthenticationException e) {
      log.info("authentication failed for request {}: {}", ctx.id().text(), e.reason());
      // Recorded without blocking the event loop; the 401 goes out once the record is durable.
      // If it cannot be recorded the caller still gets the 401: the request did nothing.
      return HttpResponse.of(
          auditor
              .recordAsync(
                  ctx,
                  AuditEventType.AUTHENTICATION_FAILURE,
                  AuditOutcome.FAILURE,
                  "-",
                  ctx.method() + " " + ctx.path(),
                  Map.of("reason", e.reason(), "client", clientAddress(ctx)))
              .handle((index, failure) -> HttpResponse.ofFailure(new Unauthenticated(e))));
    }
    return delegate.serve(ctx, req);
  }

  private static String clientAddress(ServiceRequestContext ctx) {
    java.net.InetAddress a = ctx.clientAddress();
    return a == null ? "-" : a.getHostAddress();
  }

  /** Carries an authentication failure to the error mapping. */
  static final class Unauthenticated extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unauthenticated(AuthenticationException cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }
}
