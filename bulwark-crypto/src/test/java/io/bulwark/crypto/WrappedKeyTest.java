package io.bulwark.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WrappedKeyTest {

  @Test
  void constructor_callerChangesArrayLater_keyUnchanged() {
    byte[] bytes = {1, 2, 3};
    WrappedKey key = new WrappedKey("local:00000001", bytes);
    bytes[0] = 9;
    assertThat(key.bytes()).containsExactly(1, 2, 3);
  }

  @Test
  void bytes_callerChangesResult_keyUnchanged() {
    WrappedKey key = new WrappedKey("local:00000001", new byte[] {1, 2, 3});
    key.bytes()[0] = 9;
    assertThat(key.bytes()).containsExactly(1, 2, 3);
  }

  @Test
  void equals_sameContentInDifferentArrays_equal() {
    WrappedKey a = new WrappedKey("local:00000001", new byte[] {1, 2, 3});
    WrappedKey b = new WrappedKey("local:00000001", new byte[] {1, 2, 3});
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(new WrappedKey("local:00000001", new byte[] {1, 2, 4}));
    assertThat(a).isNotEqualTo(new WrappedKey("local:00000002", new byte[] {1, 2, 3}));
  }

  @Test
  void toString_any_showsIdAndLengthButNotBytes() {
    WrappedKey key = new WrappedKey("local:00000001", new byte[] {0x7a, 0x7b, 0x7c});
    assertThat(key.toString()).isEqualTo("WrappedKey[kekId=local:00000001, 3 bytes]");
  }

  @Test
  void constructor_kekIdAtLimit_accepted() {
    String id = "k".repeat(WrappedKey.MAX_KEK_ID_LENGTH);
    assertThat(new WrappedKey(id, new byte[] {1}).kekId()).isEqualTo(id);
  }

  @Test
  void constructor_kekIdAboveLimit_rejected() {
    String id = "k".repeat(WrappedKey.MAX_KEK_ID_LENGTH + 1);
    assertThatThrownBy(() -> new WrappedKey(id, new byte[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constructor_kekIdEmptyOrUnprintable_rejected() {
    for (String id : new String[] {"", "local 1", "local:\n1", "local:é"}) {
      assertThatThrownBy(() -> new WrappedKey(id, new byte[] {1}))
          .as(id)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void constructor_bytesAtLimit_accepted() {
    byte[] bytes = new byte[WrappedKey.MAX_WRAPPED_BYTES];
    assertThat(new WrappedKey("local:1", bytes).bytes()).hasSize(WrappedKey.MAX_WRAPPED_BYTES);
  }

  @Test
  void constructor_bytesAboveLimitOrEmpty_rejected() {
    assertThatThrownBy(() -> new WrappedKey("local:1", new byte[WrappedKey.MAX_WRAPPED_BYTES + 1]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WrappedKey("local:1", new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
