package io.bulwark.server.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.bulwark.audit.AuditEventType;
import io.bulwark.audit.AuditOutcome;
import io.bulwark.core.ForbiddenException;
import io.bulwark.core.InsecureSecretAccess;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.RateLimitedException;
import io.bulwark.security.Authorizer;
import io.bulwark.security.Principal;
import io.bulwark.security.Role;
import io.bulwark.security.people.AccountInfo;
import io.bulwark.security.people.AccountPrincipal;
import io.bulwark.security.people.Accounts;
import io.bulwark.security.people.LoginFailedException;
import io.bulwark.security.people.LoginThrottledException;
import io.bulwark.security.people.NewAccount;
import io.bulwark.security.people.Session;
import io.bulwark.security.people.TotpEnrolment;
import io.bulwark.security.policy.PolicyAction;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * People: dashboard sessions ({@code /api/v1/session}) and accounts ({@code /api/v1/accounts}).
 *
 * <p>Logging in is the one management call open without credentials: username, password and, when
 * enrolled, a TOTP code; accounts holding an admin-class role cannot log in until a second factor
 * is confirmed. A session is a {@code __Host-} cookie (Secure, HttpOnly, SameSite=Strict); every
 * state-changing request made with it must echo the session's CSRF token in {@value #CSRF_HEADER}.
 * Failed logins are answered alike whatever the reason, and throttled with growing delays (429 +
 * Retry-After) per username and per client address before any password work.
 */
public final class PeopleApi {
  /** The request header carrying the CSRF token of a cookie session. */
  public static final String CSRF_HEADER = "X-CSRF-Token";

  static final String SESSION_PATH = "/api/v1/session";
  private static final String ACCOUNTS = "/api/v1/accounts";

  private final Accounts accounts;
  private final Authorizer authorizer;
  private final Auditor auditor;
  private final Json json;
  private final Blocking blocking;
  private final Clock clock;

  public PeopleApi(
      Accounts accounts,
      Authorizer authorizer,
      Auditor auditor,
      Json json,
      Blocking blocking,
      Clock clock) {
    this.accounts = accounts;
    this.authorizer = authorizer;
    this.auditor = auditor;
    this.json = json;
    this.blocking = blocking;
    this.clock = clock;
  }

  public void register(ServerBuilder sb) {
    route(sb, HttpMethod.POST, SESSION_PATH, this::login);
    route(sb, HttpMethod.GET, SESSION_PATH, this::whoAmI);
    route(sb, HttpMethod.DELETE, SESSION_PATH, this::logout);
    route(sb, HttpMethod.POST, ACCOUNTS, audited(AuditEventType.PRINCIPAL_CHANGE, this::create));
    route(sb, HttpMethod.GET, ACCOUNTS, this::list);
    route(
        sb,
        HttpMethod.PUT,
        ACCOUNTS + "/{username}/password",
        audited(AuditEventType.PRINCIPAL_CHANGE, this::setPassword));
    route(
        sb,
        HttpMethod.POST,
        ACCOUNTS + "/{username}/totp",
        audited(AuditEventType.PRINCIPAL_CHANGE, this::enrol));
    route(
        sb,
        HttpMethod.POST,
        ACCOUNTS + "/{username}/totp/confirm",
        audited(AuditEventType.PRINCIPAL_CHANGE, this::confirm));
    route(
        sb,
        HttpMethod.DELETE,
        ACCOUNTS + "/{username}/totp",
        audited(AuditEventType.PRINCIPAL_CHANGE, this::resetTotp));
    route(
        sb,
        HttpMethod.DELETE,
        ACCOUNTS + "/{username}",
        audited(AuditEventType.PRINCIPAL_CHANGE, this::disable));
  }

  private Blocking.Handler audited(AuditEventType type, Blocking.Handler handler) {
    return auditor.audited(type, handler);
  }

  private void route(ServerBuilder sb, HttpMethod method, String path, Blocking.Handler h) {
    sb.route()
        .methods(method)
        .path(path)
        .maxRequestLength(Json.MAX_MANAGEMENT_BODY)
        .build(blocking.aggregated(h));
  }

  record LoginBody(
      @JsonProperty("username") @Nullable String username,
      @JsonProperty("password") @Nullable String password,
      @JsonProperty("totp") @Nullable String totp) {}

  private HttpResponse login(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    auditor.requireAvailable();
    LoginBody body = json.read(req.content().array(), LoginBody.class);
    String username = Json.required(body.username(), "username");
    String client = ctx.clientAddress() == null ? "-" : ctx.clientAddress().getHostAddress();
    Session session;
    try {
      session =
          accounts.login(
              username,
              Json.required(body.password(), "password"),
              body.totp(),
              client,
              clock.instant());
    } catch (LoginThrottledException e) {
      record(ctx, AuditOutcome.DENIED, username, "throttled", client);
      throw new RateLimitedException(
          "too many failed logins; wait before trying again",
          Duration.ofSeconds(e.retryAfterSeconds()));
    } catch (LoginFailedException e) {
      record(ctx, AuditOutcome.FAILURE, username, e.reason(), client);
      throw new AuthenticationDecorator.Unauthenticated(
          new io.bulwark.security.AuthenticationException(LoginFailedException.MESSAGE));
    }
    auditor.record(
        ctx,
        AuditEventType.AUTHENTICATION_SUCCESS,
        AuditOutcome.SUCCESS,
        "account:" + session.principal().accountId(),
        SESSION_PATH,
        Map.of("session", session.id(), "client", client));
    ObjectNode out = sessionJson(session.principal());
    out.put("csrf_token", session.csrfToken());
    out.put("expires_at", session.expiresAt().toString());
    return HttpResponse.of(
        ResponseHeaders.builder(HttpStatus.OK)
            .contentType(MediaType.JSON_UTF_8)
            .add(HttpHeaderNames.SET_COOKIE, session.setCookieHeader())
            .add(HttpHeaderNames.CACHE_CONTROL, "no-store")
            .build(),
        com.linecorp.armeria.common.HttpData.wrap(
            json.write(out).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  private void record(
      ServiceRequestContext ctx,
      AuditOutcome outcome,
      String username,
      String reason,
      String client) {
    auditor.record(
        ctx,
        AuditEventType.AUTHENTICATION_FAILURE,
        outcome,
        "-",
        SESSION_PATH,
        Map.of(
            "username",
            NewAccount.isValidUsername(username) ? username : "(malformed)",
            "reason",
            reason,
            "client",
            client));
  }

  private HttpResponse whoAmI(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    AccountPrincipal a = account(ctx);
    ObjectNode out = sessionJson(a);
    out.put("csrf_token", accounts.csrfToken(a.sessionId()));
    return json.response(HttpStatus.OK, out);
  }

  private HttpResponse logout(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    AccountPrincipal a = account(ctx);
    accounts.revokeSession(a.sessionId());
    return HttpResponse.of(
        ResponseHeaders.builder(HttpStatus.NO_CONTENT)
            .add(HttpHeaderNames.SET_COOKIE, Session.clearCookieHeader())
            .build());
  }

  private ObjectNode sessionJson(AccountPrincipal a) {
    ObjectNode out = json.object().put("username", a.username()).put("tenant", a.tenant());
    ArrayNode roles = out.putArray("roles");
    a.roles().stream().sorted().forEach(roles::add);
    return out;
  }

  private static AccountPrincipal account(ServiceRequestContext ctx) {
    AccountPrincipal a = ctx.attr(Principals.ACCOUNT);
    if (a == null) {
      throw new ForbiddenException("this call needs a dashboard session (log in first)");
    }
    return a;
  }

  record CreateBody(
      @JsonProperty("username") @Nullable String username,
      @JsonProperty("tenant") @Nullable String tenant,
      @JsonProperty("roles") @Nullable List<String> roles) {}

  private HttpResponse create(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    CreateBody body = json.read(req.content().array(), CreateBody.class);
    String tenant = body.tenant() == null ? p.tenant() : body.tenant();
    authorizer.checkSystem(p, PolicyAction.MANAGE_PRINCIPALS, tenant);
    List<String> roles = Json.required(body.roles(), "roles");
    for (String r : roles) {
      if (r == null || Role.fromWireName(r).isEmpty()) {
        throw new InvalidRequestException("unknown role in roles");
      }
    }
    // A person's session is not limited to some actions: only an unlimited creator may make one.
    p.checkMayGrant(Set.copyOf(roles), Set.of(), "an account");
    AccountInfo a =
        accounts.create(
            new NewAccount(Json.required(body.username(), "username"), tenant, Set.copyOf(roles)),
            ManagementApi.actor(p));
    Auditor.note(ctx, "account", a.username());
    return json.response(HttpStatus.CREATED, accountJson(a));
  }

  private HttpResponse list(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    authorizer.checkSystem(p, PolicyAction.MANAGE_PRINCIPALS);
    ObjectNode out = json.object();
    ArrayNode arr = out.putArray("accounts");
    for (AccountInfo a : accounts.list()) {
      if (p.isUnlimitedAdmin() || a.tenant().equals(p.tenant())) {
        arr.add(accountJson(a));
      }
    }
    return json.response(HttpStatus.OK, out);
  }

  record PasswordBody(@JsonProperty("password") @Nullable String password) {}

  /** Set by an administrator (initial or reset), or by the person in their own session. */
  private HttpResponse setPassword(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    String username = manageable(ctx, p);
    String password =
        Json.required(json.read(req.content().array(), PasswordBody.class).password(), "password");
    accounts.setPassword(username, password, ManagementApi.actor(p));
    return HttpResponse.of(HttpStatus.NO_CONTENT);
  }

  /**
   * Starts TOTP enrolment: the secret and its {@code otpauth://} URI are shown this once, to be
   * handed to the person (or scanned in their own session); it counts after confirmation.
   */
  private HttpResponse enrol(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    String username = manageable(ctx, p);
    TotpEnrolment e = accounts.enrolTotp(username, ManagementApi.actor(p));
    ObjectNode out =
        json.object()
            .put("secret", e.base32(InsecureSecretAccess.get()))
            .put("otpauth_uri", e.otpauthUri(InsecureSecretAccess.get()));
    return HttpResponse.builder()
        .status(HttpStatus.OK)
        .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .content(MediaType.JSON_UTF_8, json.write(out))
        .build();
  }

  record CodeBody(@JsonProperty("code") @Nullable String code) {}

  private HttpResponse confirm(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    String username = manageable(ctx, p);
    String code = Json.required(json.read(req.content().array(), CodeBody.class).code(), "code");
    try {
      accounts.confirmTotp(username, code, clock.instant());
    } catch (GeneralSecurityException e) {
      throw new InvalidRequestException("the code does not confirm the enrolment");
    }
    return HttpResponse.of(HttpStatus.NO_CONTENT);
  }

  private HttpResponse resetTotp(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    String username = Principals.pathParam(ctx, "username");
    checkMayTakeOver(p, username);
    accounts.resetTotp(username, ManagementApi.actor(p));
    return HttpResponse.of(HttpStatus.NO_CONTENT);
  }

  private HttpResponse disable(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Principal p = Principals.of(ctx);
    String username = Principals.pathParam(ctx, "username");
    checkAdminister(p, username);
    return json.response(
        HttpStatus.OK, accountJson(accounts.disable(username, ManagementApi.actor(p))));
  }

  /** The path's account, if the caller is that person (own session) or may administer it. */
  private String manageable(ServiceRequestContext ctx, Principal p) {
    String username = Principals.pathParam(ctx, "username");
    AccountPrincipal own = ctx.attr(Principals.ACCOUNT);
    if (own == null || !own.username().equals(username)) {
      checkMayTakeOver(p, username);
    }
    Auditor.note(ctx, "account", username);
    return username;
  }

  private void checkAdminister(Principal p, String username) {
    authorizer.checkInTenant(
        p,
        PolicyAction.MANAGE_PRINCIPALS,
        "account",
        username,
        () -> account(username).map(AccountInfo::tenant));
  }

  /**
   * Setting someone's password or second factor gives the administrator that person's access, so it
   * takes what creating the account would: holding its roles, with no narrower scope.
   */
  private void checkMayTakeOver(Principal p, String username) {
    checkAdminister(p, username);
    account(username)
        .ifPresent(a -> p.checkMayGrant(a.roles(), Set.of(), "an account you administer"));
  }

  private java.util.Optional<AccountInfo> account(String username) {
    return accounts.list().stream().filter(a -> a.username().equals(username)).findFirst();
  }

  private ObjectNode accountJson(AccountInfo a) {
    ObjectNode o =
        json.object()
            .put("id", a.id())
            .put("username", a.username())
            .put("tenant", a.tenant())
            .put("created_at", a.createdAt().toString())
            .put("created_by", a.createdBy())
            .put("password_set", a.passwordSet())
            .put("totp_enrolled", a.totpEnrolled())
            .put("disabled_at", a.disabledAt() == null ? null : a.disabledAt().toString());
    ArrayNode roles = o.putArray("roles");
    a.roles().stream().sorted().forEach(roles::add);
    return o;
  }
}
