package io.bulwark.scanning.internal;

import static io.bulwark.scanning.internal.PickleOpcodes.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class PickleMachineTest {

  private static PickleMachine.Result run(byte[] pickle) throws IOException {
    return run(pickle, 1_000_000, PickleMachine.MAX_STACK, PickleMachine.MAX_MEMO);
  }

  private static PickleMachine.Result run(byte[] pickle, long maxOps, int maxStack, int maxMemo)
      throws IOException {
    return PickleMachine.run(
        new PickleInput(new ByteArrayInputStream(pickle), pickle.length),
        maxOps,
        maxStack,
        maxMemo);
  }

  private static List<String> rules(PickleMachine.Result r) {
    return r.problems().stream().map(PickleMachine.Problem::rule).toList();
  }

  private static byte[] orderedDict() {
    return PickleBytes.proto(2)
        .global("collections", "OrderedDict")
        .op(EMPTY_TUPLE)
        .op(REDUCE)
        .op(BINPUT)
        .raw(0)
        .stop()
        .bytes();
  }

  @Test
  void run_benignOrderedDict_noProblems() throws IOException {
    PickleMachine.Result r = run(orderedDict());
    assertThat(r.problems()).isEmpty();
    assertThat(r.stopped()).isTrue();
  }

  @Test
  void run_torchStateDictShape_noProblems() throws IOException {
    // OrderedDict with one tensor: _rebuild_tensor_v2((persid storage), 0, (2,), (1,), False, {})
    byte[] p =
        PickleBytes.proto(2)
            .global("collections", "OrderedDict")
            .op(EMPTY_TUPLE)
            .op(REDUCE)
            .shortUnicode("w")
            .global("torch._utils", "_rebuild_tensor_v2")
            .op(MARK) // the arguments
            .op(MARK) // the persistent id
            .shortUnicode("storage")
            .global("torch", "FloatStorage")
            .shortUnicode("0")
            .shortUnicode("cpu")
            .op(BININT1)
            .raw(2)
            .op(TUPLE)
            .op(BINPERSID)
            .op(BININT1)
            .raw(0)
            .op(BININT1)
            .raw(2)
            .op(TUPLE1)
            .op(BININT1)
            .raw(1)
            .op(TUPLE1)
            .op(NEWFALSE)
            .global("collections", "OrderedDict")
            .op(EMPTY_TUPLE)
            .op(REDUCE)
            .op(TUPLE)
            .op(REDUCE)
            .op(SETITEM)
            .stop()
            .bytes();
    assertThat(run(p).problems()).isEmpty();
  }

  @Test
  void run_osSystemViaGlobalReduce_disallowedGlobal() throws IOException {
    byte[] p =
        PickleBytes.proto(2)
            .global("os", "system")
            .shortUnicode("ls")
            .op(TUPLE1)
            .op(REDUCE)
            .stop()
            .bytes();
    PickleMachine.Result r = run(p);
    assertThat(rules(r)).containsExactly("pickle.disallowed-global");
    assertThat(r.problems().get(0).detail()).contains("os.system");
  }

  @Test
  void run_osSystemViaStackGlobalInFrame_disallowedGlobal() throws IOException {
    PickleBytes body =
        new PickleBytes()
            .shortUnicode("os")
            .op(MEMOIZE)
            .shortUnicode("system")
            .op(MEMOIZE)
            .op(STACK_GLOBAL)
            .shortUnicode("ls")
            .op(TUPLE1)
            .op(REDUCE)
            .stop();
    byte[] p = PickleBytes.proto(4).frame(body).bytes();
    assertThat(run(p).problems())
        .extracting(PickleMachine.Problem::detail)
        .containsExactly("STACK_GLOBAL os.system");
  }

  @Test
  void run_osSystemViaInst_disallowedGlobal() throws IOException {
    byte[] p =
        PickleBytes.protocol0()
            .op(MARK)
            .op(STRING)
            .line("'ls'")
            .op(INST)
            .line("os")
            .line("system")
            .stop()
            .bytes();
    assertThat(run(p).problems())
        .extracting(PickleMachine.Problem::detail)
        .containsExactly("INST os.system");
  }

  @Test
  void run_moduleNameFromMemo_resolvedAndRefused() throws IOException {
    // "os" is memoised, popped, and fetched again with BINGET before STACK_GLOBAL
    byte[] p =
        PickleBytes.proto(4)
            .shortUnicode("os")
            .op(BINPUT)
            .raw(7)
            .op(POP)
            .op(BINGET)
            .raw(7)
            .shortUnicode("system")
            .op(STACK_GLOBAL)
            .op(EMPTY_TUPLE)
            .op(REDUCE)
            .stop()
            .bytes();
    assertThat(run(p).problems())
        .extracting(PickleMachine.Problem::detail)
        .containsExactly("STACK_GLOBAL os.system");
  }

  @Test
  void run_stackGlobalWithNonStringOperand_unresolvable() throws IOException {
    byte[] p =
        PickleBytes.proto(4)
            .op(BININT1)
            .raw(1)
            .shortUnicode("system")
            .op(STACK_GLOBAL)
            .stop()
            .bytes();
    assertThat(rules(run(p))).containsExactly("pickle.unresolvable-global");
  }

  @Test
  void run_reduceOfNonGlobal_disallowedCall() throws IOException {
    byte[] p = PickleBytes.proto(2).shortUnicode("f").op(EMPTY_TUPLE).op(REDUCE).stop().bytes();
    assertThat(rules(run(p))).containsExactly("pickle.disallowed-call");
  }

  @Test
  void run_buildOnAGlobal_disallowedBuild() throws IOException {
    byte[] p =
        PickleBytes.proto(2)
            .global("collections", "OrderedDict")
            .op(EMPTY_DICT)
            .op(BUILD)
            .stop()
            .bytes();
    assertThat(rules(run(p))).containsExactly("pickle.disallowed-build");
  }

  @Test
  void run_extensionRegistry_disallowedGlobal() throws IOException {
    byte[] p = PickleBytes.proto(2).op(EXT1).raw(1).stop().bytes();
    assertThat(rules(run(p))).containsExactly("pickle.disallowed-global");
  }

  @Test
  void run_builtinsFromPython2Name_allowedWhenAllowlisted() throws IOException {
    byte[] p =
        PickleBytes.proto(2)
            .global("__builtin__", "set")
            .op(EMPTY_LIST)
            .op(TUPLE1)
            .op(REDUCE)
            .stop()
            .bytes();
    assertThat(run(p).problems()).isEmpty();
  }

  @Test
  void run_opcodeStraddlesFrame_malformed() throws IOException {
    // the frame holds 2 bytes but BINUNICODE needs 5 before its payload
    byte[] p =
        PickleBytes.proto(4)
            .op(FRAME)
            .le(2, 8)
            .op(BINUNICODE)
            .le(2, 4)
            .raw('o', 's')
            .stop()
            .bytes();
    PickleMachine.Result r = run(p);
    assertThat(rules(r)).containsExactly("pickle.malformed");
    assertThat(r.problems().get(0).detail()).contains("frame");
  }

  @Test
  void run_frameLongerThanStream_malformed() throws IOException {
    byte[] p = PickleBytes.proto(4).op(FRAME).le(100, 8).op(NONE).stop().bytes();
    assertThat(rules(run(p))).containsExactly("pickle.malformed");
  }

  @Test
  void run_newFrameInsideFrame_malformed() throws IOException {
    PickleBytes inner = new PickleBytes().op(NONE).stop();
    PickleBytes outer = new PickleBytes().op(NONE).op(POP).frame(inner);
    byte[] p =
        PickleBytes.proto(4)
            .op(FRAME)
            .le(outer.bytes().length + 5, 8)
            .raw(outer.bytes())
            .raw(0, 0, 0, 0, 0)
            .bytes();
    assertThat(rules(run(p))).containsExactly("pickle.malformed");
  }

  @Test
  void run_stopBeforeFrameEnd_malformed() throws IOException {
    byte[] p = PickleBytes.proto(4).op(FRAME).le(3, 8).op(NONE).stop().op(NONE).bytes();
    assertThat(rules(run(p))).containsExactly("pickle.malformed");
  }

  @Test
  void run_consecutiveFrames_noProblems() throws IOException {
    byte[] p =
        PickleBytes.proto(4)
            .frame(new PickleBytes().op(EMPTY_LIST))
            .frame(new PickleBytes().op(NONE).op(APPEND).stop())
            .bytes();
    assertThat(run(p).problems()).isEmpty();
  }

  @Test
  void run_truncatedStream_malformed() throws IOException {
    byte[] p = PickleBytes.proto(2).global("collections", "OrderedDict").bytes();
    PickleMachine.Result r = run(p);
    assertThat(rules(r)).containsExactly("pickle.malformed");
    assertThat(r.stopped()).isFalse();
  }

  @Test
  void run_hugeDeclaredLength_malformedWithoutAllocating() throws IOException {
    byte[] p = PickleBytes.proto(4).op(BINUNICODE8).le(Long.MAX_VALUE, 8).stop().bytes();
    assertThat(rules(run(p))).containsExactly("pickle.malformed");
    byte[] q = PickleBytes.proto(3).op(BINBYTES).le(0xfffffff0L, 4).stop().bytes();
    assertThat(rules(run(q))).containsExactly("pickle.malformed");
  }

  @Test
  void run_stackUnderflow_malformed() throws IOException {
    byte[] p = PickleBytes.proto(2).op(REDUCE).stop().bytes();
    assertThat(run(p).problems().get(0).detail()).contains("stack underflow");
  }

  @Test
  void run_popAcrossMark_malformed() throws IOException {
    byte[] p = PickleBytes.proto(2).op(NONE).op(MARK).op(TUPLE1).stop().bytes();
    assertThat(rules(run(p))).containsExactly("pickle.malformed");
  }

  @Test
  void run_missingMemoIndex_malformed() throws IOException {
    byte[] p = PickleBytes.proto(2).op(BINGET).raw(5).stop().bytes();
    assertThat(run(p).problems().get(0).detail()).contains("memo index 5 missing");
  }

  @Test
  void run_unknownOpcode_malformed() throws IOException {
    byte[] p = PickleBytes.proto(2).op(NONE).raw(0xff).stop().bytes();
    assertThat(run(p).problems().get(0).detail()).contains("unknown opcode 0xff at byte 3");
  }

  @Test
  void run_unsupportedProtocol_malformed() throws IOException {
    assertThat(rules(run(PickleBytes.proto(6).op(NONE).stop().bytes())))
        .containsExactly("pickle.malformed");
  }

  @Test
  void run_emptyStream_malformed() throws IOException {
    assertThat(rules(run(new byte[0]))).containsExactly("pickle.malformed");
  }

  @Test
  void run_opsAtLimit_passesAndAboveLimit_refused() throws IOException {
    byte[] p = PickleBytes.proto(2).op(NONE).stop().bytes(); // three opcodes
    assertThat(run(p, 3, 10, 10).problems()).isEmpty();
    assertThat(rules(run(p, 2, 10, 10))).containsExactly("pickle.limit");
  }

  @Test
  void run_stackAtLimit_passesAndAboveLimit_refused() throws IOException {
    byte[] three = PickleBytes.proto(2).op(NONE).op(NONE).op(NONE).stop().bytes();
    assertThat(run(three, 100, 3, 10).problems()).isEmpty();
    assertThat(rules(run(three, 100, 2, 10))).containsExactly("pickle.limit");
  }

  @Test
  void run_memoAtLimit_passesAndAboveLimit_refused() throws IOException {
    byte[] two = PickleBytes.proto(4).op(NONE).op(MEMOIZE).op(MEMOIZE).stop().bytes();
    assertThat(run(two, 100, 10, 2).problems()).isEmpty();
    assertThat(rules(run(two, 100, 10, 1))).containsExactly("pickle.limit");
  }

  @Test
  void run_lineArgumentLongerThanLimit_malformed() throws IOException {
    String longName = "m".repeat(PickleMachine.MAX_LINE + 1);
    byte[] p = PickleBytes.protocol0().global(longName, "x").stop().bytes();
    assertThat(rules(run(p))).containsExactly("pickle.malformed");
    String okName = "m".repeat(PickleMachine.MAX_LINE);
    byte[] q = PickleBytes.protocol0().global(okName, "x").stop().bytes();
    assertThat(rules(run(q))).containsExactly("pickle.disallowed-global");
  }

  @Test
  void run_longProtocol0String_keptOpaqueAndAccepted() throws IOException {
    byte[] p = PickleBytes.protocol0().op(UNICODE).line("a".repeat(200_000)).stop().bytes();
    assertThat(run(p).problems()).isEmpty();
  }

  @Test
  void run_torchLegacyMagic_flagged() throws IOException {
    byte[] magic =
        PickleBytes.proto(2)
            .op(LONG1)
            .raw(10)
            .raw(0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19)
            .stop()
            .bytes();
    assertThat(run(magic).torchLegacyMagic()).isTrue();
    assertThat(run(orderedDict()).torchLegacyMagic()).isFalse();
  }
}
