package io.bulwark.server.internal;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.bulwark.security.ApiKeys;
import io.bulwark.security.AuthenticationException;
import io.bulwark.security.Principal;
import io.bulwark.security.jwt.TokenRejectedException;
import io.bulwark.security.jwt.VerifiedToken;
import io.bulwark.security.tokens.TokenIssuer;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requires a valid credential on every request except the load-balancer health checks. Runs before
 * routing to a service, so an unauthenticated caller learns nothing — not even which paths exist.
 * An Authorization header wins over a client certificate; without one, a verified client
 * certificate authenticates as the configured client it names.
 */
public final class AuthenticationDecorator implements DecoratingHttpServiceFunction {
  private static final Logger log = LoggerFactory.getLogger(AuthenticationDecorator.class);
  private static final Set<String> OPEN_PATHS =
      Set.of("/v2/health/live", "/v2/health/ready", TokenApi.JWKS_PATH);

  private static final String CERTIFICATE_SUBJECT = "cert:";

  /** Longest credential read: an API key is 64 characters, an access token about 600. */
  private static final int MAX_CREDENTIAL_CHARS = 4096;

  private final ApiKeys apiKeys;
  private final TokenIssuer tokens;
  private final ExternalTokens external;
  private final @Nullable MutualTls mtls;

  public AuthenticationDecorator(ApiKeys apiKeys, TokenIssuer tokens, ExternalTokens external) {
    this(apiKeys, tokens, external, null);
  }

  /** With {@code mtls}, a verified client certificate also authenticates and binds tokens. */
  public AuthenticationDecorator(
      ApiKeys apiKeys, TokenIssuer tokens, ExternalTokens external, @Nullable MutualTls mtls) {
    this.apiKeys = apiKeys;
    this.tokens = tokens;
    this.external = external;
    this.mtls = mtls;
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req)
      throws Exception {
    if (OPEN_PATHS.contains(ctx.path())) {
      return delegate.serve(ctx, req);
    }
    String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    try {
      MutualTls.Presented certificate = mtls == null ? null : mtls.presented(ctx);
      if (certificate != null) {
        ctx.setAttr(Principals.CLIENT_CERTIFICATE, certificate.thumbprint());
      }
      if (header == null && certificate != null && mtls != null) {
        ctx.setAttr(Principals.KEY, mtls.principal(certificate));
        return delegate.serve(ctx, req);
      }
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
          // The token names its API key or certificate client; the key's state or the
          // configuration now decides (revocation is immediate). A cnf claim binds the token to
          // the connection's certificate (RFC 8705).
          Principal issuedTo =
              token.subject().startsWith(CERTIFICATE_SUBJECT)
                  ? null
                  : apiKeys.principalForToken(token.subject());
          ctx.setAttr(Principals.KEY, MutualTls.bound(token, issuedTo, certificate, mtls));
        } else if (!external.isEmpty()) {
          ctx.setAttr(Principals.KEY, external.authenticate(credential));
        } else {
          throw new AuthenticationException("access token rejected: " + rejected);
        }
        ctx.setAttr(Principals.VIA_TOKEN, true);
      }
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
