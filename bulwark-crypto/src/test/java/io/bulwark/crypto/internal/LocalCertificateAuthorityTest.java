package io.bulwark.crypto.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.crypto.TlsMaterial;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCertificateAuthorityTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final List<String> DNS = List.of("localhost", "Bulwark.Example.COM");
  private static final List<String> IPS = List.of("127.0.0.1", "::1");

  @TempDir Path dir;

  private Path tls() {
    return dir.resolve("tls");
  }

  private TlsMaterial create(Clock clock) throws Exception {
    return TlsMaterial.loadOrCreate(tls(), DNS, IPS, clock);
  }

  @Test
  void loadOrCreate_firstCall_writesAllFilesOwnerOnly() throws Exception {
    TlsMaterial tls = create(CLOCK);

    assertThat(tls.caCertificate()).isEqualTo(tls().resolve("ca.pem"));
    assertThat(tls.serverCertificateChain()).isEqualTo(tls().resolve("server.pem"));
    assertThat(tls.serverPrivateKey()).isEqualTo(tls().resolve("server.key"));
    assertThat(Files.getPosixFilePermissions(tls()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    for (String name : List.of("ca.key", "server.key", "ca.pem", "server.pem")) {
      assertThat(Files.getPosixFilePermissions(tls().resolve(name)))
          .as(name)
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
    assertThat(Files.readString(tls().resolve("ca.key"), US_ASCII))
        .startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(Files.readString(tls().resolve("server.key"), US_ASCII))
        .startsWith("-----BEGIN PRIVATE KEY-----\n");
  }

  @Test
  void loadOrCreate_firstCall_chainValidatesWithPkixAgainstTheCa() throws Exception {
    TlsMaterial tls = create(CLOCK);

    validate(tls, NOW);
    List<X509Certificate> chain = readChain(tls.serverCertificateChain());
    assertThat(chain).containsExactly(tls.serverX509(), tls.caX509());
  }

  @Test
  void loadOrCreate_firstCall_caHasCaConstraintsAndUsage() throws Exception {
    X509Certificate ca = create(CLOCK).caX509();

    assertThat(ca.getSubjectX500Principal().getName()).matches("CN=Bulwark Local CA [0-9a-f]{8}");
    assertThat(ca.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
    assertThat(ca.getBasicConstraints()).isZero();
    assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(ca.getKeyUsage()[6]).as("cRLSign").isTrue();
    assertThat(ca.getKeyUsage()[0]).as("digitalSignature").isFalse();
    assertThat(ca.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
    assertThat(ca.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(ca.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(Duration.between(ca.getNotBefore().toInstant(), ca.getNotAfter().toInstant()))
        .isGreaterThan(Duration.ofDays(3650));
    ca.verify(ca.getPublicKey());
  }

  @Test
  void loadOrCreate_firstCall_serverCertificateIsForTlsServersOnly() throws Exception {
    TlsMaterial tls = create(CLOCK);
    X509Certificate server = tls.serverX509();

    assertThat(server.getBasicConstraints()).isEqualTo(-1);
    assertThat(server.getKeyUsage()[0]).as("digitalSignature").isTrue();
    assertThat(server.getKeyUsage()[5]).as("keyCertSign").isFalse();
    assertThat(server.getCriticalExtensionOIDs()).contains("2.5.29.15");
    assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(server.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(server.getSerialNumber().signum()).isPositive();
    assertThat(server.getSerialNumber().bitLength()).isLessThanOrEqualTo(128);
    assertThat(
            Duration.between(server.getNotBefore().toInstant(), server.getNotAfter().toInstant()))
        .isEqualTo(Duration.ofDays(397));
    assertThat(server.getNotBefore().toInstant()).isBefore(NOW);
    // Key identifiers link the server certificate to the CA.
    assertThat(server.getExtensionValue("2.5.29.35")).isNotNull();
    assertThat(server.getExtensionValue("2.5.29.14")).isNotNull();
    byte[] caSki = tls.caX509().getExtensionValue("2.5.29.14");
    byte[] serverAki = server.getExtensionValue("2.5.29.35");
    byte[] keyId = Arrays.copyOfRange(caSki, caSki.length - 20, caSki.length);
    assertThat(indexOf(serverAki, keyId)).isNotNegative();
  }

  @Test
  void loadOrCreate_firstCall_subjectAlternativeNamesAreTheRequestedOnes() throws Exception {
    X509Certificate server = create(CLOCK).serverX509();

    List<List<?>> names = new ArrayList<>();
    server.getSubjectAlternativeNames().forEach(names::add);
    assertThat(names)
        .containsExactlyInAnyOrder(
            List.of(2, "localhost"),
            List.of(2, "bulwark.example.com"),
            List.of(7, "127.0.0.1"),
            List.of(7, "0:0:0:0:0:0:0:1"));
  }

  @Test
  void loadOrCreate_firstCall_serverKeyBelongsToServerCertificate() throws Exception {
    TlsMaterial tls = create(CLOCK);

    PrivateKey key = readKey(tls.serverPrivateKey());

    assertThat(signsFor(key, tls.serverX509())).isTrue();
    assertThat(signsFor(readKey(tls().resolve("ca.key")), tls.caX509())).isTrue();
  }

  @Test
  void loadOrCreate_secondCall_reusesAllFilesUnchanged() throws Exception {
    TlsMaterial first = create(CLOCK);
    List<byte[]> before = contents();

    TlsMaterial second = create(Clock.offset(CLOCK, Duration.ofDays(100)));

    assertThat(second).isEqualTo(first);
    List<byte[]> after = contents();
    for (int i = 0; i < before.size(); i++) {
      assertThat(after.get(i)).isEqualTo(before.get(i));
    }
  }

  @Test
  void loadOrCreate_subsetOfNames_reusesServerCertificate() throws Exception {
    TlsMaterial first = create(CLOCK);

    TlsMaterial second =
        TlsMaterial.loadOrCreate(tls(), List.of("LOCALHOST"), List.of("::1"), CLOCK);

    assertThat(second.serverX509()).isEqualTo(first.serverX509());
  }

  @Test
  void loadOrCreate_expiredServerCertificate_reissuedFromSameCa() throws Exception {
    TlsMaterial first = create(CLOCK);
    byte[] caPem = Files.readAllBytes(first.caCertificate());
    byte[] caKey = Files.readAllBytes(tls().resolve("ca.key"));
    byte[] serverKey = Files.readAllBytes(first.serverPrivateKey());
    Instant later = NOW.plus(Duration.ofDays(400));

    TlsMaterial second = create(Clock.fixed(later, ZoneOffset.UTC));

    assertThat(second.serverX509()).isNotEqualTo(first.serverX509());
    assertThat(second.serverX509().getSerialNumber())
        .isNotEqualTo(first.serverX509().getSerialNumber());
    assertThat(second.caX509()).isEqualTo(first.caX509());
    assertThat(Files.readAllBytes(second.caCertificate())).isEqualTo(caPem);
    assertThat(Files.readAllBytes(tls().resolve("ca.key"))).isEqualTo(caKey);
    assertThat(Files.readAllBytes(second.serverPrivateKey())).isNotEqualTo(serverKey);
    assertThat(Files.getPosixFilePermissions(second.serverPrivateKey()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    validate(second, later);
    assertThat(signsFor(readKey(second.serverPrivateKey()), second.serverX509())).isTrue();
    assertThat(readChain(second.serverCertificateChain()))
        .containsExactly(second.serverX509(), second.caX509());
  }

  @Test
  void loadOrCreate_serverCertificateExpiringWithin30Days_reissued() throws Exception {
    TlsMaterial first = create(CLOCK);
    Instant notAfter = first.serverX509().getNotAfter().toInstant();

    TlsMaterial justInside =
        create(Clock.fixed(notAfter.minus(Duration.ofDays(30)).minusSeconds(1), ZoneOffset.UTC));
    assertThat(justInside.serverX509()).isEqualTo(first.serverX509());

    TlsMaterial renewed = create(Clock.fixed(notAfter.minus(Duration.ofDays(30)), ZoneOffset.UTC));
    assertThat(renewed.serverX509()).isNotEqualTo(first.serverX509());
    assertThat(renewed.caX509()).isEqualTo(first.caX509());
  }

  @Test
  void loadOrCreate_newNameRequested_reissuedWithAllNames() throws Exception {
    TlsMaterial first = create(CLOCK);

    TlsMaterial second =
        TlsMaterial.loadOrCreate(
            tls(), List.of("localhost", "models.internal"), List.of("10.1.2.3"), CLOCK);

    assertThat(second.serverX509()).isNotEqualTo(first.serverX509());
    assertThat(second.caX509()).isEqualTo(first.caX509());
    List<List<?>> names = new ArrayList<>();
    second.serverX509().getSubjectAlternativeNames().forEach(names::add);
    assertThat(names)
        .containsExactlyInAnyOrder(
            List.of(2, "localhost"), List.of(2, "models.internal"), List.of(7, "10.1.2.3"));
  }

  @Test
  void loadOrCreate_serverKeyDoesNotMatchCertificate_reissued() throws Exception {
    TlsMaterial first = create(CLOCK);
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    byte[] otherKey =
        Pem.encode("PRIVATE KEY", generator.generateKeyPair().getPrivate().getEncoded());
    Files.write(first.serverPrivateKey(), otherKey);

    TlsMaterial second = create(CLOCK);

    assertThat(second.serverX509()).isNotEqualTo(first.serverX509());
    assertThat(signsFor(readKey(second.serverPrivateKey()), second.serverX509())).isTrue();
  }

  @Test
  void loadOrCreate_damagedServerChain_reissued() throws Exception {
    TlsMaterial first = create(CLOCK);
    Files.writeString(first.serverCertificateChain(), "garbage");

    TlsMaterial second = create(CLOCK);

    assertThat(second.serverX509()).isNotEqualTo(first.serverX509());
    validate(second, NOW);
  }

  @Test
  void loadOrCreate_groupReadableCaKey_refused() throws Exception {
    create(CLOCK);
    Files.setPosixFilePermissions(
        tls().resolve("ca.key"), PosixFilePermissions.fromString("rw-r-----"));

    assertThatThrownBy(() -> create(CLOCK))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("ca.key")
        .hasMessageContaining("readable or writable by group or others");
  }

  @Test
  void loadOrCreate_worldReadableServerKey_refusedNotReplaced() throws Exception {
    create(CLOCK);
    Path serverKey = tls().resolve("server.key");
    Files.setPosixFilePermissions(serverKey, PosixFilePermissions.fromString("rw-r--r--"));
    byte[] before = Files.readAllBytes(serverKey);

    // Even when the certificate is due for renewal.
    assertThatThrownBy(() -> create(Clock.offset(CLOCK, Duration.ofDays(400))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("server.key")
        .hasMessageContaining("group or others");
    assertThat(Files.readAllBytes(serverKey)).isEqualTo(before);
  }

  @Test
  void loadOrCreate_caKeyWithoutCaCertificate_refused() throws Exception {
    create(CLOCK);
    Files.delete(tls().resolve("ca.pem"));

    assertThatThrownBy(() -> create(CLOCK))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("incomplete local CA");
    assertThat(tls().resolve("ca.pem")).doesNotExist();
  }

  @Test
  void loadOrCreate_caKeyNotMatchingCaCertificate_refused() throws Exception {
    create(CLOCK);
    Path otherTls = dir.resolve("other");
    TlsMaterial.loadOrCreate(otherTls, DNS, IPS, CLOCK);
    Files.write(tls().resolve("ca.key"), Files.readAllBytes(otherTls.resolve("ca.key")));

    assertThatThrownBy(() -> create(CLOCK))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("is not the private key of");
  }

  @Test
  void loadOrCreate_malformedCaKey_refusedWithoutEchoingIt() throws Exception {
    create(CLOCK);
    Files.writeString(
        tls().resolve("ca.key"),
        "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n");

    assertThatThrownBy(() -> create(CLOCK))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("is not a PEM PKCS#8 EC private key")
        .message()
        .doesNotContain("c2VjcmV0");
  }

  @Test
  void loadOrCreate_caExpired_refused() throws Exception {
    create(CLOCK);

    assertThatThrownBy(() -> create(Clock.offset(CLOCK, Duration.ofDays(3700))))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("local CA certificate")
        .hasMessageContaining("is valid only from");
  }

  @Test
  void loadOrCreate_serverCertificateNeverOutlivesCa() throws Exception {
    TlsMaterial first = create(CLOCK);
    Instant caNotAfter = first.caX509().getNotAfter().toInstant();

    TlsMaterial late = create(Clock.fixed(caNotAfter.minus(Duration.ofDays(100)), ZoneOffset.UTC));

    assertThat(late.serverX509().getNotAfter()).isEqualTo(first.caX509().getNotAfter());
  }

  @Test
  void loadOrCreate_invalidNames_rejected() {
    for (String name :
        List.of(
            "",
            "bad name",
            "-leading.example",
            "trailing-.example",
            "a..b",
            "x.example.",
            "*.example",
            "exa_mple.com",
            "é.example",
            "a".repeat(64) + ".example")) {
      assertThatThrownBy(() -> TlsMaterial.loadOrCreate(tls(), List.of(name), List.of(), CLOCK))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class);
    }
    for (String ip :
        List.of("localhost", "1.2.3.4/8", "300.1.1.1", "1.2.3", "::1%eth0", "example.com", "")) {
      assertThatThrownBy(() -> TlsMaterial.loadOrCreate(tls(), List.of(), List.of(ip), CLOCK))
          .as(ip)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> TlsMaterial.loadOrCreate(tls(), List.of(), List.of(), CLOCK))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void loadOrCreate_namesAtLimit_accepted() throws Exception {
    List<String> names =
        IntStream.range(0, LocalCertificateAuthority.MAX_SUBJECT_ALT_NAMES)
            .mapToObj(i -> "h" + i + ".example")
            .toList();

    TlsMaterial tls = TlsMaterial.loadOrCreate(tls(), names, List.of(), CLOCK);

    assertThat(tls.serverX509().getSubjectAlternativeNames())
        .hasSize(LocalCertificateAuthority.MAX_SUBJECT_ALT_NAMES);
  }

  @Test
  void loadOrCreate_namesAboveLimit_rejected() {
    List<String> names =
        IntStream.range(0, LocalCertificateAuthority.MAX_SUBJECT_ALT_NAMES)
            .mapToObj(i -> "h" + i + ".example")
            .toList();

    assertThatThrownBy(() -> TlsMaterial.loadOrCreate(tls(), names, List.of("::1"), CLOCK))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void trustStore_caPem_holdsTheCaCertificate() throws Exception {
    TlsMaterial tls = create(CLOCK);

    KeyStore store = TlsMaterial.trustStore(tls.caCertificate());

    assertThat(store.size()).isEqualTo(1);
    assertThat(store.getCertificate(store.aliases().nextElement())).isEqualTo(tls.caX509());
    PKIXParameters parameters = new PKIXParameters(store);
    assertThat(parameters.getTrustAnchors())
        .extracting(TrustAnchor::getTrustedCert)
        .containsExactly(tls.caX509());
  }

  @Test
  void trustStore_fileAtSizeLimit_accepted() throws Exception {
    TlsMaterial tls = create(CLOCK);
    Path padded = dir.resolve("padded.pem");
    Files.write(
        padded,
        pad(Files.readAllBytes(tls.caCertificate()), LocalCertificateAuthority.MAX_PEM_BYTES));

    assertThat(TlsMaterial.trustStore(padded).size()).isEqualTo(1);
  }

  @Test
  void trustStore_fileAboveSizeLimit_refused() throws Exception {
    TlsMaterial tls = create(CLOCK);
    Path padded = dir.resolve("padded.pem");
    Files.write(
        padded,
        pad(Files.readAllBytes(tls.caCertificate()), LocalCertificateAuthority.MAX_PEM_BYTES + 1));

    assertThatThrownBy(() -> TlsMaterial.trustStore(padded))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("larger than");
  }

  @Test
  void trustStore_noCertificate_refused() throws Exception {
    Path empty = dir.resolve("empty.pem");
    Files.writeString(empty, "\n");

    assertThatThrownBy(() -> TlsMaterial.trustStore(empty))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void toString_any_namesFilesButNoKeyMaterial() throws Exception {
    TlsMaterial tls = create(CLOCK);

    assertThat(tls.toString())
        .contains("ca.pem", "server.pem", "Bulwark Local CA")
        .doesNotContain("PRIVATE", "BEGIN");
  }

  // ---- helpers ----

  private static void validate(TlsMaterial tls, Instant at) throws Exception {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(tls.caX509(), null)));
    parameters.setRevocationEnabled(false);
    parameters.setDate(Date.from(at));
    CertPathValidator.getInstance("PKIX")
        .validate(factory.generateCertPath(List.of(tls.serverX509())), parameters);
  }

  private static List<X509Certificate> readChain(Path file) throws Exception {
    List<X509Certificate> chain = new ArrayList<>();
    for (var certificate :
        CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file)))) {
      chain.add((X509Certificate) certificate);
    }
    return chain;
  }

  private static PrivateKey readKey(Path file) throws Exception {
    byte[] der = Pem.decodeSingle("PRIVATE KEY", Files.readAllBytes(file));
    return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
  }

  private static boolean signsFor(PrivateKey key, X509Certificate certificate) throws Exception {
    byte[] message = "challenge".getBytes(US_ASCII);
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key);
    signer.update(message);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(certificate.getPublicKey());
    verifier.update(message);
    return verifier.verify(signature);
  }

  private List<byte[]> contents() throws IOException {
    List<byte[]> contents = new ArrayList<>();
    for (String name : List.of("ca.pem", "ca.key", "server.pem", "server.key")) {
      contents.add(Files.readAllBytes(tls().resolve(name)));
    }
    return contents;
  }

  private static byte[] pad(byte[] content, int size) {
    byte[] padded = Arrays.copyOf(content, size);
    Arrays.fill(padded, content.length, size, (byte) '\n');
    return padded;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }
}
