package io.bulwark.scanning.internal;

import static io.bulwark.scanning.internal.PickleOpcodes.*;

import io.bulwark.core.Strings;
import java.io.EOFException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Walks one pickle stream opcode by opcode without executing anything. It simulates the stack, the
 * mark stack and the memo closely enough to know the module and name of every import (GLOBAL,
 * STACK_GLOBAL, INST), and which values are called (REDUCE, NEWOBJ, NEWOBJ_EX, OBJ) or have their
 * state set (BUILD). Imports outside {@link PickleAllowlist}, calls of anything but an imported
 * global, and every malformed or over-limit stream are reported as problems.
 *
 * <p>Bounded: at most {@code maxOps} opcodes, {@link #MAX_STACK} stack entries and marks, {@link
 * #MAX_MEMO} memo entries, and {@link #MAX_KEPT_BYTES} bytes kept per string argument (longer
 * arguments are skipped, not read into memory).
 */
final class PickleMachine {
  static final int MAX_STACK = 1_000_000;
  static final int MAX_MEMO = 1_000_000;
  static final int MAX_KEPT_BYTES = 4096;
  static final int MAX_LINE = 1 << 16;
  private static final int MAX_PROBLEMS = 64;

  private static final Pattern INT_LINE = Pattern.compile("[+-]?[0-9]+");
  private static final Pattern LONG_LINE = Pattern.compile("[+-]?[0-9]+L?");
  private static final Pattern FLOAT_LINE =
      Pattern.compile(
          "[+-]?([0-9]+\\.?[0-9]*([eE][+-]?[0-9]+)?|\\.[0-9]+([eE][+-]?[0-9]+)?|inf|nan)");
  private static final BigInteger TORCH_LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

  /** A problem found in the stream: a rule name and a printable detail. */
  record Problem(String rule, String detail) {}

  /**
   * The outcome of one pickle.
   *
   * @param problems what is wrong; empty if the pickle is acceptable
   * @param stopped whether STOP was reached (false if parsing had to be abandoned)
   * @param torchLegacyMagic whether the pickled value is PyTorch's legacy-format magic number
   */
  record Result(List<Problem> problems, boolean stopped, boolean torchLegacyMagic) {
    Result {
      problems = List.copyOf(problems);
    }
  }

  // Simulated values. Only what a decision needs is kept; everything else is OPAQUE.
  private record Str(String value) {}

  private record Global(String module, String name) {}

  private record Num(@Nullable BigInteger value) {}

  private static final Object OPAQUE = new Object();

  private final long maxOps;
  private final int maxStack;
  private final int maxMemo;
  private final List<Object> stack = new ArrayList<>();
  private final List<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();
  private final Set<Problem> problems = new LinkedHashSet<>();

  private PickleMachine(long maxOps, int maxStack, int maxMemo) {
    this.maxOps = maxOps;
    this.maxStack = maxStack;
    this.maxMemo = maxMemo;
  }

  /**
   * Runs one pickle from {@code in}, which is left just after its STOP opcode (or wherever parsing
   * stopped). Throws only for I/O failures of the underlying stream.
   */
  static Result run(PickleInput in, long maxOps) throws IOException {
    return run(in, maxOps, MAX_STACK, MAX_MEMO);
  }

  /** As {@link #run(PickleInput, long)}, with explicit stack (and mark) and memo limits. */
  static Result run(PickleInput in, long maxOps, int maxStack, int maxMemo) throws IOException {
    return new PickleMachine(maxOps, maxStack, maxMemo).execute(in);
  }

  private Result execute(PickleInput in) throws IOException {
    long start = in.position();
    try {
      Object top = loop(in);
      in.endOfPickle();
      boolean magic = top instanceof Num n && TORCH_LEGACY_MAGIC.equals(n.value());
      return new Result(List.copyOf(problems), true, magic);
    } catch (PickleMalformedException e) {
      problem("pickle.malformed", e.getMessage() + " at byte " + e.position());
    } catch (EOFException e) {
      problem("pickle.malformed", "truncated at byte " + in.position());
    } catch (LimitException e) {
      problem("pickle.limit", e.getMessage() + " at byte " + in.position());
    }
    if (in.position() == start && problems.isEmpty()) {
      problem("pickle.malformed", "empty pickle");
    }
    return new Result(List.copyOf(problems), false, false);
  }

  private static final class LimitException extends Exception {
    private static final long serialVersionUID = 1L;

    LimitException(String message) {
      super(message);
    }
  }

  private void problem(String rule, String detail) {
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(new Problem(rule, Strings.printable(detail)));
    }
  }

  private Object loop(PickleInput in) throws IOException, PickleMalformedException, LimitException {
    long ops = 0;
    while (true) {
      if (++ops > maxOps) {
        throw new LimitException("more than " + maxOps + " opcodes");
      }
      long at = in.position();
      int op = in.readOpcode();
      switch (op) {
        case PROTO -> {
          int version = in.readU1();
          if (version > HIGHEST_PROTOCOL) {
            throw new PickleMalformedException(at, "unsupported protocol " + version);
          }
        }
        case FRAME -> in.startFrame(readLength(in, 8, at));
        case STOP -> {
          return pop(at);
        }
        case MARK -> {
          if (marks.size() >= maxStack) {
            throw new LimitException("more than " + maxStack + " marks");
          }
          marks.add(stack.size());
        }
        case POP -> {
          if (stack.size() > base()) {
            stack.remove(stack.size() - 1);
          } else {
            popMark(at); // what CPython does for POP right after MARK
          }
        }
        case POP_MARK -> popMark(at);
        case DUP -> push(peek(at));
        case NONE, NEWTRUE, NEWFALSE, EMPTY_DICT, EMPTY_LIST, EMPTY_TUPLE, EMPTY_SET ->
            push(OPAQUE);
        case INT -> {
          String line = in.readLine(MAX_LINE);
          checkLine(INT_LINE, line, at, "INT");
          push(new Num(new BigInteger(line.startsWith("+") ? line.substring(1) : line)));
        }
        case LONG -> {
          String line = in.readLine(MAX_LINE);
          checkLine(LONG_LINE, line, at, "LONG");
          String digits = line.endsWith("L") ? line.substring(0, line.length() - 1) : line;
          push(new Num(new BigInteger(digits.startsWith("+") ? digits.substring(1) : digits)));
        }
        case FLOAT -> {
          checkLine(FLOAT_LINE, in.readLine(MAX_LINE), at, "FLOAT");
          push(OPAQUE);
        }
        case BININT -> {
          int signed = (int) in.readLe(4); // BININT is a signed 32-bit integer
          push(new Num(BigInteger.valueOf(signed)));
        }
        case BININT1 -> push(new Num(BigInteger.valueOf(in.readLe(1))));
        case BININT2 -> push(new Num(BigInteger.valueOf(in.readLe(2))));
        case BINFLOAT -> {
          in.readBytes(8, 8);
          push(OPAQUE);
        }
        case LONG1, LONG4 -> {
          long n = op == LONG1 ? in.readLe(1) : signed32(in.readLe(4), at, "LONG4");
          byte[] b = in.readBytes(n, 64);
          push(new Num(b == null ? null : littleEndianSigned(b)));
        }
        case STRING -> {
          String line = in.readLongLine(MAX_KEPT_BYTES);
          push(line == null ? OPAQUE : quotedString(line, at));
        }
        case BINSTRING, SHORT_BINSTRING -> {
          long n = op == SHORT_BINSTRING ? in.readLe(1) : signed32(in.readLe(4), at, "BINSTRING");
          byte[] b = in.readBytes(n, MAX_KEPT_BYTES);
          // decoded with the unpickler's encoding (ASCII by default): a str, usable by STACK_GLOBAL
          push(b == null ? OPAQUE : new Str(new String(b, StandardCharsets.ISO_8859_1)));
        }
        case UNICODE -> {
          String line = in.readLongLine(MAX_KEPT_BYTES);
          // raw-unicode-escape: without a backslash it is plain latin-1; with one we do not guess
          push(line == null || line.indexOf('\\') >= 0 ? OPAQUE : new Str(line));
        }
        case BINUNICODE, SHORT_BINUNICODE, BINUNICODE8 -> {
          long n =
              switch (op) {
                case SHORT_BINUNICODE -> in.readLe(1);
                case BINUNICODE -> in.readLe(4);
                default -> readLength(in, 8, at);
              };
          byte[] b = in.readBytes(n, MAX_KEPT_BYTES);
          push(b == null ? OPAQUE : new Str(utf8(b, at)));
        }
        case BINBYTES, SHORT_BINBYTES, BINBYTES8, BYTEARRAY8 -> {
          long n =
              switch (op) {
                case SHORT_BINBYTES -> in.readLe(1);
                case BINBYTES -> in.readLe(4);
                default -> readLength(in, 8, at);
              };
          in.readBytes(n, 0);
          push(OPAQUE);
        }
        case NEXT_BUFFER -> push(OPAQUE);
        case READONLY_BUFFER -> peek(at);
        case TUPLE, LIST, DICT, FROZENSET -> {
          popMark(at);
          push(OPAQUE);
        }
        case TUPLE1, TUPLE2, TUPLE3 -> {
          for (int i = 0; i <= op - TUPLE1; i++) {
            pop(at);
          }
          push(OPAQUE);
        }
        case APPEND -> {
          pop(at);
          peek(at);
        }
        case SETITEM -> {
          pop(at);
          pop(at);
          peek(at);
        }
        case APPENDS, SETITEMS, ADDITEMS -> {
          popMark(at);
          peek(at);
        }
        case GLOBAL -> {
          String module = PickleInput.latin1ToUtf8(in.readLine(MAX_LINE));
          String name = PickleInput.latin1ToUtf8(in.readLine(MAX_LINE));
          push(importGlobal(module, name, "GLOBAL"));
        }
        case STACK_GLOBAL -> {
          Object name = pop(at);
          Object module = pop(at);
          if (module instanceof Str m && name instanceof Str n) {
            push(importGlobal(m.value(), n.value(), "STACK_GLOBAL"));
          } else {
            problem(
                "pickle.unresolvable-global",
                "STACK_GLOBAL at byte " + at + " with operands that are not known strings");
            push(new Global("<unresolved>", "<unresolved>"));
          }
        }
        case INST -> {
          String module = PickleInput.latin1ToUtf8(in.readLine(MAX_LINE));
          String name = PickleInput.latin1ToUtf8(in.readLine(MAX_LINE));
          importGlobal(module, name, "INST");
          popMark(at);
          push(OPAQUE);
        }
        case OBJ -> {
          List<Object> items = popMark(at);
          if (items.isEmpty()) {
            throw new PickleMalformedException(at, "OBJ without a class");
          }
          call(items.get(0), "OBJ", at);
          push(OPAQUE);
        }
        case REDUCE -> {
          pop(at);
          call(pop(at), "REDUCE", at);
          push(OPAQUE);
        }
        case NEWOBJ -> {
          pop(at);
          call(pop(at), "NEWOBJ", at);
          push(OPAQUE);
        }
        case NEWOBJ_EX -> {
          pop(at);
          pop(at);
          call(pop(at), "NEWOBJ_EX", at);
          push(OPAQUE);
        }
        case BUILD -> {
          pop(at);
          if (peek(at) instanceof Global g) {
            // BUILD on a class or function sets attributes on it, for every later user
            problem(
                "pickle.disallowed-build",
                "BUILD at byte " + at + " sets state on " + g.module() + "." + g.name());
          }
        }
        case PERSID -> {
          in.readLongLine(0);
          push(OPAQUE);
        }
        case BINPERSID -> {
          pop(at);
          push(OPAQUE);
        }
        case EXT1, EXT2, EXT4 -> {
          in.readLe(op == EXT1 ? 1 : op == EXT2 ? 2 : 4);
          problem(
              "pickle.disallowed-global",
              "extension-registry import (EXT" + (op == EXT1 ? 1 : op == EXT2 ? 2 : 4) + ")");
          push(new Global("<extension>", "<extension>"));
        }
        case PUT -> memoPut(parseIndex(in.readLine(MAX_LINE), at), at);
        case BINPUT -> memoPut(in.readLe(1), at);
        case LONG_BINPUT -> memoPut(signed32(in.readLe(4), at, "LONG_BINPUT"), at);
        case MEMOIZE -> memoPut(memo.size(), at);
        case GET -> push(memoGet(parseIndex(in.readLine(MAX_LINE), at), at));
        case BINGET -> push(memoGet(in.readLe(1), at));
        case LONG_BINGET -> push(memoGet(in.readLe(4), at));
        default ->
            throw new PickleMalformedException(at, "unknown opcode 0x" + Integer.toHexString(op));
      }
    }
  }

  private Global importGlobal(String module, String name, String how) {
    if (!PickleAllowlist.allows(module, name)) {
      problem("pickle.disallowed-global", how + " " + module + "." + name);
    }
    return new Global(module, name);
  }

  private void call(Object callable, String how, long at) {
    if (!(callable instanceof Global)) {
      problem(
          "pickle.disallowed-call",
          how + " at byte " + at + " calls a value that is not an imported global");
    }
    // an imported global was checked against the allowlist when it was imported
  }

  private int base() {
    return marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
  }

  private void push(Object value) throws LimitException {
    if (stack.size() >= maxStack) {
      throw new LimitException("stack deeper than " + maxStack);
    }
    stack.add(value);
  }

  private Object pop(long at) throws PickleMalformedException {
    if (stack.size() <= base()) {
      throw new PickleMalformedException(at, "stack underflow");
    }
    return stack.remove(stack.size() - 1);
  }

  private Object peek(long at) throws PickleMalformedException {
    if (stack.size() <= base()) {
      throw new PickleMalformedException(at, "stack underflow");
    }
    return stack.get(stack.size() - 1);
  }

  private List<Object> popMark(long at) throws PickleMalformedException {
    if (marks.isEmpty()) {
      throw new PickleMalformedException(at, "no MARK to pop to");
    }
    int from = marks.removeLast();
    List<Object> tail = stack.subList(from, stack.size());
    List<Object> items = new ArrayList<>(tail);
    tail.clear();
    return items;
  }

  private void memoPut(long index, long at) throws PickleMalformedException, LimitException {
    if (index < 0) {
      throw new PickleMalformedException(at, "negative memo index");
    }
    Object value = peek(at);
    if (!memo.containsKey(index) && memo.size() >= maxMemo) {
      throw new LimitException("more than " + maxMemo + " memo entries");
    }
    memo.put(index, value);
  }

  private Object memoGet(long index, long at) throws PickleMalformedException {
    Object value = memo.get(index);
    if (value == null) {
      throw new PickleMalformedException(at, "memo index " + index + " missing");
    }
    return value;
  }

  private static long readLength(PickleInput in, int bytes, long at)
      throws IOException, PickleMalformedException {
    long n = in.readLe(bytes);
    if (n < 0) {
      throw new PickleMalformedException(at, "length does not fit in 63 bits");
    }
    return n;
  }

  private static long signed32(long unsigned, long at, String what)
      throws PickleMalformedException {
    int v = (int) unsigned;
    if (v < 0) {
      throw new PickleMalformedException(at, "negative " + what + " argument");
    }
    return v;
  }

  private static long parseIndex(String line, long at) throws PickleMalformedException {
    if (!INT_LINE.matcher(line).matches() || line.length() > 18) {
      throw new PickleMalformedException(at, "memo index is not a number");
    }
    return Long.parseLong(line);
  }

  private static void checkLine(Pattern pattern, String line, long at, String what)
      throws PickleMalformedException {
    if (!pattern.matcher(line).matches()) {
      throw new PickleMalformedException(at, what + " argument is not a number");
    }
  }

  private static Object quotedString(String line, long at) throws PickleMalformedException {
    if (line.length() < 2
        || (line.charAt(0) != '\'' && line.charAt(0) != '"')
        || line.charAt(line.length() - 1) != line.charAt(0)) {
      throw new PickleMalformedException(at, "STRING argument is not quoted");
    }
    String body = line.substring(1, line.length() - 1);
    // escapes are decoded by Python; we keep only strings whose value we know exactly
    return body.indexOf('\\') >= 0 ? OPAQUE : new Str(body);
  }

  private static String utf8(byte[] b, long at) throws PickleMalformedException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw new PickleMalformedException(at, "string is not valid UTF-8");
    }
  }

  private static BigInteger littleEndianSigned(byte[] b) {
    if (b.length == 0) {
      return BigInteger.ZERO;
    }
    byte[] be = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      be[i] = b[b.length - 1 - i];
    }
    return new BigInteger(be);
  }
}
