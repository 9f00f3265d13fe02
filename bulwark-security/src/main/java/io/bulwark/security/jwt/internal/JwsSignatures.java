package io.bulwark.security.jwt.internal;

import io.bulwark.core.InsecureSecretAccess;
import io.bulwark.core.SecretBytes;
import io.bulwark.security.jwt.JwsAlgorithm;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a JWS signature's exact encoding before handing it to the JDK, then verifies it. The
 * encoding checks are ours on purpose: the JDK's ECDSA verifier accepted r = s = 0 in Java 15 to 18
 * (CVE-2022-21449), and other libraries have accepted DER, padded or truncated signatures.
 */
final class JwsSignatures {
  private JwsSignatures() {}

  /**
   * Verifies {@code signature} over {@code signingInput} with {@code algorithm}.
   *
   * @throws GeneralSecurityException with a short reason if the encoding or the signature is bad
   */
  static void verify(
      JwsAlgorithm algorithm, PublicKey publicKey, byte[] signingInput, byte[] signature)
      throws GeneralSecurityException {
    switch (algorithm) {
      case RS256, RS384, RS512, PS256, PS384, PS512 -> {
        RSAPublicKey rsa = (RSAPublicKey) publicKey;
        int length = (rsa.getModulus().bitLength() + 7) / 8;
        if (signature.length != length) {
          throw new GeneralSecurityException("RSA signature must be " + length + " bytes");
        }
        if (new BigInteger(1, signature).compareTo(rsa.getModulus()) >= 0) {
          throw new GeneralSecurityException("RSA signature is not below the modulus");
        }
        check(rsaSignature(algorithm), publicKey, signingInput, signature);
      }
      case ES256, ES384, ES512 -> {
        EcCurves curve =
            EcCurves.forAlgorithm(algorithm)
                .orElseThrow(() -> new GeneralSecurityException("no curve"));
        checkEcdsaP1363(signature, curve);
        check(
            Signature.getInstance("SHA" + algorithm.hashBytes() * 8 + "withECDSAinP1363Format"),
            publicKey,
            signingInput,
            signature);
      }
      case EDDSA -> {
        if (signature.length != 64) {
          throw new GeneralSecurityException("Ed25519 signature must be 64 bytes");
        }
        check(Signature.getInstance("Ed25519"), publicKey, signingInput, signature);
      }
      case HS256, HS384, HS512 -> throw new GeneralSecurityException("HMAC needs a secret key");
    }
  }

  /** r and s as fixed-length big-endian halves (RFC 7518 3.4), each in [1, n-1]. */
  static void checkEcdsaP1363(byte[] signature, EcCurves curve) throws GeneralSecurityException {
    int half = curve.fieldBytes();
    if (signature.length != 2 * half) {
      throw new GeneralSecurityException("ECDSA signature must be " + 2 * half + " bytes");
    }
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, half));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, half, 2 * half));
    BigInteger n = curve.order();
    if (r.signum() == 0 || s.signum() == 0 || r.compareTo(n) >= 0 || s.compareTo(n) >= 0) {
      throw new GeneralSecurityException("ECDSA r or s is outside [1, n-1]");
    }
  }

  static void verifyHmac(
      JwsAlgorithm algorithm, SecretBytes secret, byte[] signingInput, byte[] signature)
      throws GeneralSecurityException {
    if (signature.length != algorithm.hashBytes()) {
      throw new GeneralSecurityException("HMAC must be " + algorithm.hashBytes() + " bytes");
    }
    String name = "HmacSHA" + algorithm.hashBytes() * 8;
    byte[] key = secret.toByteArray(InsecureSecretAccess.get());
    byte[] expected;
    try {
      Mac mac = Mac.getInstance(name);
      mac.init(new SecretKeySpec(key, name));
      expected = mac.doFinal(signingInput);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
    if (!MessageDigest.isEqual(expected, signature)) {
      throw new GeneralSecurityException("signature does not verify");
    }
  }

  private static Signature rsaSignature(JwsAlgorithm algorithm) throws GeneralSecurityException {
    int bits = algorithm.hashBytes() * 8;
    if (algorithm.name().startsWith("RS")) {
      return Signature.getInstance("SHA" + bits + "withRSA");
    }
    String hash = "SHA-" + bits;
    Signature pss = Signature.getInstance("RSASSA-PSS");
    // RFC 7518 3.5: MGF1 with the same hash, salt as long as the hash, trailer 1.
    pss.setParameter(
        new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), algorithm.hashBytes(), 1));
    return pss;
  }

  private static void check(
      Signature verifier, PublicKey key, byte[] signingInput, byte[] signature)
      throws GeneralSecurityException {
    verifier.initVerify(key);
    verifier.update(signingInput);
    boolean ok;
    try {
      ok = verifier.verify(signature);
    } catch (java.security.SignatureException e) {
      ok = false;
    }
    if (!ok) {
      throw new GeneralSecurityException("signature does not verify");
    }
  }
}
