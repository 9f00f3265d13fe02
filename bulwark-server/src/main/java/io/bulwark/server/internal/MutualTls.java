package io.bulwark.server.internal;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.bulwark.core.ClientCertificateConfig;
import io.bulwark.security.AuthenticationException;
import io.bulwark.security.Principal;
import io.bulwark.security.jwt.VerifiedToken;
import io.bulwark.security.mtls.ClientCertificates;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * The server side of mutual TLS: asks for client certificates in the handshake (which the {@link
 * ClientCertificates} trust manager verifies, so a bad certificate fails the handshake), finds the
 * verified certificate of a request, and enforces RFC 8705 certificate-bound tokens.
 */
public final class MutualTls {
  /** The RFC 8705 confirmation member of the {@code cnf} claim. */
  public static final String THUMBPRINT_MEMBER = "x5t#S256";

  private final ClientCertificates certificates;

  /** A client certificate that passed verification, and its thumbprint. */
  record Presented(X509Certificate certificate, String thumbprint) {}

  public MutualTls(ClientCertificates certificates) {
    this.certificates = certificates;
  }

  /**
   * Asks clients for a certificate (or insists on one), verified by the configured anchors only.
   * The server's own certificate and protocols stay as they are.
   */
  public void configure(SslContextBuilder ssl) {
    switch (certificates.mode()) {
      case OFF -> {}
      case OPTIONAL ->
          ssl.clientAuth(ClientAuth.OPTIONAL).trustManager(certificates.trustManager());
      case REQUIRED -> ssl.clientAuth(ClientAuth.REQUIRE).trustManager(certificates.trustManager());
    }
  }

  /**
   * The certificate the connection presented, verified again now (cheap when nothing changed), so
   * that a certificate revoked or expired during a long-lived connection stops working.
   *
   * @throws AuthenticationException if it no longer verifies
   */
  @Nullable Presented presented(ServiceRequestContext ctx) throws AuthenticationException {
    if (certificates.mode() == ClientCertificateConfig.Mode.OFF) {
      return null;
    }
    SSLSession session = ctx.sslSession();
    if (session == null) {
      return null;
    }
    Certificate[] peer;
    try {
      peer = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    if (peer == null || peer.length == 0) {
      return null;
    }
    try {
      // Re-parse with the JDK's provider: the TLS library hands out its own certificate views.
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate c : peer) {
        chain.add(
            (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(c.getEncoded())));
      }
      certificates.verify(chain);
      return new Presented(chain.get(0), ClientCertificates.thumbprint(chain.get(0)));
    } catch (CertificateException | RuntimeException e) {
      throw new AuthenticationException(
          "client certificate no longer valid: "
              + io.bulwark.core.Strings.printable(String.valueOf(e.getMessage())));
    }
  }

  /**
   * The principal of a request authenticated by its certificate alone.
   *
   * @throws AuthenticationException if no configured client matches the certificate
   */
  Principal principal(Presented presented) throws AuthenticationException {
    return certificates.principal(presented.certificate());
  }

  /**
   * Enforces a token's binding: a token with {@code cnf} is accepted only on a connection that
   * presented that certificate, and a token issued to a certificate names the principal that
   * certificate maps to now (so removing a client from the configuration stops its tokens).
   *
   * @param issuedTo the principal of the token's subject, or null when the subject is a certificate
   *     principal (then it is derived from the presented certificate)
   * @throws AuthenticationException if the binding does not hold
   */
  static Principal bound(
      VerifiedToken token,
      @Nullable Principal issuedTo,
      @Nullable Presented presented,
      @Nullable MutualTls mtls)
      throws AuthenticationException {
    String expected = null;
    Object cnf = token.claims().get("cnf");
    if (cnf != null) {
      if (!(cnf instanceof Map<?, ?> m) || !(m.get(THUMBPRINT_MEMBER) instanceof String s)) {
        throw new AuthenticationException("token has a cnf claim without " + THUMBPRINT_MEMBER);
      }
      expected = s;
    }
    if (expected != null) {
      if (presented == null) {
        throw new AuthenticationException(
            "token is bound to a client certificate; the connection presented none");
      }
      if (!MessageDigest.isEqual(
          expected.getBytes(StandardCharsets.US_ASCII),
          presented.thumbprint().getBytes(StandardCharsets.US_ASCII))) {
        throw new AuthenticationException(
            "token is bound to another client certificate than the connection's");
      }
    }
    if (issuedTo != null) {
      return issuedTo;
    }
    if (expected == null || presented == null || mtls == null) {
      throw new AuthenticationException("certificate token without a certificate binding");
    }
    Principal p = mtls.principal(presented);
    if (!p.id().equals(token.subject())) {
      throw new AuthenticationException("certificate token names another client");
    }
    return p;
  }
}
