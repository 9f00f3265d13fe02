package io.bulwark.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.audit.AuditVerificationException;
import io.bulwark.audit.Checkpoint;
import io.bulwark.audit.NoteVerifierKey;
import io.bulwark.audit.Vectors;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every C2SP / Go sumdb signed-note vector gives its expected result. */
class SignedNoteConformanceTest {
  private static final String PETER =
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

  private static JsonNode vectors() throws Exception {
    return new ObjectMapper()
        .readTree(Vectors.ct("signed-note").resolve("signed_note_vectors.json").toFile());
  }

  @Test
  void verify_validVectors_accepted() throws Exception {
    int checked = 0;
    for (JsonNode v : vectors().path("valid")) {
      List<String> keys = keys(v);
      byte[] note = v.path("note").asText().getBytes(StandardCharsets.UTF_8);
      String firstText = null;
      for (String k : keys) {
        String text = SignedNotes.verify(note, NoteVerifierKey.parse(k));
        firstText = text;
        checked++;
      }
      if (v.has("text")) {
        assertThat(firstText).as(v.path("id").asText()).isEqualTo(v.path("text").asText());
      }
      if (v.has("skey")) {
        NoteSigner signer = NoteSigner.parse(v.path("skey").asText());
        assertThat(signer.verifierKey().encode()).isEqualTo(keys.get(0));
        String text = v.path("note").asText();
        String body = text.substring(0, text.lastIndexOf("\n\n") + 1);
        assertThat(signer.sign(body)).as("Ed25519 is deterministic").isEqualTo(text);
      }
      if (v.has("origin")) {
        Checkpoint c =
            Checkpoint.verify(v.path("note").asText(), NoteVerifierKey.parse(keys.get(0)));
        assertThat(c.origin()).isEqualTo(v.path("origin").asText());
        assertThat(c.size()).isEqualTo(v.path("treeSize").asLong());
        assertThat(HexFormat.of().formatHex(c.rootHash()))
            .isEqualTo(v.path("rootHashHex").asText());
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(5);
  }

  @Test
  void verify_invalidVectors_rejected() throws Exception {
    int checked = 0;
    for (JsonNode v : vectors().path("invalid")) {
      String id = v.path("id").asText();
      if (!v.has("note") && !v.has("noteRepeatSigLines")) {
        if (id.startsWith("mangled-vkey")) {
          mangled(v.path("vkey").asText());
        } else {
          assertThatThrownBy(() -> NoteVerifierKey.parse(v.path("vkey").asText()))
              .as(id)
              .isInstanceOf(IllegalArgumentException.class);
        }
        checked++;
        continue;
      }
      byte[] note = note(v);
      List<String> keys = keys(v);
      if (keys.isEmpty()) {
        keys = List.of(PETER);
        // no known key: a note signed only by an unknown key must be refused
        NoteVerifierKey other = NoteSigner.generate("Someone", new SecureRandom()).verifierKey();
        assertThatThrownBy(() -> SignedNotes.verify(note, other))
            .as(id)
            .isInstanceOf(AuditVerificationException.class);
        checked++;
        continue;
      }
      for (String k : keys) {
        NoteVerifierKey key = NoteVerifierKey.parse(k);
        assertThatThrownBy(
                () -> {
                  String text = SignedNotes.verify(note, key);
                  if (key.name().contains("/")) {
                    Checkpoint.parseBody(text);
                  }
                })
            .as(id)
            .isInstanceOfAny(AuditVerificationException.class, IllegalArgumentException.class);
      }
      checked++;
    }
    assertThat(checked).isGreaterThanOrEqualTo(14);
  }

  @Test
  void parse_mangledKeys_rejected() {
    mangled(PETER);
  }

  @Test
  void checkpointParse_leadingZeroSize_rejected() {
    assertThatThrownBy(
            () ->
                Checkpoint.parseBody(
                    "example.com/test-log\n08\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatCode(
            () ->
                Checkpoint.parseBody(
                    "example.com/test-log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"))
        .doesNotThrowAnyException();
  }

  @Test
  void verify_signaturesJustAtAndAboveLimit_acceptedThenRejected() throws Exception {
    NoteSigner signer = NoteSigner.generate("example.com/log", new SecureRandom());
    String note = signer.sign("hello\n");
    String sigLine = note.substring(note.lastIndexOf("\n\n") + 2);
    String foreign = NoteSigner.generate("other", new SecureRandom()).sign("hello\n");
    String foreignLine = foreign.substring(foreign.lastIndexOf("\n\n") + 2);
    String atLimit = "hello\n\n" + sigLine + foreignLine.repeat(SignedNotes.MAX_SIGNATURES - 1);
    String aboveLimit = "hello\n\n" + sigLine + foreignLine.repeat(SignedNotes.MAX_SIGNATURES);
    assertThat(SignedNotes.verify(atLimit.getBytes(StandardCharsets.UTF_8), signer.verifierKey()))
        .isEqualTo("hello\n");
    assertThatThrownBy(
            () ->
                SignedNotes.verify(
                    aboveLimit.getBytes(StandardCharsets.UTF_8), signer.verifierKey()))
        .isInstanceOf(AuditVerificationException.class);
  }

  private static void mangled(String vkey) {
    for (int i = 0; i < vkey.length(); i++) {
      for (int j = i; j <= vkey.length(); j++) {
        if (i == 0 && j == vkey.length()) {
          continue;
        }
        String sub = vkey.substring(i, j);
        assertThatThrownBy(() -> NoteVerifierKey.parse(sub))
            .as("substring " + sub)
            .isInstanceOf(IllegalArgumentException.class);
      }
      char[] c = vkey.toCharArray();
      c[i]++;
      String bumped = new String(c);
      assertThatThrownBy(() -> NoteVerifierKey.parse(bumped))
          .as("bumped " + bumped)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static List<String> keys(JsonNode v) {
    List<String> out = new ArrayList<>();
    if (v.has("vkey")) {
      out.add(v.path("vkey").asText());
    }
    v.path("vkeys").forEach(k -> out.add(k.asText()));
    return out;
  }

  private static byte[] note(JsonNode v) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (v.has("noteHexPrefix")) {
      out.writeBytes(HexFormat.of().parseHex(v.path("noteHexPrefix").asText()));
    }
    if (v.has("noteRepeatSigLines")) {
      JsonNode peter = vectors().path("valid").get(0);
      String text = peter.path("note").asText();
      int split = text.lastIndexOf("\n\n");
      String sig = text.substring(split + 2);
      out.writeBytes(
          (text.substring(0, split + 2) + sig.repeat(v.path("noteRepeatSigLines").asInt()))
              .getBytes(StandardCharsets.UTF_8));
      return out.toByteArray();
    }
    out.writeBytes(v.path("note").asText().getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}
