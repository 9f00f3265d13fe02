package io.bulwark.audit.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bulwark.audit.AuditEvent;
import io.bulwark.audit.AuditVerificationException;
import io.bulwark.audit.Checkpoint;
import io.bulwark.audit.NoteVerifierKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of every audit parser: the canonical event, the signed note, the
 * checkpoint body and the verifier key. In a normal run this replays seeds only; {@code
 * JAZZER_FUZZ=1} fuzzes for real. Malformed input may only be refused with the documented
 * exception, and an accepted event must re-encode to exactly its input.
 */
class AuditParsersJazzerTest {
  private static final NoteVerifierKey KEY =
      NoteVerifierKey.parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");

  @FuzzTest(maxDuration = "30s")
  void parseEvent_anyBytes_failsOnlyWithIllegalArgumentOrRoundTrips(FuzzedDataProvider data) {
    byte[] bytes = data.consumeRemainingAsBytes();
    try {
      AuditEvent e = AuditEvent.parse(bytes);
      if (!Arrays.equals(e.toCanonicalJson(), bytes)) {
        throw new AssertionError("accepted a non-canonical encoding");
      }
    } catch (IllegalArgumentException expected) {
      // malformed input is refused
    }
  }

  @FuzzTest(maxDuration = "30s")
  void verifyNote_anyBytes_failsOnlyWithVerificationException(FuzzedDataProvider data) {
    try {
      SignedNotes.verify(data.consumeRemainingAsBytes(), KEY);
    } catch (AuditVerificationException expected) {
      // malformed or unsigned notes are refused
    }
  }

  @FuzzTest(maxDuration = "30s")
  void parseCheckpointAndKey_anyText_failsOnlyWithIllegalArgument(FuzzedDataProvider data) {
    boolean key = data.consumeBoolean();
    String text = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);
    try {
      if (key) {
        NoteVerifierKey.parse(text);
      } else {
        Checkpoint.parseBody(text);
      }
    } catch (IllegalArgumentException expected) {
      // malformed input is refused
    }
  }
}
