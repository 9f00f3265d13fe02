package io.bulwark.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Certificate authorities, client certificates and revocation lists made in a test, for mutual TLS
 * tests: good ones, and ones broken in exactly one way.
 */
public final class TestCertificates {
  private static final SecureRandom RANDOM = new SecureRandom();

  private TestCertificates() {}

  /** A certificate and its private key. */
  public record Issued(X509Certificate certificate, PrivateKey key) {}

  /**
   * What a client certificate should hold.
   *
   * @param subject an RFC 2253 subject
   * @param uris URI subject alternative names (SPIFFE IDs)
   * @param notBefore start of validity
   * @param notAfter end of validity
   * @param clientAuth whether the extended key usage includes id-kp-clientAuth (else serverAuth)
   * @param digitalSignature whether the key usage includes digitalSignature (else keyAgreement)
   */
  public record ClientSpec(
      String subject,
      List<String> uris,
      Instant notBefore,
      Instant notAfter,
      boolean clientAuth,
      boolean digitalSignature) {
    public ClientSpec {
      uris = List.copyOf(uris);
    }

    /** A valid client certificate for a day, with {@code spiffeIds} as URI alternative names. */
    public static ClientSpec of(String subject, String... spiffeIds) {
      Instant now = Instant.now();
      return new ClientSpec(
          subject,
          List.of(spiffeIds),
          now.minus(Duration.ofHours(1)),
          now.plus(Duration.ofDays(1)),
          true,
          true);
    }

    public ClientSpec validity(Instant from, Instant to) {
      return new ClientSpec(subject, uris, from, to, clientAuth, digitalSignature);
    }

    public ClientSpec withoutClientAuth() {
      return new ClientSpec(subject, uris, notBefore, notAfter, false, digitalSignature);
    }

    public ClientSpec withoutDigitalSignature() {
      return new ClientSpec(subject, uris, notBefore, notAfter, clientAuth, false);
    }
  }

  /** A CA that signs client certificates and revocation lists. */
  public static final class Authority {
    private final Issued ca;

    private Authority(Issued ca) {
      this.ca = ca;
    }

    /** A self-signed CA named {@code CN=cn}, valid from an hour ago for ten years. */
    public static Authority create(String cn) {
      try {
        KeyPair pair = keyPair();
        X500Name name = new X500Name("CN=" + cn);
        Instant now = Instant.now();
        X509v3CertificateBuilder b =
            new JcaX509v3CertificateBuilder(
                name,
                serial(),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(3650))),
                name,
                pair.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
            .addExtension(
                Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return new Authority(new Issued(sign(b, pair.getPrivate()), pair.getPrivate()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    public X509Certificate certificate() {
      return ca.certificate();
    }

    /** Issues a client certificate as {@code spec} says. */
    public Issued issue(ClientSpec spec) {
      try {
        KeyPair pair = keyPair();
        X509v3CertificateBuilder b =
            new JcaX509v3CertificateBuilder(
                ca.certificate(),
                serial(),
                Date.from(spec.notBefore()),
                Date.from(spec.notAfter()),
                // The JDK's parser reads RFC 2253 order (last RDN first), as certificates are
                // printed.
                X500Name.getInstance(new X500Principal(spec.subject()).getEncoded()),
                pair.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(
                Extension.keyUsage,
                true,
                new KeyUsage(
                    spec.digitalSignature() ? KeyUsage.digitalSignature : KeyUsage.keyAgreement))
            .addExtension(
                Extension.extendedKeyUsage,
                false,
                new ExtendedKeyUsage(
                    spec.clientAuth()
                        ? KeyPurposeId.id_kp_clientAuth
                        : KeyPurposeId.id_kp_serverAuth));
        if (!spec.uris().isEmpty()) {
          List<GeneralName> names = new ArrayList<>();
          for (String uri : spec.uris()) {
            names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
          }
          b.addExtension(
              Extension.subjectAlternativeName,
              false,
              new GeneralNames(names.toArray(new GeneralName[0])));
        }
        return new Issued(sign(b, ca.key()), pair.getPrivate());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    /** A revocation list issued an hour ago, next due at {@code nextUpdate} (null: never said). */
    public X509CRL crl(@Nullable Instant nextUpdate, X509Certificate... revoked) {
      try {
        Instant now = Instant.now();
        X509v2CRLBuilder b =
            new X509v2CRLBuilder(
                new X509CertificateHolder(ca.certificate().getEncoded()).getSubject(),
                Date.from(now.minus(Duration.ofHours(1))));
        if (nextUpdate != null) {
          b.setNextUpdate(Date.from(nextUpdate));
        }
        for (X509Certificate c : revoked) {
          b.addCRLEntry(
              c.getSerialNumber(),
              Date.from(now.minus(Duration.ofMinutes(5))),
              CRLReason.keyCompromise);
        }
        return new JcaX509CRLConverter()
            .getCRL(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.key())));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (GeneralSecurityException | OperatorCreationException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** PEM text of {@code der} under {@code type}, for example CERTIFICATE or X509 CRL. */
  public static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** Writes the certificates as one PEM file. */
  public static Path writeCertificates(Path file, X509Certificate... certificates)
      throws IOException, GeneralSecurityException {
    StringBuilder out = new StringBuilder();
    for (X509Certificate c : certificates) {
      out.append(pem("CERTIFICATE", c.getEncoded()));
    }
    Files.writeString(file, out.toString(), StandardCharsets.US_ASCII);
    return file;
  }

  /** Writes a revocation list as PEM. */
  public static Path writeCrl(Path file, X509CRL crl) throws IOException, GeneralSecurityException {
    Files.writeString(file, pem("X509 CRL", crl.getEncoded()), StandardCharsets.US_ASCII);
    return file;
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }
}
