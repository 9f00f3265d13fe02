package io.bulwark.security.jwt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StrictBase64UrlTest {
  @Test
  void decode_canonicalInput_decodes() {
    assertThat(StrictBase64Url.decode("Zm9v")).containsExactly('f', 'o', 'o');
    assertThat(StrictBase64Url.decode("Zm8")).containsExactly('f', 'o');
    assertThat(StrictBase64Url.decode("Zg")).containsExactly('f');
    assertThat(StrictBase64Url.decode("")).isEmpty();
    assertThat(StrictBase64Url.decode("-_8")).containsExactly(0xfb, 0xff);
  }

  @Test
  void decode_nonCanonicalInput_throws() {
    // "Zh" and "Zm9" carry non-zero unused bits: second encodings of "f" and "fo".
    for (String bad : new String[] {"Zh", "Zm9", "Zm8=", "Z", "Zm 9v", "Zm+v", "Zm/v", "Zm9v\n"}) {
      assertThatThrownBy(() -> StrictBase64Url.decode(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
