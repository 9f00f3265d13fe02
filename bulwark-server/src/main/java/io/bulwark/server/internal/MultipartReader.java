package io.bulwark.server.internal;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.LimitExceededException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@code multipart/form-data} body (RFC 7578) one part at a time from a stream, so that a
 * large part (a model) is never held in memory. Strict on purpose: the body must start with the
 * first delimiter (no preamble), part headers are bounded in size and number, each part must have a
 * {@code Content-Disposition: form-data} with a simple name, and anything malformed is refused with
 * {@link InvalidRequestException}.
 *
 * <p>A part's body must be read to its end (or skipped with {@link Part#skip}) before {@link
 * #next()} is called again.
 */
final class MultipartReader {
  /** RFC 2046: a boundary has 1 to 70 characters from a restricted set. */
  private static final Pattern BOUNDARY =
      Pattern.compile("[0-9A-Za-z'()+_,\\-./:=? ]{0,69}[0-9A-Za-z'()+_,\\-./:=?]");

  private static final Pattern DISPOSITION =
      Pattern.compile(
          "form-data\\s*;\\s*name=\"([a-z_]{1,32})\"(?:\\s*;\\s*filename=\"([^\"\\\\]{0,255})\")?\\s*",
          Pattern.CASE_INSENSITIVE);

  static final int MAX_HEADER_LINE = 1024;
  static final int MAX_HEADERS = 8;
  private static final int BUFFER = 64 * 1024;

  private final InputStream in;
  private final byte[] delimiter;
  private final byte[] buf;
  private int pos;
  private int limit;
  private boolean eof;
  private boolean started;
  private boolean finished;
  private @Nullable Part current;

  MultipartReader(InputStream in, String boundary) {
    this.in = in;
    this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
    this.buf = new byte[BUFFER + delimiter.length];
  }

  /**
   * The boundary of a {@code multipart/form-data} content type.
   *
   * @throws InvalidRequestException if the content type is not multipart/form-data with a valid
   *     boundary
   */
  static String boundary(@Nullable String contentType) {
    if (contentType == null) {
      throw new InvalidRequestException("push needs Content-Type multipart/form-data");
    }
    String[] parts = contentType.split(";", -1);
    if (!parts[0].trim().equalsIgnoreCase("multipart/form-data")) {
      throw new InvalidRequestException(
          "push needs Content-Type multipart/form-data (parts: card, signature, model)");
    }
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("boundary")) {
        String b = p.substring(eq + 1).trim();
        if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
          b = b.substring(1, b.length() - 1);
        }
        if (!BOUNDARY.matcher(b).matches()) {
          throw new InvalidRequestException("invalid multipart boundary");
        }
        return b;
      }
    }
    throw new InvalidRequestException("multipart/form-data without a boundary");
  }

  /** A part: its form field name, its file name if any, and its body. */
  static final class Part {
    private final String name;
    private final @Nullable String filename;
    private final PartBody body;

    private Part(String name, @Nullable String filename, PartBody body) {
      this.name = name;
      this.filename = filename;
      this.body = body;
    }

    String name() {
      return name;
    }

    @Nullable String filename() {
      return filename;
    }

    InputStream body() {
      return body;
    }

    /**
     * Reads the whole body into memory, refusing more than {@code max} bytes.
     *
     * @throws LimitExceededException naming {@code limitName} if the part is larger
     */
    byte[] readAll(int max, String limitName) throws IOException {
      byte[] out = body.readNBytes(max + 1);
      if (out.length > max) {
        throw new LimitExceededException(limitName, max, "multipart part '" + name + "'");
      }
      return out;
    }

    void skip() throws IOException {
      body.transferTo(java.io.OutputStream.nullOutputStream());
    }
  }

  /**
   * The next part, or null after the closing delimiter.
   *
   * @throws InvalidRequestException if the body is malformed or a previous part was not read
   */
  @Nullable Part next() throws IOException {
    if (finished) {
      return null;
    }
    Part previous = current;
    if (previous != null && !previous.body.done) {
      throw new IllegalStateException("the previous part was not read to its end");
    }
    if (!started) {
      started = true;
      // No preamble: the body starts with the delimiter minus its leading CRLF.
      if (!skipLiteral(delimiter, 2)) {
        throw new InvalidRequestException("malformed multipart body: no opening boundary");
      }
    }
    // After a delimiter: "--" closes the body, CRLF starts a part.
    int a = read();
    int b = read();
    if (a == '-' && b == '-') {
      finished = true;
      current = null;
      return null;
    }
    if (a != '\r' || b != '\n') {
      throw new InvalidRequestException("malformed multipart body: bad boundary line");
    }
    String name = null;
    String filename = null;
    for (int headers = 0; ; headers++) {
      String line = readLine();
      if (line.isEmpty()) {
        break;
      }
      if (headers >= MAX_HEADERS) {
        throw new InvalidRequestException("malformed multipart body: too many part headers");
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new InvalidRequestException("malformed multipart body: bad part header");
      }
      String header = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      if (header.equals("content-disposition")) {
        if (name != null) {
          throw new InvalidRequestException(
              "malformed multipart body: two Content-Disposition headers");
        }
        Matcher m = DISPOSITION.matcher(value);
        if (!m.matches()) {
          throw new InvalidRequestException(
              "malformed multipart body: part needs Content-Disposition: form-data; name=\"...\"");
        }
        name = m.group(1).toLowerCase(Locale.ROOT);
        filename = m.group(2);
      }
    }
    if (name == null) {
      throw new InvalidRequestException("malformed multipart body: part without a name");
    }
    Part p = new Part(name, filename, new PartBody());
    current = p;
    return p;
  }

  private String readLine() throws IOException {
    byte[] line = new byte[MAX_HEADER_LINE];
    int n = 0;
    while (true) {
      int c = read();
      if (c < 0) {
        throw new InvalidRequestException("malformed multipart body: truncated part headers");
      }
      if (c == '\r') {
        if (read() != '\n') {
          throw new InvalidRequestException("malformed multipart body: bare CR in part headers");
        }
        return new String(line, 0, n, StandardCharsets.UTF_8);
      }
      if (c == '\n' || c == 0) {
        throw new InvalidRequestException("malformed multipart body: bad part header line");
      }
      if (n == line.length) {
        throw new InvalidRequestException(
            "malformed multipart body: part header line longer than " + MAX_HEADER_LINE);
      }
      line[n++] = (byte) c;
    }
  }

  /** Consumes {@code literal[from..]} exactly; false if the input differs. */
  private boolean skipLiteral(byte[] literal, int from) throws IOException {
    for (int i = from; i < literal.length; i++) {
      if (read() != literal[i]) {
        return false;
      }
    }
    return true;
  }

  private int read() throws IOException {
    if (pos == limit && !fill(1)) {
      return -1;
    }
    return buf[pos++] & 0xff;
  }

  /** Makes at least {@code want} bytes available unless the input ends; false if none are. */
  private boolean fill(int want) throws IOException {
    if (limit - pos >= want) {
      return true;
    }
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, limit - pos);
      limit -= pos;
      pos = 0;
    }
    while (!eof && limit < want) {
      int n = in.read(buf, limit, buf.length - limit);
      if (n < 0) {
        eof = true;
      } else {
        limit += n;
      }
    }
    return limit > pos;
  }

  /** The body of the current part: the bytes up to the next delimiter. */
  private final class PartBody extends InputStream {
    private boolean done;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      // Enough bytes to see a whole delimiter, or whatever remains at the end of input.
      fill(Math.min(buf.length, delimiter.length + 1));
      if (limit - pos < delimiter.length && eof) {
        throw new InvalidRequestException("malformed multipart body: truncated part");
      }
      int found = indexOfDelimiter();
      int available;
      if (found >= 0) {
        available = found - pos;
        if (available == 0) {
          pos += delimiter.length;
          done = true;
          return -1;
        }
      } else {
        // A delimiter may begin in the last delimiter.length - 1 bytes: keep them for later.
        available = limit - pos - (delimiter.length - 1);
      }
      int n = Math.min(len, available);
      System.arraycopy(buf, pos, b, off, n);
      pos += n;
      return n;
    }

    private int indexOfDelimiter() {
      int last = limit - delimiter.length;
      outer:
      for (int i = pos; i <= last; i++) {
        if (buf[i] != delimiter[0]) {
          continue;
        }
        for (int j = 1; j < delimiter.length; j++) {
          if (buf[i + j] != delimiter[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }
  }
}
