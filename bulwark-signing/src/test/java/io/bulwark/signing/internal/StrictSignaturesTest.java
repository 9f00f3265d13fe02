package io.bulwark.signing.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SignatureException;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StrictSignaturesTest {
  private static final byte[] MESSAGE = "message".getBytes(StandardCharsets.UTF_8);

  private KeyPair keys;
  private BigInteger n;
  private byte[] good;

  @BeforeEach
  void sign() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    keys = g.generateKeyPair();
    n = ((ECPublicKey) keys.getPublic()).getParams().getOrder();
    good = StrictSignatures.sign(keys.getPrivate(), MESSAGE);
  }

  private static byte[] der(byte[] r, byte[] s) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(0x02);
    body.write(r.length);
    body.writeBytes(r);
    body.write(0x02);
    body.write(s.length);
    body.writeBytes(s);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x30);
    out.write(body.size());
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  private static byte[][] parts(byte[] sig) {
    int rLen = sig[3];
    byte[] r = Arrays.copyOfRange(sig, 4, 4 + rLen);
    int sLen = sig[5 + rLen];
    byte[] s = Arrays.copyOfRange(sig, 6 + rLen, 6 + rLen + sLen);
    return new byte[][] {r, s};
  }

  private void assertRejected(byte[] sig) {
    assertThatThrownBy(() -> StrictSignatures.verify(keys.getPublic(), MESSAGE, sig))
        .isInstanceOf(SignatureException.class);
  }

  @Test
  void verify_valid_passes() {
    assertThatCode(() -> StrictSignatures.verify(keys.getPublic(), MESSAGE, good))
        .doesNotThrowAnyException();
  }

  @Test
  void verify_trailingByte_throws() {
    assertRejected(Arrays.copyOf(good, good.length + 1));
  }

  @Test
  void verify_nonMinimalInteger_throws() {
    byte[][] p = parts(good);
    byte[] padded = new byte[p[0].length + 1];
    System.arraycopy(p[0], 0, padded, 1, p[0].length);
    assertRejected(der(padded, p[1]));
  }

  @Test
  void verify_sPlusOrder_throws() {
    byte[][] p = parts(good);
    byte[] sPlusN = new BigInteger(1, p[1]).add(n).toByteArray();
    assertRejected(der(p[0], sPlusN));
  }

  @Test
  void verify_zeroR_throws() {
    assertRejected(der(new byte[] {0}, parts(good)[1]));
  }

  @Test
  void verify_negativeS_throws() {
    byte[][] p = parts(good);
    assertRejected(der(p[0], new BigInteger(1, p[1]).negate().toByteArray()));
  }

  @Test
  void verify_longFormLengthNonMinimal_throws() {
    byte[] sig = new byte[good.length + 1];
    sig[0] = 0x30;
    sig[1] = (byte) 0x81;
    System.arraycopy(good, 1, sig, 2, good.length - 1);
    assertRejected(sig);
  }

  @Test
  void verify_rawConcatenatedSignature_throws() {
    assertRejected(new byte[64]);
  }

  @Test
  void pae_matchesDsseSpecExample() {
    byte[] pae =
        Dsse.pae("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8));
    org.assertj.core.api.Assertions.assertThat(new String(pae, StandardCharsets.UTF_8))
        .isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  }
}
