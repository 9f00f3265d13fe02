package io.bulwark.signing.internal;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;

/**
 * Signs and verifies with the algorithm the key implies, and checks a signature's encoding before
 * the JDK sees it: the JDK's ECDSA accepts some non-DER and out-of-range encodings, which would let
 * one signature have several byte forms.
 *
 * <p>ECDSA uses the hash that matches the curve (P-256 with SHA-256, P-384 with SHA-384, P-521 with
 * SHA-512), as the reference tool does; RSA uses PKCS#1 v1.5 with SHA-256; Ed25519 is pure EdDSA.
 */
public final class StrictSignatures {
  private StrictSignatures() {}

  /** Signs {@code message}; the output is DER for ECDSA. */
  public static byte[] sign(PrivateKey key, byte[] message) throws GeneralSecurityException {
    Signature signature = Signature.getInstance(algorithm(key));
    signature.initSign(key);
    signature.update(message);
    return signature.sign();
  }

  /**
   * Verifies {@code sig} over {@code message}, returning normally only if it is valid and strictly
   * encoded.
   *
   * @throws SignatureException with the reason when it is not
   */
  public static void verify(PublicKey key, byte[] message, byte[] sig)
      throws GeneralSecurityException {
    switch (key) {
      case ECPublicKey ec -> checkEcdsaDer(sig, ec.getParams().getOrder());
      case EdECKey ed -> {
        if (sig.length != 64) {
          throw new SignatureException("an Ed25519 signature must be 64 bytes");
        }
      }
      case RSAPublicKey rsa -> {
        if (sig.length != (rsa.getModulus().bitLength() + 7) / 8) {
          throw new SignatureException("an RSA signature must be as long as the modulus");
        }
      }
      default -> throw new InvalidKeyException("unsupported key type " + key.getAlgorithm());
    }
    Signature verifier = Signature.getInstance(algorithm(key));
    verifier.initVerify(key);
    verifier.update(message);
    if (!verifier.verify(sig)) {
      throw new SignatureException("the signature does not match");
    }
  }

  static String algorithm(java.security.Key key) throws InvalidKeyException {
    if (key instanceof ECKey ec) {
      int bits = ec.getParams().getOrder().bitLength();
      return switch (bits) {
        case 256 -> "SHA256withECDSA";
        case 384 -> "SHA384withECDSA";
        case 521 -> "SHA512withECDSA";
        default -> throw new InvalidKeyException("unsupported EC curve of " + bits + " bits");
      };
    }
    if (key instanceof EdECKey ed) {
      if (!"Ed25519".equals(ed.getParams().getName())) {
        throw new InvalidKeyException("unsupported EdDSA curve " + ed.getParams().getName());
      }
      return "Ed25519";
    }
    if (key instanceof RSAKey rsa) {
      if (rsa.getModulus().bitLength() < 2048) {
        throw new InvalidKeyException("RSA keys shorter than 2048 bits are refused");
      }
      return "SHA256withRSA";
    }
    throw new InvalidKeyException("unsupported key type " + key.getAlgorithm());
  }

  /**
   * Checks that {@code sig} is exactly {@code SEQUENCE { INTEGER r, INTEGER s }} in DER: definite
   * minimal lengths, minimal positive integers, nothing after the sequence, and {@code 1 <= r, s <
   * n}.
   */
  static void checkEcdsaDer(byte[] sig, BigInteger order) throws SignatureException {
    int[] pos = {0};
    if (sig.length < 8 || sig[0] != 0x30) {
      throw new SignatureException("the ECDSA signature is not a DER SEQUENCE");
    }
    pos[0] = 1;
    int seqLength = readLength(sig, pos);
    if (pos[0] + seqLength != sig.length) {
      throw new SignatureException("the ECDSA signature has a wrong length or trailing bytes");
    }
    BigInteger r = readPositiveInteger(sig, pos, order, "r");
    BigInteger s = readPositiveInteger(sig, pos, order, "s");
    if (pos[0] != sig.length) {
      throw new SignatureException("the ECDSA signature has extra content in its SEQUENCE");
    }
    if (r.signum() <= 0 || s.signum() <= 0) {
      throw new SignatureException("the ECDSA signature has r or s equal to zero");
    }
  }

  private static int readLength(byte[] der, int[] pos) throws SignatureException {
    if (pos[0] >= der.length) {
      throw new SignatureException("the ECDSA signature is truncated");
    }
    int first = der[pos[0]++] & 0xff;
    if (first < 0x80) {
      return first;
    }
    // Signatures here are under 256 bytes, so only the one-byte long form can be minimal.
    if (first != 0x81 || pos[0] >= der.length) {
      throw new SignatureException("the ECDSA signature has a non-DER length");
    }
    int length = der[pos[0]++] & 0xff;
    if (length < 0x80) {
      throw new SignatureException("the ECDSA signature has a non-minimal length");
    }
    return length;
  }

  private static BigInteger readPositiveInteger(
      byte[] der, int[] pos, BigInteger order, String name) throws SignatureException {
    if (pos[0] >= der.length || der[pos[0]++] != 0x02) {
      throw new SignatureException("the ECDSA signature's " + name + " is not an INTEGER");
    }
    int length = readLength(der, pos);
    if (length == 0 || pos[0] + length > der.length) {
      throw new SignatureException("the ECDSA signature's " + name + " has a bad length");
    }
    byte[] value = Arrays.copyOfRange(der, pos[0], pos[0] + length);
    pos[0] += length;
    if ((value[0] & 0x80) != 0) {
      throw new SignatureException("the ECDSA signature's " + name + " is negative");
    }
    if (value.length > 1 && value[0] == 0 && (value[1] & 0x80) == 0) {
      throw new SignatureException("the ECDSA signature's " + name + " is not minimally encoded");
    }
    BigInteger v = new BigInteger(1, value);
    if (v.signum() == 0 || v.compareTo(order) >= 0) {
      throw new SignatureException("the ECDSA signature's " + name + " is out of range");
    }
    return v;
  }
}
