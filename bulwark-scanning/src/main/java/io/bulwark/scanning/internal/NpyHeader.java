package io.bulwark.scanning.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a NumPy {@code .npy} file (format versions 1 to 3): a magic string, a length and a
 * Python dict literal with {@code descr}, {@code fortran_order} and {@code shape}. Only what
 * decides safety is kept: whether the dtype holds Python objects, in which case the array data is a
 * pickle.
 *
 * @param headerBytes bytes from the start of the file to the start of the array data
 * @param objectDtype whether the dtype (or any field of a structured dtype) is {@code O}
 */
record NpyHeader(long headerBytes, boolean objectDtype) {
  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  /** NumPy's own default {@code max_header_size}. */
  static final int MAX_HEADER = 10_000;

  private static final int MAX_DEPTH = 16;

  static boolean hasMagic(byte[] head) {
    if (head.length < MAGIC.length) {
      return false;
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (head[i] != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  /** A header NumPy would refuse, or that we cannot read unambiguously. */
  static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedException(String message) {
      super(message);
    }
  }

  /** Reads the header from the start of {@code in}, leaving it at the array data. */
  static NpyHeader read(InputStream in, long available) throws IOException, MalformedException {
    if (available < 10) {
      throw new MalformedException("shorter than an npy header");
    }
    byte[] fixed = in.readNBytes(8);
    if (fixed.length != 8 || !hasMagic(fixed)) {
      throw new MalformedException("no npy magic");
    }
    int major = fixed[6] & 0xff;
    if (major < 1 || major > 3 || fixed[7] != 0) {
      throw new MalformedException("unsupported npy version " + major);
    }
    int lengthBytes = major == 1 ? 2 : 4;
    byte[] len = in.readNBytes(lengthBytes);
    if (len.length != lengthBytes) {
      throw new MalformedException("truncated npy header");
    }
    long headerLength = 0;
    for (int i = lengthBytes - 1; i >= 0; i--) {
      headerLength = (headerLength << 8) | (len[i] & 0xff);
    }
    long prefix = 8L + lengthBytes;
    if (headerLength > MAX_HEADER) {
      throw new MalformedException("npy header longer than " + MAX_HEADER + " bytes");
    }
    if (prefix + headerLength > available) {
      throw new MalformedException("npy header longer than the file");
    }
    byte[] header = in.readNBytes((int) headerLength);
    if (header.length != headerLength) {
      throw new MalformedException("truncated npy header");
    }
    String text =
        new String(header, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Object parsed = new Literal(text).parseAll();
    if (!(parsed instanceof Map<?, ?> dict)
        || dict.size() != 3
        || !dict.containsKey("descr")
        || !(dict.get("fortran_order") instanceof Boolean)
        || !(dict.get("shape") instanceof List<?> shape)) {
      throw new MalformedException("npy header is not {descr, fortran_order, shape}");
    }
    for (Object dim : shape) {
      if (!(dim instanceof Long d) || d < 0) {
        throw new MalformedException("npy shape is not a tuple of sizes");
      }
    }
    Object descr = dict.get("descr");
    return new NpyHeader(prefix + headerLength, holdsObjects(descr, 0));
  }

  private static boolean holdsObjects(@org.jspecify.annotations.Nullable Object descr, int depth)
      throws MalformedException {
    if (depth > MAX_DEPTH) {
      throw new MalformedException("npy dtype nested too deeply");
    }
    if (descr instanceof String s) {
      String t = s.isEmpty() ? s : s.substring("<>|=".indexOf(s.charAt(0)) >= 0 ? 1 : 0);
      if (t.isEmpty()) {
        throw new MalformedException("empty npy dtype");
      }
      return t.charAt(0) == 'O';
    }
    if (descr instanceof List<?> fields) {
      // structured dtype: a list of (name or (title, name), dtype[, shape]) tuples
      for (Object field : fields) {
        if (!(field instanceof List<?> f) || f.size() < 2 || f.size() > 3) {
          throw new MalformedException("npy structured dtype is malformed");
        }
        if (holdsObjects(f.get(1), depth + 1)) {
          return true;
        }
      }
      return false;
    }
    throw new MalformedException("npy dtype is neither a string nor a field list");
  }

  /**
   * The subset of Python literal syntax that {@code numpy.lib.format} writes: dicts, tuples, lists,
   * strings without escapes, integers, True, False and None.
   */
  private static final class Literal {
    private final String s;
    private int i;

    Literal(String s) {
      this.s = s;
    }

    Object parseAll() throws MalformedException {
      Object v = value(0);
      skipSpace();
      if (i != s.length()) {
        throw new MalformedException("npy header has trailing characters");
      }
      return v;
    }

    private void skipSpace() {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\n')) {
        i++;
      }
    }

    private Object value(int depth) throws MalformedException {
      if (depth > MAX_DEPTH) {
        throw new MalformedException("npy header nested too deeply");
      }
      skipSpace();
      if (i >= s.length()) {
        throw new MalformedException("npy header ends early");
      }
      char c = s.charAt(i);
      if (c == '{') {
        i++;
        Map<Object, Object> map = new LinkedHashMap<>();
        while (true) {
          skipSpace();
          if (i < s.length() && s.charAt(i) == '}') {
            i++;
            return map;
          }
          Object key = value(depth + 1);
          skipSpace();
          expect(':');
          Object v = value(depth + 1);
          if (!(key instanceof String) || map.put(key, v) != null) {
            throw new MalformedException("npy header has a bad or duplicate key");
          }
          skipSpace();
          if (i < s.length() && s.charAt(i) == ',') {
            i++;
          } else {
            skipSpace();
            expect('}');
            return map;
          }
        }
      }
      if (c == '(' || c == '[') {
        i++;
        return sequence(c == '(' ? ')' : ']', depth);
      }
      if (c == '\'' || c == '"') {
        int end = s.indexOf(c, i + 1);
        if (end < 0) {
          throw new MalformedException("unterminated string in npy header");
        }
        String str = s.substring(i + 1, end);
        if (str.indexOf('\\') >= 0) {
          throw new MalformedException("escape in npy header string");
        }
        i = end + 1;
        return str;
      }
      int start = i;
      while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '-')) {
        i++;
      }
      String word = s.substring(start, i);
      if (word.equals("True") || word.equals("False")) {
        return Boolean.valueOf(word.equals("True"));
      }
      if (word.equals("None")) {
        return "None";
      }
      if (word.matches("-?[0-9]{1,18}L?")) {
        return Long.parseLong(word.endsWith("L") ? word.substring(0, word.length() - 1) : word);
      }
      throw new MalformedException("unexpected token in npy header");
    }

    private List<Object> sequence(char close, int depth) throws MalformedException {
      List<Object> items = new ArrayList<>();
      while (true) {
        skipSpace();
        if (i < s.length() && s.charAt(i) == close) {
          i++;
          return items;
        }
        items.add(value(depth + 1));
        skipSpace();
        if (i < s.length() && s.charAt(i) == ',') {
          i++;
        } else {
          expect(close);
          return items;
        }
      }
    }

    private void expect(char c) throws MalformedException {
      if (i >= s.length() || s.charAt(i) != c) {
        throw new MalformedException("npy header: expected " + c);
      }
      i++;
    }
  }
}
