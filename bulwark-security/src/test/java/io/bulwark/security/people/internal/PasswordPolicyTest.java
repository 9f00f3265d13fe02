package io.bulwark.security.people.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.InvalidRequestException;
import org.junit.jupiter.api.Test;

class PasswordPolicyTest {
  @Test
  void check_lengthLimits_justInsideAcceptedJustOutsideRefused() {
    assertThatCode(() -> PasswordPolicy.check("alice", "k".repeat(11) + "Q"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> PasswordPolicy.check("alice", "k".repeat(10) + "Q"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("at least 12");
    assertThatCode(() -> PasswordPolicy.check("alice", "k".repeat(255) + "Q"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> PasswordPolicy.check("alice", "k".repeat(256) + "Q"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("at most 256");
  }

  @Test
  void check_lengthAfterNfc_decomposedAccentsCountOnce() {
    // 12 "e + combining acute" pairs are 24 chars but 12 characters after NFC.
    assertThatCode(() -> PasswordPolicy.check("alice", "e\u0301".repeat(12)))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> PasswordPolicy.check("alice", "e\u0301".repeat(11)))
        .isInstanceOf(InvalidRequestException.class);
    // 256 precomposed-after-NFC characters from 512 chars of input.
    assertThatCode(() -> PasswordPolicy.check("alice", "e\u0301".repeat(256)))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> PasswordPolicy.check("alice", "e\u0301".repeat(257)))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void check_supplementaryCharacters_countAsOne() {
    String emoji = "\uD83D\uDD12"; // one code point, two chars
    assertThatCode(() -> PasswordPolicy.check("alice", emoji.repeat(12)))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> PasswordPolicy.check("alice", emoji.repeat(11)))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void check_usernameAsPassword_refused() {
    assertThatThrownBy(() -> PasswordPolicy.check("alice.anderson", "Alice.Anderson"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("password must not be the username");
  }

  @Test
  void check_commonPassword_refusedWhateverTheCase() {
    for (String p :
        new String[] {"password1234", "PASSWORD1234", "QwertyUiop123", "123456789012"}) {
      assertThatThrownBy(() -> PasswordPolicy.check("alice", p))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage("password is too common");
    }
  }

  @Test
  void check_messages_neverEchoThePassword() {
    assertThatThrownBy(() -> PasswordPolicy.check("alice", "s3cr3t"))
        .hasMessageNotContaining("s3cr3t");
  }
}
