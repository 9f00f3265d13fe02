package io.bulwark.scanning.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.bulwark.core.Strings;
import io.bulwark.scanning.Finding;
import io.bulwark.scanning.ScanLimits;
import io.bulwark.scanning.spi.FormatScanner;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Validates a safetensors file the way the reference implementation ({@code
 * huggingface/safetensors}, {@code SafeTensors::read_metadata} and {@code Metadata::validate})
 * does, and a little stricter.
 *
 * <p>Guarantees: the 8-byte little-endian header length is within {@link
 * ScanLimits#maxSafetensorsHeaderBytes()} and the file; the header is strict UTF-8 JSON (one
 * object, JSON whitespace around it, no duplicate keys, bounded nesting and number length); {@code
 * __metadata__} is a string-to-string object; every tensor has exactly {@code dtype}, {@code shape}
 * and {@code data_offsets}, a known dtype, and a byte length equal to its shape times its element
 * size without overflow; sorted by offset the tensors tile the data section exactly, with no
 * overlap, hole or trailing bytes. Only the header is read; tensor bytes are never loaded.
 */
public final class SafetensorsScanner implements FormatScanner {
  /** Element sizes in bits, as the reference implementation's {@code Dtype::bitsize}. */
  static final Map<String, Integer> DTYPE_BITS =
      Map.ofEntries(
          Map.entry("BOOL", 8),
          Map.entry("F4", 4),
          Map.entry("F6_E2M3", 6),
          Map.entry("F6_E3M2", 6),
          Map.entry("U8", 8),
          Map.entry("I8", 8),
          Map.entry("F8_E5M2", 8),
          Map.entry("F8_E4M3", 8),
          Map.entry("F8_E8M0", 8),
          Map.entry("I16", 16),
          Map.entry("U16", 16),
          Map.entry("F16", 16),
          Map.entry("BF16", 16),
          Map.entry("I32", 32),
          Map.entry("U32", 32),
          Map.entry("F32", 32),
          Map.entry("C64", 64),
          Map.entry("F64", 64),
          Map.entry("I64", 64),
          Map.entry("U64", 64));

  private static final int MAX_DEPTH = 8;

  @Override
  public String format() {
    return "safetensors";
  }

  @Override
  public boolean recognises(Path file, byte[] head) {
    Path name = file.getFileName();
    return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".safetensors");
  }

  @Override
  public List<Finding> scan(Path root, Path file, String relativeName, ScanLimits limits)
      throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long size = channel.size();
      if (size > limits.maxFileBytes()) {
        return List.of(finding(relativeName, "safetensors.limit", "file has " + size + " bytes"));
      }
      if (size < 8) {
        return List.of(finding(relativeName, "safetensors.header-too-small", "under 8 bytes"));
      }
      ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, prefix, 0);
      long n = prefix.getLong(0);
      List<Finding> lengthProblem = checkHeaderLength(n, size, relativeName, limits);
      if (!lengthProblem.isEmpty()) {
        return lengthProblem;
      }
      ByteBuffer header = ByteBuffer.allocate((int) n);
      readFully(channel, header, 8);
      return validateHeader(header.array(), 0, (int) n, size - 8 - n, relativeName);
    }
  }

  /** Scans a whole safetensors file held in memory. */
  public List<Finding> scanBytes(byte[] content, String relativeName, ScanLimits limits) {
    if (content.length > limits.maxFileBytes()) {
      return List.of(
          finding(relativeName, "safetensors.limit", "file has " + content.length + " bytes"));
    }
    if (content.length < 8) {
      return List.of(finding(relativeName, "safetensors.header-too-small", "under 8 bytes"));
    }
    long n = ByteBuffer.wrap(content, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    List<Finding> lengthProblem = checkHeaderLength(n, content.length, relativeName, limits);
    if (!lengthProblem.isEmpty()) {
      return lengthProblem;
    }
    return validateHeader(content, 8, (int) n, content.length - 8 - n, relativeName);
  }

  private static List<Finding> checkHeaderLength(
      long n, long fileSize, String relativeName, ScanLimits limits) {
    // n is unsigned 64-bit: a negative long is a huge length
    if (n < 0 || n > limits.maxSafetensorsHeaderBytes()) {
      return List.of(
          finding(
              relativeName,
              "safetensors.header-too-large",
              "header length " + Long.toUnsignedString(n) + " exceeds the limit"));
    }
    if (n > fileSize - 8) {
      return List.of(
          finding(
              relativeName,
              "safetensors.header-length",
              "header length " + n + " exceeds the file"));
    }
    return List.of();
  }

  private static void readFully(FileChannel channel, ByteBuffer into, long position)
      throws IOException {
    long at = position;
    while (into.hasRemaining()) {
      int read = channel.read(into, at);
      if (read < 0) {
        throw new IOException("file shrank while being scanned");
      }
      at += read;
    }
  }

  /** A tensor's declared data range, for the tiling check. */
  private record Range(String name, long begin, long end) {}

  /** A header problem, carrying its rule id. */
  private static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;
    private final String rule;

    Invalid(String rule, String detail) {
      super(detail, null, false, false);
      this.rule = rule;
    }
  }

  static List<Finding> validateHeader(
      byte[] bytes, int offset, int length, long dataBytes, String relativeName) {
    try {
      List<Range> ranges = parseHeader(decode(bytes, offset, length));
      checkTiling(ranges, dataBytes);
      return List.of();
    } catch (Invalid e) {
      return List.of(finding(relativeName, e.rule, String.valueOf(e.getMessage())));
    }
  }

  private static String decode(byte[] bytes, int offset, int length) throws Invalid {
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, offset, length))
              .toString();
      if (text.startsWith("\uFEFF")) {
        throw new Invalid("safetensors.header-json", "header starts with a byte-order mark");
      }
      return text;
    } catch (CharacterCodingException e) {
      throw new Invalid("safetensors.header-utf8", "header is not UTF-8");
    }
  }

  private static JsonFactory jsonFactory(int maxChars) {
    return JsonFactory.builder()
        .streamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxNumberLength(40)
                .maxStringLength(Math.max(maxChars, 1))
                .maxNameLength(Math.max(maxChars, 1))
                .maxDocumentLength(Math.max(maxChars, 1))
                .build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
  }

  private static List<Range> parseHeader(String header) throws Invalid {
    List<Range> ranges = new ArrayList<>();
    try (JsonParser p = jsonFactory(header.length()).createParser(header)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new Invalid("safetensors.header-json", "header is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals("__metadata__")) {
          metadata(p);
        } else {
          ranges.add(tensor(p, name));
        }
      }
      if (p.nextToken() != null) {
        throw new Invalid("safetensors.header-json", "content after the header object");
      }
      return ranges;
    } catch (JsonProcessingException e) {
      // the message may quote header bytes, so only the kind of problem is reported
      throw new Invalid(
          "safetensors.header-json", "header is not valid JSON or has duplicate keys");
    } catch (IOException e) {
      throw new Invalid("safetensors.header-json", "header could not be read");
    }
  }

  private static void metadata(JsonParser p) throws IOException, Invalid {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return;
    }
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new Invalid("safetensors.metadata", "__metadata__ is not an object");
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      if (p.nextToken() != JsonToken.VALUE_STRING) {
        throw new Invalid(
            "safetensors.metadata",
            "__metadata__ value for '" + Strings.printable(p.currentName()) + "' is not a string");
      }
    }
  }

  private static Range tensor(JsonParser p, String name) throws IOException, Invalid {
    String shown = "tensor '" + Strings.printable(name) + "'";
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new Invalid("safetensors.tensor-info", shown + " is not an object");
    }
    Integer bits = null;
    long elements = -1;
    long begin = -1;
    long end = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "dtype" -> {
          if (value != JsonToken.VALUE_STRING) {
            throw new Invalid("safetensors.tensor-info", shown + " has a non-string dtype");
          }
          bits = DTYPE_BITS.get(p.getText());
          if (bits == null) {
            throw new Invalid(
                "safetensors.dtype",
                shown + " has unknown dtype '" + Strings.printable(p.getText()) + "'");
          }
        }
        case "shape" -> elements = shape(p, shown);
        case "data_offsets" -> {
          long[] offsets = offsets(p, shown);
          begin = offsets[0];
          end = offsets[1];
        }
        default ->
            throw new Invalid(
                "safetensors.tensor-info",
                shown + " has unexpected field '" + Strings.printable(field) + "'");
      }
    }
    if (bits == null || elements < 0 || begin < 0) {
      throw new Invalid("safetensors.tensor-info", shown + " lacks dtype, shape or data_offsets");
    }
    if (end < begin) {
      throw new Invalid("safetensors.offsets", shown + " ends before it begins");
    }
    long totalBits;
    try {
      totalBits = Math.multiplyExact(elements, (long) bits);
    } catch (ArithmeticException e) {
      throw new Invalid("safetensors.overflow", shown + " has a size that overflows");
    }
    if (totalBits % 8 != 0) {
      throw new Invalid("safetensors.misaligned", shown + " does not fill whole bytes");
    }
    if (end - begin != totalBits / 8) {
      throw new Invalid(
          "safetensors.size-mismatch", shown + " has offsets that disagree with dtype and shape");
    }
    return new Range(name, begin, end);
  }

  private static long shape(JsonParser p, String shown) throws IOException, Invalid {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new Invalid("safetensors.tensor-info", shown + " has a shape that is not an array");
    }
    long elements = 1;
    boolean overflow = false;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      long dimension = nonNegative(p, shown, "shape");
      if (dimension < 0) {
        overflow = true;
        continue;
      }
      try {
        elements = Math.multiplyExact(elements, dimension);
      } catch (ArithmeticException e) {
        overflow = true;
      }
    }
    if (overflow) {
      throw new Invalid("safetensors.overflow", shown + " has a shape whose product overflows");
    }
    return elements;
  }

  private static long[] offsets(JsonParser p, String shown) throws IOException, Invalid {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new Invalid("safetensors.tensor-info", shown + " has data_offsets not an array");
    }
    long[] result = new long[2];
    int count = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      long value = nonNegative(p, shown, "data_offsets");
      if (value < 0) {
        throw new Invalid("safetensors.overflow", shown + " has an offset beyond 2^63");
      }
      if (count < 2) {
        result[count] = value;
      }
      count++;
    }
    if (count != 2) {
      throw new Invalid("safetensors.tensor-info", shown + " needs exactly two data_offsets");
    }
    return result;
  }

  /** Returns the integer at the parser, or -1 if it is too large for a long. */
  private static long nonNegative(JsonParser p, String shown, String field)
      throws IOException, Invalid {
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
      throw new Invalid("safetensors.tensor-info", shown + " has a non-integer in " + field);
    }
    BigInteger value = p.getBigIntegerValue();
    if (value.signum() < 0) {
      throw new Invalid("safetensors.tensor-info", shown + " has a negative " + field);
    }
    return value.bitLength() > 63 ? -1 : value.longValueExact();
  }

  private static void checkTiling(List<Range> ranges, long dataBytes) throws Invalid {
    ranges.sort(Comparator.comparingLong(Range::begin).thenComparingLong(Range::end));
    long next = 0;
    for (Range r : ranges) {
      if (r.begin() != next) {
        throw new Invalid(
            "safetensors.offsets",
            "tensor '"
                + Strings.printable(r.name())
                + "' "
                + (r.begin() < next ? "overlaps another" : "leaves a hole before it"));
      }
      next = r.end();
    }
    if (next != dataBytes) {
      throw new Invalid(
          "safetensors.incomplete-buffer",
          "tensors cover " + next + " of " + dataBytes + " data bytes");
    }
  }

  private static Finding finding(String file, String rule, String detail) {
    return new Finding(file, rule, detail);
  }
}
