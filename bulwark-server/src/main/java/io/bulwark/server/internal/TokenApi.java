package io.bulwark.server.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.bulwark.audit.AuditEventType;
import io.bulwark.core.ForbiddenException;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.security.Principal;
import io.bulwark.security.tokens.TokenIssuer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OAuth 2.0 token endpoint (client-credentials grant, RFC 6749 §4.4) authenticated by an API key or
 * a client certificate, and the JWK set of the token signing keys. When the connection presented a
 * verified client certificate, the token is bound to it (RFC 8705 {@code cnf} with {@code
 * x5t#S256}), whichever credential asked for it.
 */
public final class TokenApi {
  public static final String TOKEN_PATH = "/oauth2/token";
  public static final String JWKS_PATH = "/.well-known/jwks.json";
  private static final int MAX_FORM_BYTES = 4096;

  private final TokenIssuer issuer;
  private final Json json;
  private final Blocking blocking;
  private final Auditor auditor;

  public TokenApi(TokenIssuer issuer, Json json, Blocking blocking, Auditor auditor) {
    this.auditor = auditor;
    this.issuer = issuer;
    this.json = json;
    this.blocking = blocking;
  }

  public void register(ServerBuilder sb) {
    sb.route()
        .methods(HttpMethod.POST)
        .path(TOKEN_PATH)
        .maxRequestLength(MAX_FORM_BYTES)
        .build(blocking.aggregated(auditor.audited(AuditEventType.TOKEN_ISSUED, this::token)));
    sb.route()
        .methods(HttpMethod.GET, HttpMethod.HEAD)
        .path(JWKS_PATH)
        .maxRequestLength(0)
        .build(
            (ctx, req) ->
                HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, json.write(issuer.jwks())));
  }

  private HttpResponse token(ServiceRequestContext ctx, AggregatedHttpRequest req)
      throws Exception {
    Principal p = Principals.of(ctx);
    if (Principals.viaToken(ctx)) {
      throw new ForbiddenException(
          "a token cannot be exchanged for another token; use an API key or client certificate");
    }
    MediaType type = req.contentType();
    if (type == null || !type.is(MediaType.FORM_DATA)) {
      throw new InvalidRequestException(
          "invalid_request: send application/x-www-form-urlencoded with"
              + " grant_type=client_credentials");
    }
    QueryParams form = QueryParams.fromQueryString(req.contentUtf8());
    String grant = form.get("grant_type");
    if (!"client_credentials".equals(grant)) {
      throw new InvalidRequestException(
          "unsupported_grant_type: only grant_type=client_credentials is supported");
    }
    Map<String, Object> claims = new LinkedHashMap<>();
    // Informational: each request re-reads the key's current scope (see principalForToken).
    claims.put("roles", p.roles().stream().sorted().toList());
    claims.put("tenant", p.tenant());
    if (!p.models().isEmpty()) {
      claims.put("models", p.models().stream().sorted().toList());
    }
    if (!p.namespaces().isEmpty()) {
      claims.put("namespaces", p.namespaces().stream().sorted().toList());
    }
    String certificate = ctx.attr(Principals.CLIENT_CERTIFICATE);
    if (certificate != null) {
      claims.put("cnf", Map.of(MutualTls.THUMBPRINT_MEMBER, certificate));
    }
    String token = issuer.issue(p.id(), claims);
    ObjectNode out =
        json.object()
            .put("access_token", token)
            .put("token_type", "Bearer")
            .put("expires_in", issuer.lifetime().toSeconds());
    return HttpResponse.builder()
        .status(HttpStatus.OK)
        .header("Cache-Control", "no-store")
        .content(MediaType.JSON_UTF_8, json.write(out))
        .build();
  }
}
