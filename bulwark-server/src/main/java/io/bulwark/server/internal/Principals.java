package io.bulwark.server.internal;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.bulwark.security.Principal;
import io.bulwark.security.people.AccountPrincipal;
import io.netty.util.AttributeKey;

/** Where the authenticated principal of a request is kept. */
final class Principals {
  static final AttributeKey<Principal> KEY = AttributeKey.valueOf(Principals.class, "principal");

  /** Set when the principal came from an access token rather than an API key. */
  static final AttributeKey<Boolean> VIA_TOKEN =
      AttributeKey.valueOf(Principals.class, "via-token");

  /** Set when the principal is a person with a dashboard session (cookie). */
  static final AttributeKey<AccountPrincipal> ACCOUNT =
      AttributeKey.valueOf(Principals.class, "account");

  /** The RFC 8705 thumbprint of the verified client certificate the connection presented. */
  static final AttributeKey<String> CLIENT_CERTIFICATE =
      AttributeKey.valueOf(Principals.class, "client-certificate");

  private Principals() {}

  /** A path parameter that the route guarantees to be present. */
  static String pathParam(ServiceRequestContext ctx, String name) {
    String v = ctx.pathParam(name);
    if (v == null) {
      throw new IllegalStateException("route has no path parameter " + name);
    }
    return v;
  }

  static boolean viaToken(ServiceRequestContext ctx) {
    return Boolean.TRUE.equals(ctx.attr(VIA_TOKEN));
  }

  /** The principal of an authenticated request; the decorator guarantees there is one. */
  static Principal of(ServiceRequestContext ctx) {
    Principal p = ctx.attr(KEY);
    if (p == null) {
      throw new IllegalStateException("request reached a protected service unauthenticated");
    }
    return p;
  }
}
