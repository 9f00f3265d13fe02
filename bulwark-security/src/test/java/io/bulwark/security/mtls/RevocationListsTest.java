package io.bulwark.security.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.testing.TestCertificates;
import io.bulwark.testing.TestCertificates.Authority;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevocationListsTest {
  private static final Authority CA = Authority.create("CRL CA");

  @TempDir Path dir;

  private Path crls(int n) throws Exception {
    String one =
        TestCertificates.pem(
            "X509 CRL", CA.crl(Instant.now().plus(Duration.ofDays(1))).getEncoded());
    return Files.writeString(dir.resolve("many.crl"), one.repeat(n), StandardCharsets.US_ASCII);
  }

  @Test
  void load_crlsPerFileAtLimit_areRead() throws Exception {
    RevocationLists lists =
        RevocationLists.load(List.of(crls(RevocationLists.MAX_CRLS_PER_FILE)), Clock.systemUTC());
    assertThat(lists.current().crls()).hasSize(RevocationLists.MAX_CRLS_PER_FILE);
  }

  @Test
  void load_crlsPerFileAboveLimit_throws() {
    assertThatThrownBy(
            () ->
                RevocationLists.load(
                    List.of(crls(RevocationLists.MAX_CRLS_PER_FILE + 1)), Clock.systemUTC()))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("more than " + RevocationLists.MAX_CRLS_PER_FILE);
  }

  @Test
  void load_fileAboveSizeLimit_throwsBeforeParsing() throws Exception {
    Path big = dir.resolve("big.crl");
    Files.write(big, new byte[RevocationLists.MAX_FILE_BYTES + 1]);
    assertThatThrownBy(() -> RevocationLists.load(List.of(big), Clock.systemUTC()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("larger than");
  }

  @Test
  void load_fileWithoutCrl_throws() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.crl"), "");
    assertThatThrownBy(() -> RevocationLists.load(List.of(empty), Clock.systemUTC()))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void load_crlWithoutNextUpdate_throws() throws Exception {
    Path timeless =
        Files.writeString(
            dir.resolve("timeless.crl"),
            TestCertificates.pem("X509 CRL", CA.crl(null).getEncoded()),
            StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> RevocationLists.load(List.of(timeless), Clock.systemUTC()))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("without a next update time");
  }
}
