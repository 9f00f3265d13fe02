package io.bulwark.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.security.AuthenticationException;
import io.bulwark.security.Principal;
import io.bulwark.security.jwt.JwsAlgorithm;
import io.bulwark.security.jwt.VerifiedToken;
import io.bulwark.security.mtls.ClientCertificates;
import io.bulwark.testing.TestCertificates.Authority;
import io.bulwark.testing.TestCertificates.ClientSpec;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The RFC 8705 binding rules, for tokens whose signature and claims already passed. */
class MutualTlsTest {
  private static final Authority CA = Authority.create("Binding CA");
  private static final X509Certificate MINE =
      CA.issue(ClientSpec.of("CN=mine", "spiffe://t/mine")).certificate();
  private static final X509Certificate OTHER =
      CA.issue(ClientSpec.of("CN=other", "spiffe://t/other")).certificate();
  private static final Principal KEY = Principal.of("key-1", Set.of("consumer"), "default");

  private static VerifiedToken token(String subject, Map<String, Object> claims) {
    return new VerifiedToken(
        subject,
        "https://bulwark",
        List.of("bulwark"),
        claims,
        "k",
        JwsAlgorithm.ES256,
        Instant.now().plusSeconds(600));
  }

  private static MutualTls.Presented presented(X509Certificate c) throws Exception {
    return new MutualTls.Presented(c, ClientCertificates.thumbprint(c));
  }

  private static Map<String, Object> boundTo(X509Certificate c) throws Exception {
    return Map.of("cnf", Map.of(MutualTls.THUMBPRINT_MEMBER, ClientCertificates.thumbprint(c)));
  }

  @Test
  void bound_unboundKeyToken_passesWithOrWithoutCertificate() throws Exception {
    VerifiedToken t = token("key-1", Map.of());
    assertThat(MutualTls.bound(t, KEY, null, null)).isSameAs(KEY);
    assertThat(MutualTls.bound(t, KEY, presented(OTHER), null)).isSameAs(KEY);
  }

  @Test
  void bound_boundKeyToken_needsThatCertificate() throws Exception {
    VerifiedToken t = token("key-1", boundTo(MINE));
    assertThat(MutualTls.bound(t, KEY, presented(MINE), null)).isSameAs(KEY);
    assertThatThrownBy(() -> MutualTls.bound(t, KEY, null, null))
        .isInstanceOf(AuthenticationException.class)
        .satisfies(
            e -> assertThat(((AuthenticationException) e).reason()).contains("presented none"));
    assertThatThrownBy(() -> MutualTls.bound(t, KEY, presented(OTHER), null))
        .satisfies(
            e -> assertThat(((AuthenticationException) e).reason()).contains("another client"));
  }

  @Test
  void bound_malformedCnf_throws() {
    VerifiedToken noMember = token("key-1", Map.of("cnf", Map.of("jkt", "x")));
    VerifiedToken notObject = token("key-1", Map.of("cnf", "x"));
    assertThatThrownBy(() -> MutualTls.bound(noMember, KEY, presented(MINE), null))
        .isInstanceOf(AuthenticationException.class);
    assertThatThrownBy(() -> MutualTls.bound(notObject, KEY, presented(MINE), null))
        .isInstanceOf(AuthenticationException.class);
  }

  @Test
  void bound_certificateTokenWithoutCnf_throws() {
    VerifiedToken t = token("cert:spiffe://t/mine", Map.of());
    assertThatThrownBy(() -> MutualTls.bound(t, null, presented(MINE), null))
        .satisfies(
            e ->
                assertThat(((AuthenticationException) e).reason())
                    .contains("without a certificate binding"));
  }
}
