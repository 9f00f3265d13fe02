package io.bulwark.crypto;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.SecretBytes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class Pkcs11SettingsTest {
  private static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");

  @Test
  void constructor_valid_keepsValuesAndRedactsPin() {
    Pkcs11Settings settings = settings(LIBRARY, 7, "s3cr3t-pin", "bulwark-kek.1");

    assertThat(settings.slot()).isEqualTo(7);
    assertThat(settings.keyLabel()).isEqualTo("bulwark-kek.1");
    assertThat(settings.toString()).doesNotContain("s3cr3t-pin").contains("redacted");
  }

  @Test
  void constructor_relativeOrUnnormalisedLibrary_refused() {
    for (String path : new String[] {"lib.so", "/usr/lib/../lib/lib.so", "/usr/./lib.so"}) {
      assertThatThrownBy(() -> settings(Path.of(path), 0, "1234", "k"))
          .as(path)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("absolute, normalised");
    }
  }

  @Test
  void constructor_libraryWithConfigSyntax_refused() {
    for (String path :
        new String[] {
          "/lib/a b.so", "/lib/a\nslot=1.so", "/lib/${user.home}.so", "/lib/\"x\".so"
        }) {
      assertThatThrownBy(() -> settings(Path.of(path), 0, "1234", "k"))
          .as(path)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void constructor_libraryPathAtLimit_accepted() {
    Path path = Path.of("/" + "a".repeat(Pkcs11Settings.MAX_LIBRARY_PATH_LENGTH - 1));

    assertThat(settings(path, 0, "1234", "k").library()).isEqualTo(path);
  }

  @Test
  void constructor_libraryPathAboveLimit_refused() {
    Path path = Path.of("/" + "a".repeat(Pkcs11Settings.MAX_LIBRARY_PATH_LENGTH));

    assertThatThrownBy(() -> settings(path, 0, "1234", "k"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constructor_slotBounds_checked() {
    assertThat(settings(LIBRARY, 0, "1234", "k").slot()).isZero();
    assertThat(settings(LIBRARY, Integer.MAX_VALUE, "1234", "k").slot())
        .isEqualTo(Integer.MAX_VALUE);
    assertThatThrownBy(() -> settings(LIBRARY, -1, "1234", "k"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> settings(LIBRARY, Integer.MAX_VALUE + 1L, "1234", "k"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constructor_pinAtLimit_accepted() {
    String pin = "p".repeat(Pkcs11Settings.MAX_PIN_BYTES);

    assertThat(settings(LIBRARY, 0, pin, "k").pin().size()).isEqualTo(Pkcs11Settings.MAX_PIN_BYTES);
  }

  @Test
  void constructor_pinAboveLimitEmptyOrNotPrintable_refusedWithoutEchoingIt() {
    for (String pin :
        new String[] {"p".repeat(Pkcs11Settings.MAX_PIN_BYTES + 1), "", "12\n34", "12\u007f4"}) {
      assertThatThrownBy(() -> settings(LIBRARY, 0, pin, "k"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("PIN must have")
          .message()
          .doesNotContain(pin.isEmpty() ? "\u0000" : pin);
    }
    SecretBytes nonAscii = SecretBytes.copyOf(new byte[] {'1', (byte) 0xc3, (byte) 0xa9, '4'});
    assertThatThrownBy(() -> new Pkcs11Settings(LIBRARY, 0, nonAscii, "k"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constructor_labelAtLimit_accepted() {
    String label = "k".repeat(Pkcs11Settings.MAX_KEY_LABEL_LENGTH);

    assertThat(settings(LIBRARY, 0, "1234", label).keyLabel()).isEqualTo(label);
  }

  @Test
  void constructor_labelAboveLimitEmptyOrWithOtherCharacters_refused() {
    for (String label :
        new String[] {
          "k".repeat(Pkcs11Settings.MAX_KEY_LABEL_LENGTH + 1), "", "a b", "a/b", "ä", "a\nb", "a:b"
        }) {
      assertThatThrownBy(() -> settings(LIBRARY, 0, "1234", label))
          .as(label)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("key label");
    }
  }

  private static Pkcs11Settings settings(Path library, long slot, String pin, String label) {
    return new Pkcs11Settings(library, slot, SecretBytes.copyOf(pin.getBytes(US_ASCII)), label);
  }
}
