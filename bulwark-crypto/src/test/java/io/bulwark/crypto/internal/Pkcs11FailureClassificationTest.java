package io.bulwark.crypto.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.SecretBytes;
import io.bulwark.core.UnavailableException;
import io.bulwark.crypto.KeyEncryptionKeys;
import io.bulwark.crypto.Pkcs11Settings;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.ProviderException;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How token failures are reported; needs no token, so it runs everywhere. */
class Pkcs11FailureClassificationTest {
  @Test
  void pkcs11_missingLibrary_throwsUnavailable() {
    Pkcs11Settings settings =
        new Pkcs11Settings(
            Path.of("/nonexistent/libnothing.so"),
            0,
            SecretBytes.copyOf("1234".getBytes(UTF_8)),
            "k");

    assertThatThrownBy(() -> KeyEncryptionKeys.pkcs11(settings))
        .isInstanceOf(UnavailableException.class)
        .hasMessageContaining("library not found");
  }

  @Test
  void failure_outageCode_throwsUnavailable() {
    ProviderException e = new ProviderException(new PKCS11Exception("CKR_DEVICE_REMOVED"));

    assertThatThrownBy(() -> Pkcs11KeyEncryptionKey.failure("unwrap", e))
        .isInstanceOf(UnavailableException.class);
  }

  @Test
  void failure_badTagCode_returnsGeneralSecurityException() {
    var e = new javax.crypto.AEADBadTagException("CKR_GENERAL_ERROR");
    e.initCause(new PKCS11Exception("CKR_GENERAL_ERROR"));

    assertThat(Pkcs11KeyEncryptionKey.failure("unwrap", e))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessage("PKCS#11 unwrap failed");
  }

  @Test
  void hasPkcs11Code_sameWordInOtherException_ignored() {
    assertThat(
            Pkcs11KeyEncryptionKey.hasPkcs11Code(
                new IllegalStateException("CKR_DEVICE_REMOVED"), Set.of("CKR_DEVICE_REMOVED")))
        .isFalse();
  }

  /** Stands in for the JDK's unexported sun.security.pkcs11.wrapper.PKCS11Exception. */
  private static final class PKCS11Exception extends Exception {
    private static final long serialVersionUID = 1L;

    PKCS11Exception(String code) {
      super(code);
    }
  }
}
