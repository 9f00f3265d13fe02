package io.bulwark.security.people.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.security.people.Argon2Cost;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Argon2idPasswordHasherTest {
  private static final Argon2Cost CHEAP = new Argon2Cost(64, 1, 1);

  private static byte[] filled(int n, int value) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) value);
    return b;
  }

  private static String b64(int bytes) {
    return Base64.getEncoder().withoutPadding().encodeToString(new byte[bytes]);
  }

  /** RFC 9106 section 5.3: Argon2id, version 0x13, with secret and associated data. */
  @Test
  void derive_rfc9106Vector_producesPublishedTag() {
    Argon2idPasswordHasher h = new Argon2idPasswordHasher(Argon2Cost.OWASP, 1);
    byte[] out = new byte[32];
    h.derive(
        new Argon2Cost(32, 3, 4),
        filled(32, 0x01),
        filled(16, 0x02),
        filled(8, 0x03),
        filled(12, 0x04),
        out);
    assertThat(HexFormat.of().formatHex(out))
        .isEqualTo("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
  }

  /** The reference implementation's test suite (src/test.c): m=2^16 KiB, t=2, p=1. */
  @Test
  void verify_referenceImplementationEncoding_acceptsOnlyThatPassword() throws Exception {
    String reference =
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
    Argon2idPasswordHasher h = new Argon2idPasswordHasher(Argon2Cost.OWASP, 1);
    assertThatCode(() -> h.verify("password", reference)).doesNotThrowAnyException();
    assertThatThrownBy(() -> h.verify("passwore", reference))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void hash_owaspCost_phcFormatAndVerifies() throws Exception {
    Argon2idPasswordHasher h = new Argon2idPasswordHasher(Argon2Cost.OWASP, 1);
    String encoded = h.hash("correct horse battery");
    assertThat(encoded)
        .matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    h.verify("correct horse battery", encoded);
    assertThat(h.hash("correct horse battery")).isNotEqualTo(encoded);
    assertThat(h.needsRehash(encoded)).isFalse();
  }

  @Test
  void hash_owaspCost_printsTimeOnThisMachine() throws Exception {
    Argon2idPasswordHasher h = new Argon2idPasswordHasher(Argon2Cost.OWASP, 1);
    h.hash("warm up the JIT first");
    int runs = 5;
    String last = "";
    long start = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      last = h.hash("measure this password " + i);
    }
    long micros = (System.nanoTime() - start) / 1000 / runs;
    // Printed, not asserted: timings belong in benchmarks.
    System.out.println("Argon2id m=19 MiB t=2 p=1: " + micros / 1000.0 + " ms per hash");
    h.verify("measure this password " + (runs - 1), last);
  }

  @Test
  void verify_wrongPassword_throws() {
    Argon2idPasswordHasher h = new Argon2idPasswordHasher(CHEAP, 1);
    String encoded = h.hash("the right password");
    assertThatThrownBy(() -> h.verify("the wrong password", encoded))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void verify_tamperedHashOrSalt_throws() {
    Argon2idPasswordHasher h = new Argon2idPasswordHasher(CHEAP, 1);
    String encoded = h.hash("the right password");
    int cut = encoded.lastIndexOf('$');
    char c = encoded.charAt(cut + 1);
    String tampered =
        encoded.substring(0, cut + 1) + (c == 'A' ? 'B' : 'A') + encoded.substring(cut + 2);
    assertThatThrownBy(() -> h.verify("the right password", tampered))
        .isInstanceOf(GeneralSecurityException.class);
    String otherCost = encoded.replace("t=1", "t=2");
    assertThatThrownBy(() -> h.verify("the right password", otherCost))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void verify_composedAndDecomposedForms_sameHash() throws Exception {
    Argon2idPasswordHasher h = new Argon2idPasswordHasher(CHEAP, 1);
    String encoded = h.hash("caf\u00e9 au lait du matin");
    h.verify("cafe\u0301 au lait du matin", encoded);
  }

  @Test
  void needsRehash_weakerOrMalformed_true() {
    Argon2idPasswordHasher strong = new Argon2idPasswordHasher(new Argon2Cost(128, 2, 1), 1);
    String weak = new Argon2idPasswordHasher(CHEAP, 1).hash("some password here");
    assertThat(strong.needsRehash(weak)).isTrue();
    assertThat(strong.needsRehash("$2b$10$bcrypt")).isTrue();
    assertThat(strong.needsRehash(strong.hash("some password here"))).isFalse();
  }

  @Test
  void parse_otherVariantsOrVersions_throw() {
    for (String bad :
        new String[] {
          "",
          "$argon2i$v=19$m=64,t=1,p=1$" + b64(16) + "$" + b64(32),
          "$argon2id$v=16$m=64,t=1,p=1$" + b64(16) + "$" + b64(32),
          "$argon2id$v=19$m=64,t=1$" + b64(16) + "$" + b64(32),
          "$argon2id$v=19$t=1,m=64,p=1$" + b64(16) + "$" + b64(32),
          "$argon2id$v=19$m=64,t=1,p=1$" + b64(16),
          "$argon2id$v=19$m=64,t=1,p=1$" + b64(16) + "$" + b64(32) + "$",
          "$argon2id$v=19$m=+64,t=1,p=1$" + b64(16) + "$" + b64(32),
          "$argon2id$v=19$m=064,t=1,p=1$" + b64(16) + "$" + b64(32),
          "$argon2id$v=19$m=99999999,t=1,p=1$" + b64(16) + "$" + b64(32),
          "$argon2id$v=19$m=64,t=1,p=1$" + b64(16) + "==$" + b64(32),
          "$argon2id$v=19$m=64,t=1,p=1$" + b64(16) + "$!!!!",
        }) {
      assertThatThrownBy(() -> Argon2idPasswordHasher.Phc.parse(bad))
          .as(bad)
          .isInstanceOf(GeneralSecurityException.class);
    }
  }

  private static String phc(int m, int t, int p, int saltBytes, int hashBytes) {
    return "$argon2id$v=19$m="
        + m
        + ",t="
        + t
        + ",p="
        + p
        + "$"
        + b64(saltBytes)
        + "$"
        + b64(hashBytes);
  }

  @Test
  void parse_costLimits_justBelowAcceptedJustAboveRefused() throws Exception {
    int maxM = Argon2Cost.MAX_MEMORY_KIB;
    int maxT = Argon2Cost.MAX_ITERATIONS;
    int maxP = Argon2Cost.MAX_PARALLELISM;
    assertThat(Argon2idPasswordHasher.Phc.parse(phc(maxM, maxT, maxP, 16, 32)).cost())
        .isEqualTo(new Argon2Cost(maxM, maxT, maxP));
    for (String bad :
        new String[] {
          phc(maxM + 1, 1, 1, 16, 32), phc(1024, maxT + 1, 1, 16, 32),
              phc(1024, 1, maxP + 1, 16, 32),
          phc(7, 1, 1, 16, 32), phc(1024, 0, 1, 16, 32), phc(1024, 1, 0, 16, 32)
        }) {
      assertThatThrownBy(() -> Argon2idPasswordHasher.Phc.parse(bad))
          .as(bad)
          .isInstanceOf(GeneralSecurityException.class);
    }
  }

  @Test
  void parse_saltAndHashLengthLimits_justInsideAcceptedJustOutsideRefused() throws Exception {
    Argon2idPasswordHasher.Phc.parse(phc(64, 1, 1, Argon2idPasswordHasher.MIN_STORED_SALT, 16));
    Argon2idPasswordHasher.Phc.parse(phc(64, 1, 1, Argon2idPasswordHasher.MAX_STORED_SALT, 64));
    for (String bad :
        new String[] {
          phc(64, 1, 1, Argon2idPasswordHasher.MIN_STORED_SALT - 1, 32),
          phc(64, 1, 1, Argon2idPasswordHasher.MAX_STORED_SALT + 1, 32),
          phc(64, 1, 1, 16, Argon2idPasswordHasher.MIN_STORED_HASH - 1),
          phc(64, 1, 1, 16, Argon2idPasswordHasher.MAX_STORED_HASH + 1),
        }) {
      assertThatThrownBy(() -> Argon2idPasswordHasher.Phc.parse(bad))
          .as(bad)
          .isInstanceOf(GeneralSecurityException.class);
    }
  }

  @Test
  void parse_encodedLengthLimit_aboveRefusedBeforeParsing() throws Exception {
    String longest = phc(64, 1, 1, 64, 64);
    assertThat(longest.length()).isLessThanOrEqualTo(Argon2idPasswordHasher.MAX_ENCODED_CHARS);
    Argon2idPasswordHasher.Phc.parse(longest);
    String padded =
        longest + "A".repeat(Argon2idPasswordHasher.MAX_ENCODED_CHARS + 1 - longest.length());
    assertThat(padded).hasSize(Argon2idPasswordHasher.MAX_ENCODED_CHARS + 1);
    assertThatThrownBy(() -> Argon2idPasswordHasher.Phc.parse(padded))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessage("not an argon2id v=19 hash");
  }

  @Test
  void hash_passwordInputLimit_justBelowAcceptedJustAboveRefused() {
    Argon2idPasswordHasher h = new Argon2idPasswordHasher(CHEAP, 1);
    assertThat(h.hash("x".repeat(Argon2idPasswordHasher.MAX_PASSWORD_CHARS)))
        .startsWith("$argon2id$");
    assertThatThrownBy(() -> h.hash("x".repeat(Argon2idPasswordHasher.MAX_PASSWORD_CHARS + 1)))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void cost_constructorLimits_refuseOutOfRange() {
    assertThatThrownBy(() -> new Argon2Cost(Argon2Cost.MAX_MEMORY_KIB + 1, 1, 1))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> new Argon2Cost(15, 1, 2)).isInstanceOf(InvalidRequestException.class);
    assertThat(new Argon2Cost(16, 1, 2).memoryKiB()).isEqualTo(16);
  }
}
