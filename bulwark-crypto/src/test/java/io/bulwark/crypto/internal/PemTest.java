package io.bulwark.crypto.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PemTest {

  @Test
  void encode_anyDer_decodesBackWithLinesOf64() {
    byte[] der = new byte[200];
    new Random(1).nextBytes(der);

    byte[] pem = Pem.encode("PRIVATE KEY", der);

    String text = new String(pem, US_ASCII);
    assertThat(text)
        .startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("\n-----END PRIVATE KEY-----\n");
    assertThat(text.lines().filter(l -> !l.startsWith("-----"))).allMatch(l -> l.length() <= 64);
    assertThat(Pem.decodeSingle("PRIVATE KEY", pem)).isEqualTo(der);
  }

  @Test
  void decodeSingle_surroundingWhitespaceAndCrLf_accepted() {
    byte[] pem =
        "\r\n  -----BEGIN PRIVATE KEY-----\r\nAQID\r\nBA==\r\n-----END PRIVATE KEY-----\r\n\n"
            .getBytes(US_ASCII);

    assertThat(Pem.decodeSingle("PRIVATE KEY", pem)).containsExactly(1, 2, 3, 4);
  }

  @Test
  void decodeSingle_malformed_rejected() {
    for (String text :
        new String[] {
          "",
          "AQID",
          "-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n",
          "-----BEGIN PRIVATE KEY-----\nAQID\n",
          "-----BEGIN PRIVATE KEY-----\nAQ*D\n-----END PRIVATE KEY-----\n",
          "-----BEGIN PRIVATE KEY-----\nA\n-----END PRIVATE KEY-----\n",
          "junk-----BEGIN PRIVATE KEY-----\nAQID\n-----END PRIVATE KEY-----\n",
          "-----BEGIN PRIVATE KEY-----\nAQID\n-----END PRIVATE KEY-----\njunk",
          "-----BEGIN PRIVATE KEY----------END PRIVATE KEY-----",
        }) {
      assertThatThrownBy(() -> Pem.decodeSingle("PRIVATE KEY", text.getBytes(US_ASCII)))
          .as(text)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
