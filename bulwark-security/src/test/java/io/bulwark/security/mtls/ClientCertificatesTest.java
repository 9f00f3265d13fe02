package io.bulwark.security.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.ClientCertificateConfig;
import io.bulwark.core.ClientCertificateConfig.Client;
import io.bulwark.security.AuthenticationException;
import io.bulwark.security.Principal;
import io.bulwark.security.policy.PolicyAction;
import io.bulwark.testing.TestCertificates;
import io.bulwark.testing.TestCertificates.Authority;
import io.bulwark.testing.TestCertificates.ClientSpec;
import io.bulwark.testing.TestCertificates.Issued;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientCertificatesTest {
  private static final Authority CA = Authority.create("Clients CA");
  private static final Authority OTHER_CA = Authority.create("Other CA");
  private static final String SCORER = "spiffe://acme.example/ns/prod/sa/scorer";

  @TempDir Path dir;

  private ClientCertificates load(List<Path> crls, Clock clock, Client... clients)
      throws Exception {
    Path anchors = TestCertificates.writeCertificates(dir.resolve("anchors.pem"), CA.certificate());
    return ClientCertificates.load(
        new ClientCertificateConfig(
            ClientCertificateConfig.Mode.OPTIONAL, anchors, crls, List.of(clients)),
        clock);
  }

  private ClientCertificates load(Client... clients) throws Exception {
    return load(List.of(), Clock.systemUTC(), clients);
  }

  private static Client consumer(String spiffe) {
    return Client.spiffe(spiffe, Set.of("consumer"), "acme");
  }

  @Test
  void verify_validSpiffeClient_passes_andMapsToItsEntry() throws Exception {
    ClientCertificates certs =
        load(consumer(SCORER).withModels(Set.of("fraud.score")).withActions(Set.of("infer")));
    Issued c = CA.issue(ClientSpec.of("CN=scorer", SCORER));
    certs.verify(List.of(c.certificate()));
    Principal p = certs.principal(c.certificate());
    assertThat(p.id()).isEqualTo("cert:" + SCORER);
    assertThat(p.tenant()).isEqualTo("acme");
    assertThat(p.models()).containsExactly("fraud.score");
    assertThat(p.actions()).containsExactly(PolicyAction.INFER);
  }

  @Test
  void verify_chainIncludingTheAnchor_passes() throws Exception {
    Issued c = CA.issue(ClientSpec.of("CN=scorer", SCORER));
    load().verify(List.of(c.certificate(), CA.certificate()));
  }

  @Test
  void verify_expired_throws() throws Exception {
    Instant now = Instant.now();
    Issued c =
        CA.issue(
            ClientSpec.of("CN=old", SCORER)
                .validity(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1))));
    assertThatThrownBy(() -> load().verify(List.of(c.certificate())))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("path validation failed");
  }

  @Test
  void verify_notYetValid_throws() throws Exception {
    Instant now = Instant.now();
    Issued c =
        CA.issue(
            ClientSpec.of("CN=early", SCORER)
                .validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(2))));
    assertThatThrownBy(() -> load().verify(List.of(c.certificate())))
        .isInstanceOf(CertificateException.class);
  }

  @Test
  void verify_otherCa_throws() throws Exception {
    Issued c = OTHER_CA.issue(ClientSpec.of("CN=scorer", SCORER));
    assertThatThrownBy(() -> load().verify(List.of(c.certificate(), OTHER_CA.certificate())))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("path validation failed");
  }

  @Test
  void verify_withoutClientAuth_throws() throws Exception {
    Issued c = CA.issue(ClientSpec.of("CN=server", SCORER).withoutClientAuth());
    assertThatThrownBy(() -> load().verify(List.of(c.certificate())))
        .hasMessageContaining("id-kp-clientAuth");
  }

  @Test
  void verify_keyUsageWithoutDigitalSignature_throws() throws Exception {
    Issued c = CA.issue(ClientSpec.of("CN=ka", SCORER).withoutDigitalSignature());
    assertThatThrownBy(() -> load().verify(List.of(c.certificate())))
        .hasMessageContaining("digitalSignature");
  }

  @Test
  void verify_caCertificateAsClient_throws() throws Exception {
    assertThatThrownBy(() -> load().verify(List.of(CA.certificate())))
        .isInstanceOf(CertificateException.class);
  }

  @Test
  void verify_twoSpiffeIds_throws() throws Exception {
    Issued c = CA.issue(ClientSpec.of("CN=two", SCORER, "spiffe://acme.example/other"));
    assertThatThrownBy(() -> load().verify(List.of(c.certificate())))
        .hasMessageContaining("more than one SPIFFE ID");
  }

  @Test
  void verify_chainAtLimit_isChecked_andAboveLimitIsRefusedFirst() throws Exception {
    Issued c = CA.issue(ClientSpec.of("CN=scorer", SCORER));
    List<X509Certificate> longest =
        java.util.Collections.nCopies(ClientCertificates.MAX_CHAIN, c.certificate());
    // At the limit the chain reaches path validation (and fails there: it repeats the leaf).
    assertThatThrownBy(() -> load().verify(longest)).hasMessageContaining("path validation failed");
    List<X509Certificate> tooLong =
        java.util.Collections.nCopies(ClientCertificates.MAX_CHAIN + 1, c.certificate());
    assertThatThrownBy(() -> load().verify(tooLong)).hasMessageContaining("1-8 certificates");
  }

  @Test
  void verify_revoked_throws_andUnrevokedPasses() throws Exception {
    Issued revoked = CA.issue(ClientSpec.of("CN=revoked", SCORER));
    Issued good = CA.issue(ClientSpec.of("CN=good", SCORER));
    Path crl =
        TestCertificates.writeCrl(
            dir.resolve("ca.crl"),
            CA.crl(Instant.now().plus(Duration.ofDays(1)), revoked.certificate()));
    ClientCertificates certs = load(List.of(crl), Clock.systemUTC());
    certs.verify(List.of(good.certificate()));
    assertThatThrownBy(() -> certs.verify(List.of(revoked.certificate())))
        .hasMessageContaining("REVOKED");
  }

  @Test
  void verify_derCrl_isRead() throws Exception {
    Issued revoked = CA.issue(ClientSpec.of("CN=revoked", SCORER));
    Path crl = dir.resolve("ca.der.crl");
    Files.write(
        crl, CA.crl(Instant.now().plus(Duration.ofDays(1)), revoked.certificate()).getEncoded());
    ClientCertificates certs = load(List.of(crl), Clock.systemUTC());
    assertThatThrownBy(() -> certs.verify(List.of(revoked.certificate())))
        .hasMessageContaining("REVOKED");
  }

  @Test
  void verify_staleCrl_refusesEveryCertificate() throws Exception {
    Issued good = CA.issue(ClientSpec.of("CN=good", SCORER));
    Path crl =
        TestCertificates.writeCrl(
            dir.resolve("ca.crl"), CA.crl(Instant.now().minus(Duration.ofMinutes(1))));
    ClientCertificates certs = load(List.of(crl), Clock.systemUTC());
    assertThatThrownBy(() -> certs.verify(List.of(good.certificate())))
        .hasMessageContaining("due for renewal");
  }

  @Test
  void verify_crlReplacedOnDisk_isReReadWithinTheRecheckPeriod() throws Exception {
    Issued later = CA.issue(ClientSpec.of("CN=later", SCORER));
    Path crl =
        TestCertificates.writeCrl(
            dir.resolve("ca.crl"), CA.crl(Instant.now().plus(Duration.ofDays(1))));
    MutableClock clock = new MutableClock(Instant.now());
    ClientCertificates certs = load(List.of(crl), clock);
    certs.verify(List.of(later.certificate()));
    TestCertificates.writeCrl(
        crl, CA.crl(Instant.now().plus(Duration.ofDays(1)), later.certificate()));
    clock.now = clock.now.plus(RevocationLists.RECHECK);
    assertThatThrownBy(() -> certs.verify(List.of(later.certificate())))
        .hasMessageContaining("REVOKED");
  }

  @Test
  void verify_crlFileRemoved_failsClosed() throws Exception {
    Issued good = CA.issue(ClientSpec.of("CN=good", SCORER));
    Path crl =
        TestCertificates.writeCrl(
            dir.resolve("ca.crl"), CA.crl(Instant.now().plus(Duration.ofDays(1))));
    MutableClock clock = new MutableClock(Instant.now());
    ClientCertificates certs = load(List.of(crl), clock);
    Files.delete(crl);
    clock.now = clock.now.plus(RevocationLists.RECHECK);
    assertThatThrownBy(() -> certs.verify(List.of(good.certificate())))
        .hasMessageContaining("revocation lists unusable");
  }

  @Test
  void verify_crlsConfiguredButNoneFromTheIssuer_throws() throws Exception {
    Path crl =
        TestCertificates.writeCrl(
            dir.resolve("other.crl"), OTHER_CA.crl(Instant.now().plus(Duration.ofDays(1))));
    Issued good = CA.issue(ClientSpec.of("CN=good", SCORER));
    ClientCertificates certs = load(List.of(crl), Clock.systemUTC());
    assertThatThrownBy(() -> certs.verify(List.of(good.certificate())))
        .hasMessageContaining("path validation failed");
  }

  @Test
  void principal_spiffePrefix_matchesWithinItsPath_longestFirst() throws Exception {
    ClientCertificates certs =
        load(
            consumer("spiffe://acme.example/ns/*"),
            Client.spiffe("spiffe://acme.example/ns/prod/*", Set.of("auditor"), "acme"));
    X509Certificate prod = CA.issue(ClientSpec.of("CN=a", SCORER)).certificate();
    X509Certificate dev =
        CA.issue(ClientSpec.of("CN=b", "spiffe://acme.example/ns/dev/x")).certificate();
    X509Certificate elsewhere =
        CA.issue(ClientSpec.of("CN=c", "spiffe://acme.example/nsx")).certificate();
    X509Certificate otherDomain =
        CA.issue(ClientSpec.of("CN=d", "spiffe://evil.example/ns/prod/x")).certificate();
    assertThat(certs.principal(prod).roles()).containsExactly("auditor");
    assertThat(certs.principal(dev).roles()).containsExactly("consumer");
    assertThatThrownBy(() -> certs.principal(elsewhere))
        .isInstanceOf(AuthenticationException.class);
    assertThatThrownBy(() -> certs.principal(otherDomain))
        .isInstanceOf(AuthenticationException.class);
  }

  @Test
  void principal_subject_matchesCanonically_onlyWithoutSpiffeId() throws Exception {
    ClientCertificates certs =
        load(Client.subject("CN=legacy, O=Acme", Set.of("consumer"), "default"));
    X509Certificate legacy = CA.issue(ClientSpec.of("CN=Legacy,O=acme")).certificate();
    Principal p = certs.principal(legacy);
    assertThat(p.id()).matches("cert:subject:[0-9a-f]{32}");
    assertThat(p.name()).isEqualTo("CN=Legacy,O=acme");
    X509Certificate withSpiffe = CA.issue(ClientSpec.of("CN=legacy,O=Acme", SCORER)).certificate();
    assertThatThrownBy(() -> certs.principal(withSpiffe))
        .isInstanceOf(AuthenticationException.class)
        .satisfies(
            e ->
                assertThat(((AuthenticationException) e).reason())
                    .contains("matches no configured client"));
  }

  @Test
  void load_duplicateEntries_throw() {
    assertThatThrownBy(() -> load(consumer(SCORER), consumer(SCORER)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void load_unknownAction_throws() {
    assertThatThrownBy(() -> load(consumer(SCORER).withActions(Set.of("fly"))))
        .hasMessageContaining("unknown action");
  }

  @Test
  void load_anchorThatIsNotACa_throws() throws Exception {
    Issued leaf = CA.issue(ClientSpec.of("CN=leaf", SCORER));
    Path anchors = TestCertificates.writeCertificates(dir.resolve("bad.pem"), leaf.certificate());
    assertThatThrownBy(
            () ->
                ClientCertificates.load(
                    new ClientCertificateConfig(
                        ClientCertificateConfig.Mode.REQUIRED, anchors, List.of(), List.of()),
                    Clock.systemUTC()))
        .hasMessageContaining("not a CA certificate");
  }

  @Test
  void thumbprint_isBase64UrlSha256OfDer() throws Exception {
    X509Certificate c = CA.issue(ClientSpec.of("CN=t", SCORER)).certificate();
    String t = ClientCertificates.thumbprint(c);
    assertThat(t).hasSize(43).matches("[A-Za-z0-9_-]+");
    assertThat(java.util.Base64.getUrlDecoder().decode(t))
        .isEqualTo(java.security.MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
  }

  @Test
  void principalId_longSpiffeId_isHashed() throws Exception {
    String longId = "spiffe://acme.example/" + "a".repeat(ClientName.MAX_PLAIN_ID_CHARS);
    ClientName name = ClientName.of(CA.issue(ClientSpec.of("CN=l", longId)).certificate());
    assertThat(name.principalId()).matches("cert:spiffe:[0-9a-f]{32}");
    String atLimit =
        "spiffe://acme.example/"
            + "a".repeat(ClientName.MAX_PLAIN_ID_CHARS - "spiffe://acme.example/".length());
    assertThat(ClientName.of(CA.issue(ClientSpec.of("CN=l", atLimit)).certificate()).principalId())
        .isEqualTo("cert:" + atLimit);
  }

  private static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
