package io.bulwark.audit.internal;

import io.bulwark.audit.AuditVerificationException;
import io.bulwark.audit.NoteVerifierKey;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * C2SP signed notes with Ed25519: text, a blank line, then signature lines {@code — <name>
 * base64(keyid || signature)}. Parsing follows Go's {@code sumdb/note}: valid UTF-8, no control
 * characters but newline, at most {@value #MAX_SIGNATURES} signature lines, unknown keys ignored, a
 * known key with a bad signature rejected.
 */
public final class SignedNotes {
  /** Most signature lines accepted (Go's limit; C2SP asks for at least 16). */
  public static final int MAX_SIGNATURES = 100;

  /** Largest note accepted. */
  public static final int MAX_NOTE_BYTES = 64 * 1024;

  private static final String DASH = "\u2014 ";

  private SignedNotes() {}

  /**
   * Verifies {@code note} against {@code key} and returns its text.
   *
   * @throws AuditVerificationException if malformed, not signed by {@code key}, or signed badly
   */
  public static String verify(byte[] note, NoteVerifierKey key) throws AuditVerificationException {
    if (note.length > MAX_NOTE_BYTES) {
      throw new AuditVerificationException(
          "signed note is larger than " + MAX_NOTE_BYTES + " bytes");
    }
    String s;
    try {
      s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(note))
              .toString();
    } catch (CharacterCodingException e) {
      throw new AuditVerificationException("signed note is not valid UTF-8");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\n') || c == 0x7f) {
        throw new AuditVerificationException("signed note contains a control character");
      }
    }
    int split = s.lastIndexOf("\n\n");
    if (split < 0 || !s.endsWith("\n")) {
      throw new AuditVerificationException("signed note is malformed");
    }
    String text = s.substring(0, split + 1);
    String sigs = s.substring(split + 2);
    if (sigs.isEmpty()) {
      throw new AuditVerificationException("signed note has no signatures");
    }
    String[] lines = sigs.substring(0, sigs.length() - 1).split("\n", -1);
    if (lines.length > MAX_SIGNATURES) {
      throw new AuditVerificationException("signed note has too many signatures");
    }
    byte[] message = text.getBytes(StandardCharsets.UTF_8);
    boolean verified = false;
    for (String line : lines) {
      if (!line.startsWith(DASH)) {
        throw new AuditVerificationException("signed note has a malformed signature line");
      }
      String rest = line.substring(DASH.length());
      int space = rest.indexOf(' ');
      if (space <= 0 || rest.indexOf(' ', space + 1) >= 0) {
        throw new AuditVerificationException("signed note has a malformed signature line");
      }
      String name = rest.substring(0, space);
      byte[] blob;
      try {
        NoteVerifierKey.checkName(name);
        blob = Base64.getDecoder().decode(rest.substring(space + 1));
      } catch (IllegalArgumentException e) {
        throw new AuditVerificationException("signed note has a malformed signature line");
      }
      if (blob.length < 5) {
        throw new AuditVerificationException("signed note has a malformed signature line");
      }
      int id = ByteBuffer.wrap(blob, 0, 4).getInt();
      if (!name.equals(key.name()) || id != key.keyId()) {
        continue; // someone else's signature (a witness, say): not ours to judge
      }
      if (blob.length != 4 + Ed25519.SIGNATURE_SIZE) {
        throw new AuditVerificationException("signature by " + key.name() + " is not 64 bytes");
      }
      if (!Ed25519.verify(blob, 4, key.publicKey(), 0, message, 0, message.length)) {
        throw new AuditVerificationException("signature by " + key.name() + " does not verify");
      }
      verified = true;
    }
    if (!verified) {
      throw new AuditVerificationException(
          "signed note carries no signature by " + key.name() + "+" + key.keyIdHex());
    }
    return text;
  }
}
