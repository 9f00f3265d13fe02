package io.bulwark.signing;

import io.bulwark.core.InvalidRequestException;
import java.io.IOException;
import java.io.StringReader;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads keys and certificates from PEM text. Text outside the PEM blocks (such as the description
 * {@code openssl} or {@code certtool} print before them) is skipped. Encrypted private keys are
 * refused. Every failure is an {@link InvalidRequestException} whose message never contains key
 * material.
 */
public final class SigningKeys {
  private SigningKeys() {}

  /** The first public key ({@code PUBLIC KEY} block) in {@code pem}. */
  public static PublicKey publicKey(String pem) {
    for (Object o : objects(pem)) {
      if (o instanceof SubjectPublicKeyInfo spki) {
        try {
          return new JcaPEMKeyConverter().getPublicKey(spki);
        } catch (IOException e) {
          throw new InvalidRequestException("unsupported public key", e);
        }
      }
    }
    throw new InvalidRequestException("no PUBLIC KEY block in the PEM text");
  }

  /**
   * The first private key in {@code pem} with its public key: a SEC1 {@code EC PRIVATE KEY} or a
   * PKCS#8 {@code PRIVATE KEY} that carries or implies its public key (EC with the public point,
   * Ed25519).
   */
  public static KeyPair keyPair(String pem) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    for (Object o : objects(pem)) {
      try {
        if (o instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair);
        }
        if (o instanceof PrivateKeyInfo info) {
          return new KeyPair(
              converter.getPublicKey(publicKeyOf(info)), converter.getPrivateKey(info));
        }
      } catch (IOException e) {
        throw new InvalidRequestException("unsupported private key", e);
      }
      if (o.getClass().getSimpleName().contains("Encrypted")) {
        throw new InvalidRequestException("encrypted private keys are not supported");
      }
    }
    throw new InvalidRequestException("no unencrypted private key block in the PEM text");
  }

  /** All certificates ({@code CERTIFICATE} blocks) in {@code pem}, in order. */
  public static List<X509Certificate> certificates(String pem) {
    List<X509Certificate> out = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    for (Object o : objects(pem)) {
      if (o instanceof X509CertificateHolder holder) {
        try {
          out.add(converter.getCertificate(holder));
        } catch (CertificateException e) {
          throw new InvalidRequestException("unreadable certificate", e);
        }
      }
    }
    if (out.isEmpty()) {
      throw new InvalidRequestException("no CERTIFICATE block in the PEM text");
    }
    return List.copyOf(out);
  }

  private static SubjectPublicKeyInfo publicKeyOf(PrivateKeyInfo info) throws IOException {
    AlgorithmIdentifier algorithm = info.getPrivateKeyAlgorithm();
    if (algorithm.getAlgorithm().equals(EdECObjectIdentifiers.id_Ed25519)) {
      byte[] seed =
          org.bouncycastle.asn1.ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
      byte[] pub = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
      return new SubjectPublicKeyInfo(algorithm, pub);
    }
    if (algorithm.getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      ECPrivateKey ec = ECPrivateKey.getInstance(info.parsePrivateKey());
      ASN1Primitive point = ec.getPublicKey();
      if (point != null) {
        return new SubjectPublicKeyInfo(algorithm, ec.getPublicKey().getBytes());
      }
    }
    throw new InvalidRequestException(
        "the private key does not carry its public key; use a SEC1 EC PRIVATE KEY");
  }

  private static List<Object> objects(String pem) {
    List<Object> out = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        out.add(o);
        if (out.size() > 64) {
          throw new InvalidRequestException("more than 64 PEM blocks");
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidRequestException("malformed PEM text", e);
    }
    return out;
  }
}
