package io.bulwark.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.LimitExceededException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MultipartReaderTest {
  private static final String B = "xyzBOUNDARYzyx";

  private static byte[] body(String... namesAndContents) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < namesAndContents.length; i += 2) {
      out.writeBytes(
          ("--" + B + "\r\nContent-Disposition: form-data; name=\"" + namesAndContents[i] + "\"")
              .getBytes(StandardCharsets.US_ASCII));
      out.writeBytes("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(namesAndContents[i + 1].getBytes(StandardCharsets.ISO_8859_1));
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes(("--" + B + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private static List<String> readAll(InputStream in) throws IOException {
    MultipartReader r = new MultipartReader(in, B);
    List<String> out = new ArrayList<>();
    MultipartReader.Part p;
    while ((p = r.next()) != null) {
      out.add(p.name() + "=" + new String(p.body().readAllBytes(), StandardCharsets.ISO_8859_1));
    }
    return out;
  }

  /** Hands out at most {@code chunk} bytes per read, to cross every buffer boundary. */
  private static InputStream trickle(byte[] data, int chunk) {
    return new FilterInputStream(new ByteArrayInputStream(data)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return super.read(b, off, Math.min(len, chunk));
      }
    };
  }

  @Test
  void parts_areReadInOrder_whateverTheReadSizes() throws Exception {
    String big = "a\r\n--xyzBOUNDARYzy".repeat(10_000); // almost-delimiters everywhere
    byte[] data = body("card", "{}", "signature", "", "model", big);
    for (int chunk : new int[] {1, 2, 7, 15, 16, 17, 4096, 1 << 20}) {
      assertThat(readAll(trickle(data, chunk)))
          .containsExactly("card={}", "signature=", "model=" + big);
    }
  }

  @Test
  void randomBinaryContent_roundTrips() throws Exception {
    Random random = new Random(42);
    for (int round = 0; round < 50; round++) {
      byte[] model = new byte[random.nextInt(200_000)];
      random.nextBytes(model);
      String content = new String(model, StandardCharsets.ISO_8859_1);
      assertThat(readAll(trickle(body("model", content), 1 + random.nextInt(70_000))))
          .containsExactly("model=" + content);
    }
  }

  @Test
  void boundary_fromContentType() {
    assertThat(MultipartReader.boundary("multipart/form-data; boundary=abc")).isEqualTo("abc");
    assertThat(MultipartReader.boundary("Multipart/Form-Data;boundary=\"a b\"")).isEqualTo("a b");
    assertThatThrownBy(() -> MultipartReader.boundary(null))
        .hasMessageContaining("multipart/form-data");
    assertThatThrownBy(() -> MultipartReader.boundary("application/octet-stream"))
        .hasMessageContaining("multipart/form-data");
    assertThatThrownBy(() -> MultipartReader.boundary("multipart/form-data"))
        .hasMessageContaining("without a boundary");
    assertThat(MultipartReader.boundary("multipart/form-data; boundary=" + "b".repeat(70)))
        .hasSize(70);
    assertThatThrownBy(
            () -> MultipartReader.boundary("multipart/form-data; boundary=" + "b".repeat(71)))
        .hasMessageContaining("invalid multipart boundary");
    assertThatThrownBy(() -> MultipartReader.boundary("multipart/form-data; boundary=a\nb"))
        .hasMessageContaining("invalid multipart boundary");
  }

  @Test
  void malformedBodies_areRefusedWithAReason() {
    String d = "--" + B + "\r\n";
    String[][] cases = {
      {"", "no opening boundary"},
      {"preamble\r\n" + d, "no opening boundary"},
      {d + "Content-Disposition: form-data; name=\"card\"\r\n\r\n{}", "truncated part"},
      {d + "Content-Disposition: form-data; name=\"card\"", "truncated part headers"},
      {d + "X-Other: 1\r\n\r\nx\r\n--" + B + "--", "part without a name"},
      {d + "Content-Disposition: attachment\r\n\r\nx\r\n--" + B + "--", "Content-Disposition"},
      {
        d + "Content-Disposition: form-data; name=\"../x\"\r\n\r\nx\r\n--" + B + "--",
        "Content-Disposition"
      },
      {d + "Content-Disposition: form-data; name=\"a\"\nX: y\r\n\r\n", "bad part header line"},
      {
        d + "Content-Disposition: form-data; name=\"a\"\r\n" + "X: y\r\n".repeat(9) + "\r\n",
        "too many part headers"
      },
      {
        d + "Content-Disposition: form-data; name=\"a\"\r\nX: " + "y".repeat(1100) + "\r\n\r\n",
        "longer than 1024"
      },
      {"--" + B + "XX", "bad boundary line"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(
              () -> readAll(new ByteArrayInputStream(c[0].getBytes(StandardCharsets.UTF_8))))
          .as(c[1])
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining(c[1]);
    }
  }

  @Test
  void readAll_limit_justBelowAndAbove() throws Exception {
    byte[] data = body("card", "x".repeat(100));
    MultipartReader r = new MultipartReader(new ByteArrayInputStream(data), B);
    assertThat(r.next().readAll(100, "limits.max_card_bytes")).hasSize(100);
    MultipartReader r2 = new MultipartReader(new ByteArrayInputStream(data), B);
    assertThatThrownBy(() -> r2.next().readAll(99, "limits.max_card_bytes"))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageContaining("limits.max_card_bytes");
  }

  @Test
  void nextBeforeThePartIsRead_isAProgrammingError() throws Exception {
    MultipartReader r = new MultipartReader(new ByteArrayInputStream(body("a", "1", "b", "2")), B);
    r.next();
    assertThatThrownBy(r::next).isInstanceOf(IllegalStateException.class);
  }
}
