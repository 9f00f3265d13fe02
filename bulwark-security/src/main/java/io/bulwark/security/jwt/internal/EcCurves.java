package io.bulwark.security.jwt.internal;

import io.bulwark.security.jwt.JwsAlgorithm;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.util.List;
import java.util.Optional;

/** The NIST prime curves JWS uses, each bound to its one ECDSA algorithm (RFC 7518 3.4). */
final class EcCurves {
  static final EcCurves P256 = new EcCurves("P-256", "secp256r1", JwsAlgorithm.ES256);
  static final EcCurves P384 = new EcCurves("P-384", "secp384r1", JwsAlgorithm.ES384);
  static final EcCurves P521 = new EcCurves("P-521", "secp521r1", JwsAlgorithm.ES512);
  private static final List<EcCurves> ALL = List.of(P256, P384, P521);

  private final String joseName;
  private final ECParameterSpec spec;
  private final JwsAlgorithm algorithm;

  private EcCurves(String joseName, String stdName, JwsAlgorithm algorithm) {
    this.joseName = joseName;
    this.algorithm = algorithm;
    try {
      AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
      params.init(new ECGenParameterSpec(stdName));
      this.spec = params.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks curve " + stdName, e);
    }
  }

  static Optional<EcCurves> fromJoseName(String name) {
    for (EcCurves c : ALL) {
      if (c.joseName.equals(name)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  static Optional<EcCurves> forAlgorithm(JwsAlgorithm algorithm) {
    for (EcCurves c : ALL) {
      if (c.algorithm == algorithm) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  ECParameterSpec spec() {
    return spec;
  }

  JwsAlgorithm algorithm() {
    return algorithm;
  }

  BigInteger prime() {
    return ((ECFieldFp) spec.getCurve().getField()).getP();
  }

  BigInteger order() {
    return spec.getOrder();
  }

  /** Bytes of one coordinate, and of r and s in a JWS signature. */
  int fieldBytes() {
    return (prime().bitLength() + 7) / 8;
  }

  /** True if (x, y) satisfies y^2 = x^3 + ax + b over the field (the point at infinity is not). */
  boolean onCurve(ECPoint point) {
    BigInteger p = prime();
    BigInteger x = point.getAffineX();
    BigInteger y = point.getAffineY();
    if (x.signum() < 0 || x.compareTo(p) >= 0 || y.signum() < 0 || y.compareTo(p) >= 0) {
      return false;
    }
    BigInteger a = spec.getCurve().getA();
    BigInteger b = spec.getCurve().getB();
    BigInteger left = y.multiply(y).mod(p);
    BigInteger right = x.pow(3).add(a.multiply(x)).add(b).mod(p);
    return left.equals(right);
  }
}
