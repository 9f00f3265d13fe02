package io.bulwark.scanning.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.scanning.Finding;
import io.bulwark.scanning.ScanLimits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsScannerTest {
  private static final ScanLimits LIMITS = ScanLimits.defaults();
  private final SafetensorsScanner scanner = new SafetensorsScanner();

  @TempDir Path dir;

  /** A file with {@code header} (UTF-8) and {@code dataBytes} zero bytes of tensor data. */
  static byte[] file(String header, int dataBytes) {
    return file(header.getBytes(StandardCharsets.UTF_8), dataBytes);
  }

  static byte[] file(byte[] header, int dataBytes) {
    ByteBuffer out =
        ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(header.length).put(header);
    return out.array();
  }

  private List<String> rules(byte[] content) {
    return rules(content, LIMITS);
  }

  private List<String> rules(byte[] content, ScanLimits limits) {
    return scanner.scanBytes(content, "t.safetensors", limits).stream().map(Finding::rule).toList();
  }

  private static ScanLimits limits(long fileBytes, int headerBytes) {
    return new ScanLimits(fileBytes, 10, 10, 10, 10, 10, headerBytes);
  }

  private static final String ONE_TENSOR =
      "{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";

  @Test
  void scanBytes_validFile_noFindings() {
    assertThat(rules(file(ONE_TENSOR, 16))).isEmpty();
  }

  @Test
  void scan_validFileOnDisk_noFindings() throws IOException {
    Path f = Files.write(dir.resolve("t.safetensors"), file(ONE_TENSOR, 16));
    assertThat(scanner.scan(dir, f, "t.safetensors", LIMITS)).isEmpty();
  }

  @Test
  void scan_trailingBytesOnDisk_incompleteBuffer() throws IOException {
    Path f = Files.write(dir.resolve("t.safetensors"), file(ONE_TENSOR, 17));
    assertThat(scanner.scan(dir, f, "t.safetensors", LIMITS))
        .extracting(Finding::rule)
        .containsExactly("safetensors.incomplete-buffer");
  }

  @Test
  void scanBytes_metadataAndPadding_noFindings() {
    String header =
        "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"a\":{\"shape\":[2],\"data_offsets\":[0,4],\"dtype\":\"F16\"},"
            + "\"b\":{\"dtype\":\"F4\",\"shape\":[2,3,4],\"data_offsets\":[4,16]}}    ";
    assertThat(rules(file(header, 16))).isEmpty();
  }

  @Test
  void scanBytes_zeroSizedTensorAndEmptyHeader_noFindings() {
    assertThat(rules(file("{\"t\":{\"dtype\":\"F32\",\"shape\":[2,0],\"data_offsets\":[0,0]}}", 0)))
        .isEmpty();
    assertThat(rules(file(" {} ", 0))).isEmpty();
  }

  @Test
  void scanBytes_trailingBytes_incompleteBuffer() {
    assertThat(rules(file(ONE_TENSOR, 17))).containsExactly("safetensors.incomplete-buffer");
  }

  @Test
  void scanBytes_shortData_incompleteBuffer() {
    assertThat(rules(file(ONE_TENSOR, 15))).containsExactly("safetensors.incomplete-buffer");
  }

  @Test
  void scanBytes_underEightBytes_headerTooSmall() {
    assertThat(rules(new byte[7])).containsExactly("safetensors.header-too-small");
  }

  @Test
  void scanBytes_headerBeyondFile_headerLength() {
    byte[] content = file(ONE_TENSOR, 0);
    ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN).putLong(0, ONE_TENSOR.length() + 1);
    assertThat(rules(content)).containsExactly("safetensors.header-length");
  }

  @Test
  void scanBytes_headerLengthWithHighBitSet_headerTooLarge() {
    byte[] content = file(ONE_TENSOR, 16);
    ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
    assertThat(rules(content)).containsExactly("safetensors.header-too-large");
  }

  @Test
  void scanBytes_headerAtAndAboveLimit_tooLargeOnlyAbove() {
    byte[] content = file(ONE_TENSOR, 16);
    int n = ONE_TENSOR.length();
    assertThat(rules(content, limits(1 << 20, n))).isEmpty();
    assertThat(rules(content, limits(1 << 20, n - 1)))
        .containsExactly("safetensors.header-too-large");
  }

  @Test
  void scanBytes_fileAtAndAboveLimit_limitOnlyAbove() {
    byte[] content = file(ONE_TENSOR, 16);
    assertThat(rules(content, limits(content.length, 1000))).isEmpty();
    assertThat(rules(content, limits(content.length - 1, 1000)))
        .containsExactly("safetensors.limit");
  }

  @Test
  void scanBytes_nonUtf8_headerUtf8() {
    assertThat(rules(file(new byte[] {'{', (byte) 0xff, '}'}, 0)))
        .containsExactly("safetensors.header-utf8");
  }

  @Test
  void scanBytes_notJsonOrNotObject_headerJson() {
    for (String header : List.of("{", "[]", "{}x", "{}\0", "\uFEFF{}", "", "{\"a\":1}{}")) {
      assertThat(rules(file(header, 0))).as(header).isNotEmpty();
    }
    assertThat(rules(file("{", 0))).containsExactly("safetensors.header-json");
    assertThat(rules(file("{}\0", 0))).containsExactly("safetensors.header-json");
  }

  @Test
  void scanBytes_duplicateKey_headerJson() {
    String header =
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
    assertThat(rules(file(header, 4))).containsExactly("safetensors.header-json");
  }

  @Test
  void scanBytes_nonStringMetadata_metadata() {
    assertThat(rules(file("{\"__metadata__\":{\"x\":1}}", 0)))
        .containsExactly("safetensors.metadata");
    assertThat(rules(file("{\"__metadata__\":[]}", 0))).containsExactly("safetensors.metadata");
  }

  @Test
  void scanBytes_extraOrMissingField_tensorInfo() {
    assertThat(
            rules(
                file(
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4)))
        .containsExactly("safetensors.tensor-info");
    assertThat(rules(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4)))
        .containsExactly("safetensors.tensor-info");
    assertThat(rules(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4)))
        .containsExactly("safetensors.tensor-info");
    assertThat(rules(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 8)))
        .containsExactly("safetensors.tensor-info");
  }

  @Test
  void scanBytes_unknownDtype_dtype() {
    assertThat(rules(file("{\"a\":{\"dtype\":\"OBJ\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4)))
        .containsExactly("safetensors.dtype");
  }

  @Test
  void scanBytes_sizeDisagreesWithShape_sizeMismatch() {
    assertThat(rules(file("{\"a\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,4]}}", 4)))
        .containsExactly("safetensors.size-mismatch");
  }

  @Test
  void scanBytes_subByteDtypeNotFillingBytes_misaligned() {
    assertThat(rules(file("{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,1]}}", 1)))
        .containsExactly("safetensors.misaligned");
  }

  @Test
  void scanBytes_shapeProductOverflows_overflow() {
    assertThat(
            rules(
                file(
                    "{\"a\":{\"dtype\":\"I32\",\"shape\":[2,9223372036854775807],"
                        + "\"data_offsets\":[0,16]}}",
                    16)))
        .containsExactly("safetensors.overflow");
    assertThat(
            rules(
                file(
                    "{\"a\":{\"dtype\":\"I32\",\"shape\":[2,18446744073709551614],"
                        + "\"data_offsets\":[0,16]}}",
                    16)))
        .containsExactly("safetensors.overflow");
    assertThat(
            rules(
                file(
                    "{\"a\":{\"dtype\":\"I64\",\"shape\":[2305843009213693952],"
                        + "\"data_offsets\":[0,16]}}",
                    16)))
        .containsExactly("safetensors.overflow");
  }

  @Test
  void scanBytes_overlappingOffsets_offsets() {
    String header =
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
    assertThat(rules(file(header, 8))).containsExactly("safetensors.offsets");
  }

  @Test
  void scanBytes_holeBetweenTensors_offsets() {
    String header =
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
    assertThat(rules(file(header, 12))).containsExactly("safetensors.offsets");
  }

  @Test
  void scanBytes_endBeforeBegin_offsets() {
    assertThat(rules(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4)))
        .containsExactly("safetensors.offsets");
  }

  @Test
  void scanBytes_deepNesting_headerJson() {
    String deep = "[".repeat(20) + "]".repeat(20);
    assertThat(rules(file("{\"__metadata__\":" + deep + "}", 0))).isNotEmpty();
  }
}
