package io.bulwark.server.internal.oip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.LimitExceededException;
import io.bulwark.core.Limits;
import io.bulwark.core.Strings;
import io.bulwark.inference.DataType;
import io.bulwark.inference.Tensor;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Decodes an Open Inference Protocol REST inference request body, JSON alone or JSON followed by
 * binary tensor data (Triton's {@code binary_tensor_data} extension).
 *
 * <p>Guarantees: the body is never read past its length; no buffer is allocated for a tensor before
 * its element count has been checked against {@link Limits#maxTensorElements()} (summed over all
 * inputs) and against what the body could possibly hold, so a huge shape with little data costs
 * nothing; JSON nesting deeper than {@link Limits#maxJsonDepth()}, duplicate keys and anything
 * after the JSON object are refused. Every problem ends in an {@link InvalidRequestException} or
 * {@link LimitExceededException} whose message names the field or input and echoes names only
 * through {@link Strings#printable}; no parser message or source excerpt reaches the client.
 *
 * <p>Tensors decoded from binary data share memory with {@code body}: the caller must not modify
 * the body array after decoding. FP16 and BF16 data is accepted only as binary data, as Triton
 * does, because a JSON number has no agreed half-precision meaning. A raw binary request ({@code
 * Inference-Header-Content-Length: 0}) is refused, since it needs the model's signature.
 *
 * <p>Thread-safe and reusable.
 */
public final class OipRequestDecoder {
  /** Most inputs, and most requested outputs, in one request. */
  static final int MAX_TENSORS = 128;

  /** Longest tensor name, request id and parameter name, in characters. */
  static final int MAX_NAME_LENGTH = 256;

  /** Most dimensions in a shape. */
  static final int MAX_RANK = 32;

  /** Most entries in one {@code parameters} object. */
  static final int MAX_PARAMETERS = 64;

  /** Longest string value of a parameter, in characters. */
  static final int MAX_PARAMETER_STRING_LENGTH = 4096;

  /** Longest JSON number, in characters (Jackson's default). */
  static final int MAX_NUMBER_LENGTH = 1000;

  /** Longest JSON field name the parser will read at all. */
  private static final int MAX_FIELD_NAME_LENGTH = 1024;

  private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
  private static final long[] NO_COUNTS = new long[0];
  private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);
  private static final Set<String> SHARED_MEMORY_PARAMETERS =
      Set.of("shared_memory_region", "shared_memory_byte_size", "shared_memory_offset");

  private final Limits limits;
  private final JsonFactory factory;

  public OipRequestDecoder(Limits limits) {
    this.limits = limits;
    StreamReadConstraints constraints =
        StreamReadConstraints.builder()
            // Our own depth check fires first, with the configured limit's name in the message;
            // Jackson's stays one level deeper as a backstop.
            .maxNestingDepth(limits.maxJsonDepth() + 1)
            .maxDocumentLength(limits.maxRequestBytes())
            .maxStringLength((int) Math.min(limits.maxRequestBytes(), MAX_ARRAY))
            .maxNameLength(MAX_FIELD_NAME_LENGTH)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            .build();
    this.factory =
        JsonFactory.builder()
            .streamReadConstraints(constraints)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // FastDoubleParser: several times faster on tensor data, and still rounds correctly.
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            // Canonicalization stays on: without it Jackson falls back to a char-based parser that
            // neither reports byte offsets nor rejects malformed UTF-8. Its symbol table refuses
            // hash-flooding with a StreamConstraintsException; interning client-chosen names in
            // the JVM's string table would buy nothing.
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();
  }

  /**
   * Decodes one request.
   *
   * @param body the whole HTTP body; binary tensor data is not copied out of it
   * @param inferenceHeaderContentLength the {@code Inference-Header-Content-Length} header, or null
   *     if absent: then the whole body is JSON
   * @throws InvalidRequestException if the body is not a valid inference request
   * @throws LimitExceededException if it exceeds a configured limit
   */
  public InferenceRequest decode(byte[] body, @Nullable String inferenceHeaderContentLength) {
    if (body.length > limits.maxRequestBytes()) {
      throw new LimitExceededException(
          "limits.max_request_bytes", limits.maxRequestBytes(), "the request body");
    }
    int jsonLength =
        inferenceHeaderContentLength == null
            ? body.length
            : headerLength(inferenceHeaderContentLength, body.length);
    int bad = Utf8.firstInvalid(body, 0, jsonLength);
    if (bad >= 0) {
      throw new InvalidRequestException("invalid JSON: malformed UTF-8 at byte " + bad);
    }
    JsonParser p;
    try {
      p = factory.createParser(body, 0, jsonLength);
    } catch (IOException e) {
      throw new InvalidRequestException("the request body is not readable JSON");
    }
    try (p) {
      return new Reader(p, body, jsonLength, inferenceHeaderContentLength != null).request();
    } catch (StreamConstraintsException e) {
      throw constraintViolation(e, p);
    } catch (JsonProcessingException e) {
      throw syntaxError(e, p);
    } catch (IOException e) {
      throw new InvalidRequestException("the request body is not readable JSON");
    }
  }

  /** Parses the header strictly: optional surrounding blanks, then ASCII digits only. */
  static int headerLength(String value, int bodyLength) {
    int from = 0;
    int to = value.length();
    while (from < to && isBlank(value.charAt(from))) {
      from++;
    }
    while (to > from && isBlank(value.charAt(to - 1))) {
      to--;
    }
    if (from == to) {
      throw notDecimal();
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        throw notDecimal();
      }
      n = n * 10 + (c - '0');
      if (n > bodyLength) {
        throw new InvalidRequestException(
            "Inference-Header-Content-Length is larger than the request body ("
                + bodyLength
                + " bytes)");
      }
    }
    if (n == 0) {
      throw new InvalidRequestException(
          "Inference-Header-Content-Length 0 (a raw binary request without a JSON header) is not"
              + " supported; send the JSON inference header before the binary data");
    }
    return (int) n;
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  private static InvalidRequestException notDecimal() {
    return new InvalidRequestException(
        "Inference-Header-Content-Length must be a non-negative decimal integer");
  }

  private RuntimeException constraintViolation(StreamConstraintsException e, JsonParser p) {
    String m = String.valueOf(e.getOriginalMessage());
    if (m.contains("nesting depth")) {
      return depthExceeded();
    }
    if (m.startsWith("Document length")) {
      return new LimitExceededException(
          "limits.max_request_bytes", limits.maxRequestBytes(), "the request body");
    }
    String what;
    if (m.startsWith("Number value length")) {
      what = "a number longer than " + MAX_NUMBER_LENGTH + " characters";
    } else if (m.startsWith("Name length")) {
      what = "a field name longer than " + MAX_FIELD_NAME_LENGTH + " characters";
    } else if (m.startsWith("String value length")) {
      what = "a string that is too long";
    } else {
      what = "a value beyond the parser's limits";
    }
    return new InvalidRequestException(at(e, p) + ": " + what);
  }

  private static InvalidRequestException syntaxError(JsonProcessingException e, JsonParser p) {
    return new InvalidRequestException(at(e, p) + ": " + describe(e));
  }

  private static String at(JsonProcessingException e, JsonParser p) {
    JsonLocation loc = e.getLocation() != null ? e.getLocation() : p.currentLocation();
    return "invalid JSON at line " + loc.getLineNr() + " column " + loc.getColumnNr();
  }

  /** Our own words for Jackson's error, whose message may quote the input. */
  private static String describe(JsonProcessingException e) {
    if (e instanceof JsonEOFException) {
      return "unexpected end of input";
    }
    String m = String.valueOf(e.getOriginalMessage());
    if (m.startsWith("Duplicate field")) {
      return "duplicate field";
    }
    if (m.contains("UTF-8") || m.contains("UTF8") || m.contains("surrogate")) {
      return "invalid UTF-8";
    }
    if (m.startsWith("Unexpected end-of-input")) {
      return "unexpected end of input";
    }
    if (m.startsWith("Illegal unquoted character")) {
      return "unescaped control character in a string";
    }
    if (m.contains("numeric value") || m.contains("Leading zero") || m.contains("Non-standard")) {
      return "malformed number";
    }
    if (m.contains("escape")) {
      return "invalid escape sequence";
    }
    return "syntax error";
  }

  private LimitExceededException depthExceeded() {
    return new LimitExceededException(
        "limits.max_json_depth", limits.maxJsonDepth(), "the JSON nesting depth");
  }

  private static InvalidRequestException invalid(String message) {
    return new InvalidRequestException(message);
  }

  private static String inputLabel(@Nullable String name, int index) {
    return name != null ? "input '" + Strings.printable(name) + "'" : "inputs[" + index + "]";
  }

  private static String outputLabel(@Nullable String name, int index) {
    return name != null ? "output '" + Strings.printable(name) + "'" : "outputs[" + index + "]";
  }

  private static String shapeText(long[] shape) {
    return Arrays.toString(shape);
  }

  private record PendingOutput(String name, @Nullable Boolean binaryData) {}

  /** The state of decoding one body. */
  private final class Reader {
    // Absolute JSON depths of the request's fixed structure (the root object is depth 1).
    private static final int ROOT = 1;
    private static final int TOP_FIELD = 2;
    private static final int ITEM = 3;
    private static final int ITEM_FIELD = 4;

    private final JsonParser p;
    private final byte[] body;
    private final int jsonLength;
    private final boolean binaryAllowed;
    private int binaryCursor;
    private long totalElements;

    Reader(JsonParser p, byte[] body, int jsonLength, boolean binaryAllowed) {
      this.p = p;
      this.body = body;
      this.jsonLength = jsonLength;
      this.binaryAllowed = binaryAllowed;
      this.binaryCursor = jsonLength;
    }

    InferenceRequest request() throws IOException {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw invalid("the request body must be a JSON object");
      }
      enter(ROOT);
      String id = null;
      Map<String, Object> parameters = Map.of();
      List<Tensor> inputs = null;
      List<PendingOutput> outputs = List.of();
      while (next(p) != JsonToken.END_OBJECT) {
        String field = p.currentName();
        JsonToken v = next(p);
        switch (field) {
          case "id" -> id = idValue(v);
          case "parameters" -> parameters = parameters(v, "the request's parameters", TOP_FIELD);
          case "inputs" -> inputs = inputs(v);
          case "outputs" -> outputs = outputs(v);
          // Anything else (Triton's own example carries "model_name") is read, bounded, ignored.
          default -> skip(v, TOP_FIELD);
        }
      }
      if (p.nextToken() != null) {
        throw invalid("unexpected data after the JSON object");
      }
      if (inputs == null) {
        throw invalid("the request has no 'inputs'");
      }
      if (binaryCursor != body.length) {
        throw invalid(
            "the body holds "
                + (body.length - jsonLength)
                + " bytes of binary data after the JSON but the inputs' binary_data_size"
                + " parameters add up to "
                + (binaryCursor - jsonLength));
      }
      Object binaryDefault = parameters.get("binary_data_output");
      if (binaryDefault != null && !(binaryDefault instanceof Boolean)) {
        throw invalid("parameter 'binary_data_output' must be a boolean");
      }
      boolean binaryOutputDefault = Boolean.TRUE.equals(binaryDefault);
      List<RequestedOutput> requested = new ArrayList<>(outputs.size());
      for (PendingOutput o : outputs) {
        Boolean own = o.binaryData();
        requested.add(new RequestedOutput(o.name(), own != null ? own : binaryOutputDefault));
      }
      return new InferenceRequest(id, parameters, inputs, requested, binaryOutputDefault);
    }

    private @Nullable String idValue(JsonToken v) throws IOException {
      if (v == JsonToken.VALUE_NULL) {
        return null;
      }
      if (v != JsonToken.VALUE_STRING) {
        throw invalid("'id' must be a string");
      }
      String id = p.getText();
      if (id.length() > MAX_NAME_LENGTH) {
        throw invalid("'id' is longer than " + MAX_NAME_LENGTH + " characters");
      }
      return id;
    }

    private String name(JsonToken v, String label) throws IOException {
      if (v != JsonToken.VALUE_STRING) {
        throw invalid(label + ": 'name' must be a string");
      }
      String name = p.getText();
      if (name.isEmpty()) {
        throw invalid(label + ": 'name' must not be empty");
      }
      if (name.length() > MAX_NAME_LENGTH) {
        throw invalid(label + ": 'name' is longer than " + MAX_NAME_LENGTH + " characters");
      }
      return name;
    }

    private List<Tensor> inputs(JsonToken v) throws IOException {
      if (v != JsonToken.START_ARRAY) {
        throw invalid("'inputs' must be an array");
      }
      enter(TOP_FIELD);
      List<Tensor> inputs = new ArrayList<>();
      Set<String> names = new HashSet<>();
      JsonToken t;
      while ((t = next(p)) != JsonToken.END_ARRAY) {
        if (inputs.size() == MAX_TENSORS) {
          throw invalid("the request has more than " + MAX_TENSORS + " inputs");
        }
        Tensor input = input(t, inputs.size());
        if (!names.add(input.name())) {
          throw invalid("duplicate input name '" + Strings.printable(input.name()) + "'");
        }
        inputs.add(input);
      }
      if (inputs.isEmpty()) {
        throw invalid("'inputs' must not be empty");
      }
      return inputs;
    }

    private Tensor input(JsonToken start, int index) throws IOException {
      if (start != JsonToken.START_OBJECT) {
        throw invalid("inputs[" + index + "] must be an object");
      }
      enter(ITEM);
      String name = null;
      long[] shape = null;
      DataType type = null;
      long binarySize = -1;
      boolean hasData = false;
      Tensor decoded = null;
      long deferredOffset = -1;
      while (next(p) != JsonToken.END_OBJECT) {
        String field = p.currentName();
        JsonToken v = next(p);
        String label = inputLabel(name, index);
        switch (field) {
          case "name" -> name = name(v, label);
          case "shape" -> shape = shape(v, label);
          case "datatype" -> type = datatype(v, label);
          case "parameters" -> binarySize = inputParameters(v, label);
          case "data" -> {
            if (v != JsonToken.VALUE_NULL) {
              if (v != JsonToken.START_ARRAY) {
                throw invalid(label + ": 'data' must be an array");
              }
              hasData = true;
              long offset = tokenOffset(p);
              if (name != null && shape != null && type != null) {
                decoded = jsonData(p, name, type, shape, offset);
              } else {
                // "data" came before what decoding it needs: check it now, decode it at the end.
                deferredOffset = offset;
                skip(v, ITEM_FIELD);
              }
            }
          }
          default -> throw invalid(label + ": unknown field '" + Strings.printable(field) + "'");
        }
      }
      String label = inputLabel(name, index);
      if (name == null) {
        throw invalid(label + ": missing 'name'");
      }
      if (shape == null) {
        throw invalid(label + ": missing 'shape'");
      }
      if (type == null) {
        throw invalid(label + ": missing 'datatype'");
      }
      if (hasData && binarySize >= 0) {
        throw invalid(label + ": has both 'data' and the binary_data_size parameter");
      }
      if (binarySize >= 0) {
        return binaryData(name, type, shape, binarySize);
      }
      if (!hasData) {
        throw invalid(label + ": has neither 'data' nor the binary_data_size parameter");
      }
      if (decoded != null) {
        return decoded;
      }
      int from = (int) deferredOffset;
      try (JsonParser q = factory.createParser(body, from, jsonLength - from)) {
        next(q); // the START_ARRAY already validated by skip()
        return jsonData(q, name, type, shape, deferredOffset);
      }
    }

    /** The body offset of the current token, a '[' (checked: a wrong offset must not go far). */
    private long tokenOffset(JsonParser q) {
      // Only Jackson's byte-based parser, which this factory's settings select, reports this.
      long offset = q.currentTokenLocation().getByteOffset();
      if (offset < 0 || offset >= jsonLength || body[(int) offset] != '[') {
        throw new IllegalStateException("the parser reported no usable position for 'data'");
      }
      return offset;
    }

    private long[] shape(JsonToken v, String label) throws IOException {
      if (v != JsonToken.START_ARRAY) {
        throw invalid(label + ": 'shape' must be an array of integers");
      }
      enter(ITEM_FIELD);
      long[] dims = new long[4];
      int rank = 0;
      JsonToken t;
      while ((t = next(p)) != JsonToken.END_ARRAY) {
        if (t != JsonToken.VALUE_NUMBER_INT) {
          throw invalid(label + ": 'shape' must be an array of integers");
        }
        if (rank == MAX_RANK) {
          throw invalid(label + ": 'shape' has more than " + MAX_RANK + " dimensions");
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          throw invalid(label + ": dimension " + rank + " of 'shape' is too large");
        }
        long d = p.getLongValue();
        if (d < 0) {
          throw invalid(label + ": dimension " + rank + " of 'shape' is negative");
        }
        if (rank == dims.length) {
          dims = Arrays.copyOf(dims, dims.length * 2);
        }
        dims[rank++] = d;
      }
      return Arrays.copyOf(dims, rank);
    }

    private DataType datatype(JsonToken v, String label) throws IOException {
      if (v != JsonToken.VALUE_STRING) {
        throw invalid(label + ": 'datatype' must be a string");
      }
      String s = p.getText();
      return DataType.fromWireName(s)
          .orElseThrow(() -> invalid(label + ": unknown datatype '" + Strings.printable(s) + "'"));
    }

    /** Reads an input's parameters; returns its binary_data_size, or -1 if it has none. */
    private long inputParameters(JsonToken v, String label) throws IOException {
      Map<String, Object> params = parameters(v, label + ": 'parameters'", ITEM_FIELD);
      rejectSharedMemory(params, label);
      Object size = params.get("binary_data_size");
      if (size == null) {
        return -1;
      }
      if (!(size instanceof Long n) || n < 0) {
        throw invalid(label + ": parameter binary_data_size must be a non-negative integer");
      }
      return n;
    }

    private void rejectSharedMemory(Map<String, Object> params, String label) {
      for (String key : SHARED_MEMORY_PARAMETERS) {
        if (params.containsKey(key)) {
          throw invalid(label + ": shared memory tensors are not supported");
        }
      }
    }

    private Map<String, Object> parameters(JsonToken v, String what, int depth) throws IOException {
      if (v == JsonToken.VALUE_NULL) {
        return Map.of();
      }
      if (v != JsonToken.START_OBJECT) {
        throw invalid(what + " must be an object");
      }
      enter(depth);
      Map<String, Object> params = new LinkedHashMap<>();
      while (next(p) != JsonToken.END_OBJECT) {
        String key = p.currentName();
        if (params.size() == MAX_PARAMETERS) {
          throw invalid(what + " has more than " + MAX_PARAMETERS + " entries");
        }
        if (key.length() > MAX_NAME_LENGTH) {
          throw invalid(what + ": a parameter name is longer than " + MAX_NAME_LENGTH);
        }
        String label = what + ": parameter '" + Strings.printable(key) + "'";
        JsonToken t = next(p);
        Object value =
            switch (t) {
              case VALUE_STRING -> {
                String s = p.getText();
                if (s.length() > MAX_PARAMETER_STRING_LENGTH) {
                  throw invalid(
                      label + " is longer than " + MAX_PARAMETER_STRING_LENGTH + " characters");
                }
                yield s;
              }
              case VALUE_TRUE -> true;
              case VALUE_FALSE -> false;
              case VALUE_NUMBER_INT -> {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                  throw invalid(label + " is out of range");
                }
                yield p.getLongValue();
              }
              case VALUE_NUMBER_FLOAT -> {
                double d = p.getDoubleValue();
                if (!Double.isFinite(d)) {
                  throw invalid(label + " is out of range");
                }
                yield d;
              }
              default -> throw invalid(label + " must be a string, number or boolean");
            };
        params.put(key, value);
      }
      return params;
    }

    private List<PendingOutput> outputs(JsonToken v) throws IOException {
      if (v == JsonToken.VALUE_NULL) {
        return List.of();
      }
      if (v != JsonToken.START_ARRAY) {
        throw invalid("'outputs' must be an array");
      }
      enter(TOP_FIELD);
      List<PendingOutput> outputs = new ArrayList<>();
      Set<String> names = new HashSet<>();
      JsonToken t;
      while ((t = next(p)) != JsonToken.END_ARRAY) {
        if (outputs.size() == MAX_TENSORS) {
          throw invalid("the request asks for more than " + MAX_TENSORS + " outputs");
        }
        PendingOutput o = output(t, outputs.size());
        if (!names.add(o.name())) {
          throw invalid("duplicate output name '" + Strings.printable(o.name()) + "'");
        }
        outputs.add(o);
      }
      return outputs;
    }

    private PendingOutput output(JsonToken start, int index) throws IOException {
      if (start != JsonToken.START_OBJECT) {
        throw invalid("outputs[" + index + "] must be an object");
      }
      enter(ITEM);
      String name = null;
      Boolean binary = null;
      while (next(p) != JsonToken.END_OBJECT) {
        String field = p.currentName();
        JsonToken v = next(p);
        String label = outputLabel(name, index);
        switch (field) {
          case "name" -> name = name(v, label);
          case "parameters" -> {
            Map<String, Object> params = parameters(v, label + ": 'parameters'", ITEM_FIELD);
            rejectSharedMemory(params, label);
            if (params.containsKey("classification")) {
              throw invalid(label + ": the classification extension is not supported");
            }
            Object b = params.get("binary_data");
            if (b != null && !(b instanceof Boolean)) {
              throw invalid(label + ": parameter binary_data must be a boolean");
            }
            binary = (Boolean) b;
          }
          default -> throw invalid(label + ": unknown field '" + Strings.printable(field) + "'");
        }
      }
      if (name == null) {
        throw invalid(outputLabel(null, index) + ": missing 'name'");
      }
      return new PendingOutput(name, binary);
    }

    /**
     * Counts a shape's elements as {@link Tensor#elementCount} does (refusing any intermediate
     * overflow) and charges them to the request's element budget.
     */
    private long charge(long[] shape, String label) {
      long n = 1;
      for (long d : shape) {
        if (d != 0 && n > Long.MAX_VALUE / d) {
          throw invalid(label + ": shape " + shapeText(shape) + " has too many elements");
        }
        n *= d;
      }
      if (n > limits.maxTensorElements() - totalElements) {
        throw new LimitExceededException(
            "limits.max_tensor_elements",
            limits.maxTensorElements(),
            "the number of elements in all inputs");
      }
      totalElements += n;
      return n;
    }

    /**
     * Decodes a {@code data} array; {@code q} is positioned on its START_ARRAY at {@code offset}.
     */
    private Tensor jsonData(JsonParser q, String name, DataType type, long[] shape, long offset)
        throws IOException {
      String label = inputLabel(name, 0);
      if (type == DataType.FP16 || type == DataType.BF16) {
        throw invalid(
            label
                + ": "
                + type
                + " data cannot be given as JSON numbers; send it as binary data"
                + " (binary_data_size parameter)");
      }
      long count = charge(shape, label);
      // "[e,e,...,e]" needs at least 2n+1 bytes: refuse before allocating for a shape the rest of
      // the JSON cannot possibly fill.
      long available = jsonLength - offset;
      if (count > 0 && count > (available - 1) / 2) {
        throw invalid(
            label
                + ": 'data' cannot hold the "
                + count
                + " elements that shape "
                + shapeText(shape)
                + " requires");
      }
      enter(ITEM_FIELD);
      if (type == DataType.BYTES) {
        List<byte[]> elements = new ArrayList<>((int) count);
        elements(q, type, shape, (int) count, null, elements, label);
        return Tensor.ofBytes(name, shape, elements);
      }
      long bytes = count * type.byteSize();
      if (bytes > MAX_ARRAY) {
        throw invalid(label + ": the tensor is too large");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
      elements(q, type, shape, (int) count, buf, null, label);
      return Tensor.ofFixed(name, type, shape, buf);
    }

    /**
     * Walks a {@code data} array, flat or nested. Nested data must match the shape at every level;
     * flat data must hold exactly the shape's element count. Exactly one of {@code buf} and {@code
     * list} is given.
     */
    private void elements(
        JsonParser q,
        DataType type,
        long[] shape,
        int count,
        @Nullable ByteBuffer buf,
        @Nullable List<byte[]> list,
        String label)
        throws IOException {
      int rank = shape.length;
      JsonToken t = next(q);
      boolean nested = t == JsonToken.START_ARRAY;
      if (nested && rank < 2) {
        throw invalid(label + ": 'data' is nested deeper than shape " + shapeText(shape));
      }
      long[] seen = nested ? new long[rank] : NO_COUNTS;
      int level = 0;
      int index = 0;
      while (true) {
        if (t == JsonToken.END_ARRAY) {
          if (nested && seen[level] != shape[level]) {
            throw nestingMismatch(label, shape);
          }
          if (level == 0) {
            break;
          }
          level--;
        } else if (t == JsonToken.START_ARRAY) {
          if (!nested || level == rank - 1 || seen[level] == shape[level]) {
            throw nestingMismatch(label, shape);
          }
          seen[level]++;
          level++;
          enter(ITEM_FIELD + level);
          seen[level] = 0;
        } else {
          if (nested) {
            if (level != rank - 1 || seen[level] == shape[level]) {
              throw nestingMismatch(label, shape);
            }
            seen[level]++;
          }
          if (index == count) {
            throw invalid(
                label
                    + ": 'data' has more than the "
                    + count
                    + " elements that shape "
                    + shapeText(shape)
                    + " requires");
          }
          if (buf != null) {
            fixedElement(q, t, type, buf, index, label);
          } else if (list != null) {
            list.add(bytesElement(q, t, index, label));
          }
          index++;
        }
        t = next(q);
      }
      if (index != count) {
        throw invalid(
            label
                + ": 'data' has "
                + index
                + " elements but shape "
                + shapeText(shape)
                + " requires "
                + count);
      }
    }

    private Tensor binaryData(String name, DataType type, long[] shape, long size) {
      String label = inputLabel(name, 0);
      if (!binaryAllowed) {
        throw invalid(
            label
                + ": binary_data_size is set but the request has no"
                + " Inference-Header-Content-Length header");
      }
      long count = charge(shape, label);
      int remaining = body.length - binaryCursor;
      if (size > remaining) {
        throw invalid(
            label
                + ": binary_data_size "
                + size
                + " is more than the "
                + remaining
                + " bytes of binary data left in the body");
      }
      int start = binaryCursor;
      int end = start + (int) size;
      binaryCursor = end;
      if (type.isFixedSize()) {
        if (count > size / type.byteSize() || count * type.byteSize() != size) {
          throw invalid(
              label
                  + ": binary_data_size is "
                  + size
                  + " bytes but shape "
                  + shapeText(shape)
                  + " of "
                  + type
                  + " needs "
                  + (count > Long.MAX_VALUE / 8 ? "more" : count * type.byteSize()));
        }
        if (type == DataType.BOOL) {
          for (int i = start; i < end; i++) {
            if ((body[i] & 0xFE) != 0) {
              throw invalid(label + ": BOOL element " + (i - start) + " is neither 0 nor 1");
            }
          }
        }
        return Tensor.ofFixed(name, type, shape, ByteBuffer.wrap(body, start, (int) size));
      }
      // BYTES: each element is a 4-byte little-endian length, then that many bytes.
      if (count > size / 4) {
        throw invalid(
            label
                + ": binary_data_size "
                + size
                + " is too small for the "
                + count
                + " BYTES elements that shape "
                + shapeText(shape)
                + " requires");
      }
      List<byte[]> elements = new ArrayList<>((int) count);
      int pos = start;
      while (pos < end) {
        int i = elements.size();
        if (i == count) {
          throw invalid(
              label
                  + ": the binary data holds more than the "
                  + count
                  + " BYTES elements that shape "
                  + shapeText(shape)
                  + " requires");
        }
        if (end - pos < 4) {
          throw invalid(label + ": BYTES element " + i + " has a truncated length prefix");
        }
        long length = Integer.toUnsignedLong(littleEndianInt(body, pos));
        pos += 4;
        if (length > end - pos) {
          throw invalid(
              label
                  + ": BYTES element "
                  + i
                  + " claims "
                  + length
                  + " bytes but only "
                  + (end - pos)
                  + " remain in its binary data");
        }
        elements.add(Arrays.copyOfRange(body, pos, pos + (int) length));
        pos += (int) length;
      }
      if (elements.size() != count) {
        throw invalid(
            label
                + ": the binary data holds "
                + elements.size()
                + " BYTES elements but shape "
                + shapeText(shape)
                + " requires "
                + count);
      }
      return Tensor.ofBytes(name, shape, elements);
    }

    private void skip(JsonToken v, int depth) throws IOException {
      if (v != JsonToken.START_OBJECT && v != JsonToken.START_ARRAY) {
        return;
      }
      enter(depth);
      int level = depth;
      while (level >= depth) {
        JsonToken t = next(p);
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          enter(++level);
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          level--;
        }
      }
    }

    private void enter(int depth) {
      if (depth > limits.maxJsonDepth()) {
        throw depthExceeded();
      }
    }
  }

  private static JsonToken next(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t == null) {
      throw invalid("invalid JSON: unexpected end of input");
    }
    return t;
  }

  private static InvalidRequestException nestingMismatch(String label, long[] shape) {
    return invalid(label + ": the nesting of 'data' does not match shape " + shapeText(shape));
  }

  private static int littleEndianInt(byte[] b, int at) {
    return (b[at] & 0xFF)
        | (b[at + 1] & 0xFF) << 8
        | (b[at + 2] & 0xFF) << 16
        | (b[at + 3] & 0xFF) << 24;
  }

  private static void fixedElement(
      JsonParser q, JsonToken t, DataType type, ByteBuffer buf, int index, String label)
      throws IOException {
    switch (type) {
      case BOOL -> {
        if (t == JsonToken.VALUE_TRUE) {
          buf.put(index, (byte) 1);
        } else if (t == JsonToken.VALUE_FALSE) {
          buf.put(index, (byte) 0);
        } else {
          throw invalid(label + ": element " + index + " must be true or false");
        }
      }
      case INT8 ->
          buf.put(index, (byte) integer(q, t, Byte.MIN_VALUE, Byte.MAX_VALUE, type, index, label));
      case UINT8 -> buf.put(index, (byte) integer(q, t, 0, 0xFF, type, index, label));
      case INT16 ->
          buf.putShort(
              index * 2,
              (short) integer(q, t, Short.MIN_VALUE, Short.MAX_VALUE, type, index, label));
      case UINT16 -> buf.putShort(index * 2, (short) integer(q, t, 0, 0xFFFF, type, index, label));
      case INT32 ->
          buf.putInt(
              index * 4,
              (int) integer(q, t, Integer.MIN_VALUE, Integer.MAX_VALUE, type, index, label));
      case UINT32 ->
          buf.putInt(index * 4, (int) integer(q, t, 0, 0xFFFF_FFFFL, type, index, label));
      case INT64 ->
          buf.putLong(index * 8, integer(q, t, Long.MIN_VALUE, Long.MAX_VALUE, type, index, label));
      case UINT64 -> buf.putLong(index * 8, unsigned64(q, t, index, label));
      case FP32 -> {
        requireNumber(t, index, label);
        float f = q.getFloatValue(); // parsed straight from the text: rounded once, correctly
        if (Float.isInfinite(f)) {
          throw outOfRange(type, index, label);
        }
        buf.putFloat(index * 4, f);
      }
      case FP64 -> {
        requireNumber(t, index, label);
        double d = q.getDoubleValue();
        if (Double.isInfinite(d)) {
          throw outOfRange(type, index, label);
        }
        buf.putDouble(index * 8, d);
      }
      case FP16, BF16, BYTES -> throw new IllegalStateException(type + " is not read here");
    }
  }

  private static long integer(
      JsonParser q, JsonToken t, long min, long max, DataType type, int index, String label)
      throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw invalid(label + ": element " + index + " must be an integer");
    }
    if (q.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw outOfRange(type, index, label);
    }
    long v = q.getLongValue();
    if (v < min || v > max) {
      throw outOfRange(type, index, label);
    }
    return v;
  }

  /** UINT64 elements up to 2^64-1, stored as their two's-complement bit pattern. */
  private static long unsigned64(JsonParser q, JsonToken t, int index, String label)
      throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw invalid(label + ": element " + index + " must be an integer");
    }
    if (q.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      BigInteger v = q.getBigIntegerValue();
      if (v.signum() < 0 || v.compareTo(TWO_TO_64) >= 0) {
        throw outOfRange(DataType.UINT64, index, label);
      }
      return v.longValue();
    }
    long v = q.getLongValue();
    if (v < 0) {
      throw outOfRange(DataType.UINT64, index, label);
    }
    return v;
  }

  private static void requireNumber(JsonToken t, int index, String label) {
    if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
      throw invalid(label + ": element " + index + " must be a number");
    }
  }

  private static InvalidRequestException outOfRange(DataType type, int index, String label) {
    return invalid(label + ": element " + index + " is out of range for " + type);
  }

  private static byte[] bytesElement(JsonParser q, JsonToken t, int index, String label)
      throws IOException {
    if (t != JsonToken.VALUE_STRING) {
      throw invalid(label + ": element " + index + " must be a string");
    }
    byte[] utf8 = Utf8.encode(q.getText());
    if (utf8 == null) {
      throw invalid(label + ": element " + index + " holds an unpaired UTF-16 surrogate");
    }
    return utf8;
  }
}
