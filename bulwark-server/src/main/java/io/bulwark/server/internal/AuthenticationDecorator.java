package io.bulwark.server.internal;

import com.linecorp.armeria.common.Cookie;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.bulwark.audit.AuditEventType;
import io.bulwark.audit.AuditOutcome;
import io.bulwark.core.ForbiddenException;
import io.bulwark.security.ApiKeys;
import io.bulwark.security.AuthenticationException;
import io.bulwark.security.Principal;
import io.bulwark.security.jwt.TokenRejectedException;
import io.bulwark.security.jwt.VerifiedToken;
import io.bulwark.security.people.AccountPrincipal;
import io.bulwark.security.people.Accounts;
import io.bulwark.security.people.CsrfException;
import io.bulwark.security.people.Session;
import io.bulwark.security.policy.PolicyAction;
import io.bulwark.security.tokens.TokenIssuer;
import java.time.Instant;
import java.util.Map;
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
  private final Auditor auditor;
  private final Accounts accounts;
  private final @Nullable MutualTls mtls;

  private static final Set<HttpMethod> SAFE_METHODS =
      Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  /** With {@code mtls}, a verified client certificate also authenticates and binds tokens. */
  public AuthenticationDecorator(
      ApiKeys apiKeys,
      TokenIssuer tokens,
      ExternalTokens external,
      Auditor auditor,
      Accounts accounts,
      @Nullable MutualTls mtls) {
    this.auditor = auditor;
    this.accounts = accounts;
    this.apiKeys = apiKeys;
    this.tokens = tokens;
    this.external = external;
    this.mtls = mtls;
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req)
      throws Exception {
    if (OPEN_PATHS.contains(ctx.path())
        || (ctx.method() == HttpMethod.POST && ctx.path().equals(PeopleApi.SESSION_PATH))) {
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
        Cookie session = sessionCookie(req);
        if (session == null) {
          throw new AuthenticationException("no Authorization header");
        }
        AccountPrincipal person = accounts.authenticate(session.value(), Instant.now());
        ctx.setAttr(Principals.ACCOUNT, person);
        ctx.setAttr(
            Principals.KEY,
            new Principal(
                "account:" + person.accountId(),
                person.username(),
                person.roles(),
                person.tenant(),
                Set.of(),
                Set.of(),
                Set.<PolicyAction>of()));
        if (!SAFE_METHODS.contains(ctx.method())) {
          try {
            accounts.checkCsrf(person, req.headers().get(PeopleApi.CSRF_HEADER));
          } catch (CsrfException e) {
            throw new ForbiddenException(
                "a request made with a session cookie must carry the session's "
                    + PeopleApi.CSRF_HEADER
                    + " header");
          }
        }
        return delegate.serve(ctx, req);
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

  private static @Nullable Cookie sessionCookie(HttpRequest req) {
    for (Cookie c : req.headers().cookies()) {
      if (c.name().equals(Session.COOKIE_NAME)) {
        return c;
      }
    }
    return null;
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
