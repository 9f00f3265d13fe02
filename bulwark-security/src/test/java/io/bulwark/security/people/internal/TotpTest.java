package io.bulwark.security.people.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.GeneralSecurityException;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TotpTest {
  private static final byte[] SEED20 = "12345678901234567890".getBytes(US_ASCII);
  private static final byte[] SEED32 = "12345678901234567890123456789012".getBytes(US_ASCII);
  private static final byte[] SEED64 =
      "1234567890123456789012345678901234567890123456789012345678901234".getBytes(US_ASCII);

  /** RFC 6238 Appendix B: 8-digit codes, 30-second steps, the seed sized to each hash. */
  @ParameterizedTest
  @CsvSource({
    "59, 94287082, 46119246, 90693936",
    "1111111109, 07081804, 68084774, 25091201",
    "1111111111, 14050471, 67062674, 99943326",
    "1234567890, 89005924, 91819424, 93441116",
    "2000000000, 69279037, 90698825, 38618901",
    "20000000000, 65353130, 77737706, 47863826",
  })
  void code_rfc6238AppendixB_matches(long seconds, String sha1, String sha256, String sha512) {
    long step = Totp.step(Instant.ofEpochSecond(seconds));
    assertThat(Totp.code(SEED20, step, Totp.Algorithm.SHA1, 8)).isEqualTo(sha1);
    assertThat(Totp.code(SEED32, step, Totp.Algorithm.SHA256, 8)).isEqualTo(sha256);
    assertThat(Totp.code(SEED64, step, Totp.Algorithm.SHA512, 8)).isEqualTo(sha512);
  }

  @Test
  void verify_sixDigitRfcCodes_acceptedWithinWindow() throws Exception {
    // The 6-digit code is the last six digits of the 8-digit one (same truncation, smaller
    // modulus).
    Instant t = Instant.ofEpochSecond(1111111109);
    long step = Totp.step(t);
    assertThat(Totp.verify(SEED20, "081804", t, -1)).isEqualTo(step);
    assertThat(Totp.verify(SEED20, "081804", t.plusSeconds(30), -1)).isEqualTo(step);
    assertThat(Totp.verify(SEED20, "081804", t.minusSeconds(30), -1)).isEqualTo(step);
  }

  @Test
  void verify_twoStepsAway_throws() {
    Instant t = Instant.ofEpochSecond(1111111109);
    assertThatThrownBy(() -> Totp.verify(SEED20, "081804", t.plusSeconds(60), -1))
        .isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> Totp.verify(SEED20, "081804", t.minusSeconds(60), -1))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void verify_stepAlreadyAccepted_throws() throws Exception {
    Instant t = Instant.ofEpochSecond(1111111109);
    long step = Totp.verify(SEED20, "081804", t, -1);
    assertThatThrownBy(() -> Totp.verify(SEED20, "081804", t, step))
        .isInstanceOf(GeneralSecurityException.class);
    // An older code is refused once a newer step has been used.
    String older = Totp.code(SEED20, step - 1, Totp.Algorithm.SHA1, 6);
    assertThatThrownBy(() -> Totp.verify(SEED20, older, t, step))
        .isInstanceOf(GeneralSecurityException.class);
    String newer = Totp.code(SEED20, step + 1, Totp.Algorithm.SHA1, 6);
    assertThat(Totp.verify(SEED20, newer, t, step)).isEqualTo(step + 1);
  }

  @Test
  void verify_wrongCode_throws() {
    Instant t = Instant.ofEpochSecond(1111111109);
    assertThatThrownBy(() -> Totp.verify(SEED20, "081805", t, -1))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void verify_codeLengthAndCharacters_exactlySixDigits() throws Exception {
    Instant t = Instant.ofEpochSecond(1111111109);
    for (String bad :
        new String[] {"", "81804", "0081804", "08180a", "08 804", "\uFF1081804", "-81804"}) {
      assertThatThrownBy(() -> Totp.verify(SEED20, bad, t, -1))
          .as(bad)
          .isInstanceOf(GeneralSecurityException.class)
          .hasMessage("malformed code");
    }
  }

  @Test
  void base32_rfc4648Vectors_matchWithoutPadding() {
    String[][] vectors = {
      {"", ""},
      {"f", "MY"},
      {"fo", "MZXQ"},
      {"foo", "MZXW6"},
      {"foob", "MZXW6YQ"},
      {"fooba", "MZXW6YTB"},
      {"foobar", "MZXW6YTBOI"}
    };
    for (String[] v : vectors) {
      assertThat(Totp.base32(v[0].getBytes(US_ASCII))).isEqualTo(v[1]);
    }
    assertThat(Totp.base32(SEED20)).isEqualTo("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  }

  @Test
  void otpauthUri_keyUriFormat_issuerBulwark() {
    assertThat(Totp.otpauthUri("alice", SEED20))
        .isEqualTo(
            "otpauth://totp/Bulwark:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Bulwark"
                + "&algorithm=SHA1&digits=6&period=30");
  }
}
