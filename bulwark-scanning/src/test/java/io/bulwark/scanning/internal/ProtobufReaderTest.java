package io.bulwark.scanning.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProtobufReaderTest {

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  @Test
  void readVarint_tenByteMaximum_returnsAllBits() throws Exception {
    ProtobufReader in =
        new ProtobufReader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01));
    assertThat(in.readVarint()).isEqualTo(-1L);
    assertThat(in.hasMore()).isFalse();
  }

  @Test
  void readVarint_tenthByteAboveOne_throws() {
    ProtobufReader in =
        new ProtobufReader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02));
    assertThatThrownBy(in::readVarint).isInstanceOf(ProtobufFormatException.class);
  }

  @Test
  void readVarint_elevenBytes_throws() {
    ProtobufReader in =
        new ProtobufReader(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81, 0x00));
    assertThatThrownBy(in::readVarint).isInstanceOf(ProtobufFormatException.class);
  }

  @Test
  void readVarint_truncated_throws() {
    assertThatThrownBy(new ProtobufReader(bytes(0x80))::readVarint)
        .isInstanceOf(ProtobufFormatException.class);
  }

  @Test
  void readMessage_lengthEqualToRemaining_reads() throws Exception {
    ProtobufReader in = new ProtobufReader(bytes(0x0a, 0x02, 0x08, 0x01));
    int tag = in.readTag();
    assertThat(ProtobufReader.fieldNumber(tag)).isEqualTo(1);
    ProtobufReader nested = in.readMessage();
    assertThat(ProtobufReader.fieldNumber(nested.readTag())).isEqualTo(1);
    assertThat(nested.readVarint()).isEqualTo(1);
    assertThat(in.hasMore()).isFalse();
  }

  @Test
  void readMessage_lengthOneBeyondRemaining_throws() throws Exception {
    ProtobufReader in = new ProtobufReader(bytes(0x0a, 0x03, 0x08, 0x01));
    in.readTag();
    assertThatThrownBy(in::readMessage).isInstanceOf(ProtobufFormatException.class);
  }

  @Test
  void readMessage_hugeDeclaredLength_throwsWithoutAllocating() throws Exception {
    ProtobufReader in =
        new ProtobufReader(bytes(0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f));
    in.readTag();
    assertThatThrownBy(in::readMessage).isInstanceOf(ProtobufFormatException.class);
  }

  @Test
  void readTag_groupWireType_throws() {
    assertThatThrownBy(new ProtobufReader(bytes(0x0b))::readTag)
        .isInstanceOf(ProtobufFormatException.class);
  }

  @Test
  void readTag_fieldNumberZero_throws() {
    assertThatThrownBy(new ProtobufReader(bytes(0x00))::readTag)
        .isInstanceOf(ProtobufFormatException.class);
  }

  @Test
  void readString_invalidUtf8_throws() throws Exception {
    ProtobufReader in = new ProtobufReader(bytes(0x0a, 0x01, 0xff));
    in.readTag();
    assertThatThrownBy(in::readString).isInstanceOf(ProtobufFormatException.class);
  }

  @Test
  void skip_truncatedFixed64_throws() throws Exception {
    ProtobufReader in = new ProtobufReader(bytes(0x09, 1, 2, 3));
    int tag = in.readTag();
    assertThatThrownBy(() -> in.skip(tag)).isInstanceOf(ProtobufFormatException.class);
  }

  @Test
  void skip_everyWireType_advancesPastField() throws Exception {
    ProtobufReader in =
        new ProtobufReader(
            bytes(
                0x08, 0x96, 0x01, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x1a, 0x01, 0x41, 0x25, 1, 2, 3,
                4));
    for (int i = 0; i < 4; i++) {
      in.skip(in.readTag());
    }
    assertThat(in.hasMore()).isFalse();
  }
}
