package io.bulwark.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.cli.Bulwark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTrustTest {
  private static TestPki pki;
  private static TestPki other;

  @TempDir Path dir;

  @BeforeAll
  static void createPki() throws Exception {
    pki = TestPki.create("Test CA");
    other = TestPki.create("Other CA");
  }

  private Path write(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.US_ASCII);
  }

  @Test
  void readCertificates_caPem_returnsTheCertificate() throws Exception {
    List<X509Certificate> certificates = PemTrust.readCertificates(write("ca.pem", pki.caPem()));

    assertThat(certificates).containsExactly(pki.ca());
  }

  @Test
  void readCertificates_bundle_returnsEveryCertificate() throws Exception {
    Path bundle = write("bundle.pem", pki.caPem() + other.caPem());

    assertThat(PemTrust.readCertificates(bundle)).containsExactly(pki.ca(), other.ca());
  }

  @Test
  void readCertificates_missingFile_failsWithExitError() {
    assertThatThrownBy(() -> PemTrust.readCertificates(dir.resolve("absent.pem")))
        .isInstanceOfSatisfying(
            CliException.class, e -> assertThat(e.exitCode()).isEqualTo(Bulwark.EXIT_ERROR))
        .hasMessageContaining("no such file");
  }

  @Test
  void readCertificates_emptyFile_fails() throws Exception {
    Path empty = write("empty.pem", "");

    assertThatThrownBy(() -> PemTrust.readCertificates(empty))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("no certificate");
  }

  @Test
  void readCertificates_notPem_fails() throws Exception {
    Path garbage =
        write(
            "garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");

    assertThatThrownBy(() -> PemTrust.readCertificates(garbage))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("is not a PEM certificate file");
  }

  @Test
  void readCertificates_fileWithPrivateKey_isRefused() throws Exception {
    Path withKey =
        write(
            "key.pem",
            pki.caPem() + "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n");

    assertThatThrownBy(() -> PemTrust.readCertificates(withKey))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("contains a private key");
  }

  @Test
  void readCertificates_fileAtSizeLimit_isRead() throws Exception {
    String pem = pki.caPem();
    Path atLimit = write("limit.pem", pem + "\n".repeat(PemTrust.MAX_PEM_BYTES - pem.length()));
    assertThat(Files.size(atLimit)).isEqualTo(PemTrust.MAX_PEM_BYTES);

    assertThat(PemTrust.readCertificates(atLimit)).containsExactly(pki.ca());
  }

  @Test
  void readCertificates_fileOverSizeLimit_isRefused() throws Exception {
    String pem = pki.caPem();
    Path overLimit =
        write("over.pem", pem + "\n".repeat(PemTrust.MAX_PEM_BYTES + 1 - pem.length()));

    assertThatThrownBy(() -> PemTrust.readCertificates(overLimit))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("larger than " + PemTrust.MAX_PEM_BYTES + " bytes");
  }

  @Test
  void readCertificates_certificateCountAtLimit_isRead() throws Exception {
    Path bundle = write("many.pem", pki.caPem().repeat(PemTrust.MAX_CERTIFICATES));

    assertThat(PemTrust.readCertificates(bundle)).hasSize(PemTrust.MAX_CERTIFICATES);
  }

  @Test
  void readCertificates_certificateCountOverLimit_isRefused() throws Exception {
    Path bundle = write("too-many.pem", pki.caPem().repeat(PemTrust.MAX_CERTIFICATES + 1));

    assertThatThrownBy(() -> PemTrust.readCertificates(bundle))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("more than " + PemTrust.MAX_CERTIFICATES + " certificates");
  }

  @Test
  void sslParameters_allowOnlyModernTlsWithHostnameVerification() {
    var parameters = PemTrust.sslParameters();

    assertThat(parameters.getProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
    assertThat(parameters.getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
  }
}
