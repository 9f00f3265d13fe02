package io.bulwark.crypto.internal;

import io.bulwark.core.SecureFiles;
import io.bulwark.crypto.TlsMaterial;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * A certificate authority kept in a directory, issuing the server certificate of a Bulwark
 * installation that has none of its own. Certificates are built with BouncyCastle's builders; keys,
 * signatures and certificate parsing use the JDK's providers, so no provider is installed globally.
 */
public final class LocalCertificateAuthority {
  static final String CA_CERTIFICATE = "ca.pem";
  static final String CA_KEY = "ca.key";
  static final String SERVER_CHAIN = "server.pem";
  static final String SERVER_KEY = "server.key";

  /** Largest PEM file read: a handful of certificates. */
  static final int MAX_PEM_BYTES = 64 * 1024;

  /** Most DNS names plus IP addresses in one server certificate. */
  static final int MAX_SUBJECT_ALT_NAMES = 64;

  static final Duration CA_VALIDITY = Duration.ofDays(3652);
  static final Duration SERVER_VALIDITY = Duration.ofDays(397);
  static final Duration RENEW_BEFORE = Duration.ofDays(30);

  /** Starts validity a little in the past, for clients whose clocks run slow. */
  private static final Duration BACKDATE = Duration.ofHours(1);

  private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
  private static final String PRIVATE_KEY_PEM = "PRIVATE KEY";
  private static final String CERTIFICATE_PEM = "CERTIFICATE";

  private static final Pattern DNS_NAME =
      Pattern.compile(
          "(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

  private static final SecureRandom RANDOM = new SecureRandom();

  private LocalCertificateAuthority() {}

  private record Authority(X509Certificate certificate, PrivateKey key) {}

  /** See {@link TlsMaterial#loadOrCreate}. */
  public static TlsMaterial loadOrCreate(
      Path tlsDirectory, List<String> dnsNames, List<String> ipAddresses, Clock clock)
      throws IOException, GeneralSecurityException {
    Objects.requireNonNull(tlsDirectory, "tlsDirectory");
    Objects.requireNonNull(clock, "clock");
    List<String> dns = normalizeDnsNames(dnsNames);
    List<byte[]> ips = parseIpAddresses(ipAddresses);
    if (dns.isEmpty() && ips.isEmpty()) {
      throw new IllegalArgumentException("a server certificate needs a DNS name or IP address");
    }
    if (dns.size() + ips.size() > MAX_SUBJECT_ALT_NAMES) {
      throw new IllegalArgumentException(
          "at most " + MAX_SUBJECT_ALT_NAMES + " DNS names and IP addresses are allowed");
    }
    Instant now = clock.instant();
    SecureFiles.createPrivateDirectory(tlsDirectory);
    Path caPem = tlsDirectory.resolve(CA_CERTIFICATE);
    Path caKey = tlsDirectory.resolve(CA_KEY);
    Path serverPem = tlsDirectory.resolve(SERVER_CHAIN);
    Path serverKey = tlsDirectory.resolve(SERVER_KEY);

    Authority ca = loadOrCreateAuthority(caPem, caKey, now);
    Optional<X509Certificate> current = currentServer(serverPem, serverKey, ca, dns, ips, now);
    X509Certificate server =
        current.isPresent() ? current.get() : issueServer(serverPem, serverKey, ca, dns, ips, now);
    return new TlsMaterial(caPem, serverPem, serverKey, ca.certificate(), server);
  }

  /** See {@link TlsMaterial#trustStore}. */
  public static KeyStore trustStore(Path caPem) throws IOException, GeneralSecurityException {
    List<X509Certificate> certificates = readCertificates(caPem, "CA certificate file");
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException("cannot initialise an empty trust store", e);
    }
    for (int i = 0; i < certificates.size(); i++) {
      store.setCertificateEntry("bulwark-ca-" + i, certificates.get(i));
    }
    return store;
  }

  // ---- the CA ----

  private static Authority loadOrCreateAuthority(Path caPem, Path caKey, Instant now)
      throws IOException, GeneralSecurityException {
    boolean pemExists = Files.exists(caPem, LinkOption.NOFOLLOW_LINKS);
    boolean keyExists = Files.exists(caKey, LinkOption.NOFOLLOW_LINKS);
    if (!pemExists && !keyExists) {
      return createAuthority(caPem, caKey, now);
    }
    if (!pemExists || !keyExists) {
      Path present = pemExists ? caPem : caKey;
      Path missing = pemExists ? caKey : caPem;
      throw new IOException(
          "incomplete local CA: "
              + missing
              + " is missing; restore it, or remove "
              + present
              + " to create a new CA (clients must then trust the new "
              + CA_CERTIFICATE
              + ")");
    }
    PrivateKey key = readPrivateKey(caKey, "local CA private key");
    X509Certificate certificate = readCertificates(caPem, "local CA certificate").get(0);
    if (certificate.getBasicConstraints() < 0) {
      throw new GeneralSecurityException(caPem + " is not a CA certificate");
    }
    if (!keyMatches(key, certificate.getPublicKey())) {
      throw new GeneralSecurityException(caKey + " is not the private key of " + caPem);
    }
    if (now.isBefore(certificate.getNotBefore().toInstant())
        || now.isAfter(certificate.getNotAfter().toInstant())) {
      throw new GeneralSecurityException(
          "the local CA certificate "
              + caPem
              + " is valid only from "
              + certificate.getNotBefore().toInstant()
              + " to "
              + certificate.getNotAfter().toInstant()
              + "; to create a new CA, remove the TLS directory and have clients trust the new "
              + CA_CERTIFICATE);
    }
    return new Authority(certificate, key);
  }

  private static Authority createAuthority(Path caPem, Path caKey, Instant now)
      throws IOException, GeneralSecurityException {
    KeyPair pair = generateKeyPair();
    byte[] suffix = new byte[4];
    RANDOM.nextBytes(suffix);
    X500Name name =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.CN, "Bulwark Local CA " + HexFormat.of().formatHex(suffix))
            .build();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            name,
            randomSerial(),
            Date.from(now.minus(BACKDATE)),
            Date.from(now.plus(CA_VALIDITY)),
            name,
            pair.getPublic());
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    builder
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
        .addExtension(
            Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
        .addExtension(
            Extension.subjectKeyIdentifier,
            false,
            extensions.createSubjectKeyIdentifier(pair.getPublic()));
    X509Certificate certificate = sign(builder, pair.getPrivate(), pair.getPublic());

    // Key first: a crash in between leaves a key without a certificate, which is refused loudly
    // rather than silently replaced by a new CA.
    writePrivateKey(caKey, pair.getPrivate(), false);
    SecureFiles.writePrivate(caPem, Pem.encode(CERTIFICATE_PEM, certificate.getEncoded()), false);
    return new Authority(certificate, pair.getPrivate());
  }

  // ---- the server certificate ----

  /** The existing server certificate, if it may still be used as it is. */
  private static Optional<X509Certificate> currentServer(
      Path serverPem, Path serverKey, Authority ca, List<String> dns, List<byte[]> ips, Instant now)
      throws IOException {
    boolean keyExists = Files.exists(serverKey, LinkOption.NOFOLLOW_LINKS);
    if (keyExists) {
      // Refuse, rather than quietly replace, a key that others may already have read.
      BoundedFiles.checkPrivate(serverKey, "server private key");
    }
    if (!keyExists || !Files.exists(serverPem, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    PrivateKey key;
    List<X509Certificate> chain;
    try {
      key = readPrivateKey(serverKey, "server private key");
      chain = readCertificates(serverPem, "server certificate chain");
    } catch (IOException | GeneralSecurityException e) {
      // Both files are ours to regenerate; a damaged pair is simply reissued.
      return Optional.empty();
    }
    X509Certificate server = chain.get(0);
    Instant notAfter = server.getNotAfter().toInstant();
    boolean usable =
        chain.size() == 2
            && chain.get(1).equals(ca.certificate())
            && isSignedBy(server, ca.certificate().getPublicKey())
            && !now.isBefore(server.getNotBefore().toInstant())
            && now.plus(RENEW_BEFORE).isBefore(notAfter)
            && coversNames(server, dns, ips)
            && keyMatches(key, server.getPublicKey());
    return usable ? Optional.of(server) : Optional.empty();
  }

  private static X509Certificate issueServer(
      Path serverPem, Path serverKey, Authority ca, List<String> dns, List<byte[]> ips, Instant now)
      throws IOException, GeneralSecurityException {
    KeyPair pair = generateKeyPair();
    Instant notBefore = now.minus(BACKDATE);
    Instant notAfter = notBefore.plus(SERVER_VALIDITY);
    Instant caNotAfter = ca.certificate().getNotAfter().toInstant();
    if (notAfter.isAfter(caNotAfter)) {
      notAfter = caNotAfter;
    }
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, "Bulwark Server").build();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            ca.certificate(),
            randomSerial(),
            Date.from(notBefore),
            Date.from(notAfter),
            subject,
            pair.getPublic());
    List<GeneralName> names = new ArrayList<>();
    for (String name : dns) {
      names.add(new GeneralName(GeneralName.dNSName, name));
    }
    for (byte[] ip : ips) {
      names.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(ip)));
    }
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    builder
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
        .addExtension(
            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
        .addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(names.toArray(new GeneralName[0])))
        .addExtension(
            Extension.authorityKeyIdentifier,
            false,
            extensions.createAuthorityKeyIdentifier(ca.certificate().getPublicKey()))
        .addExtension(
            Extension.subjectKeyIdentifier,
            false,
            extensions.createSubjectKeyIdentifier(pair.getPublic()));
    X509Certificate certificate = sign(builder, ca.key(), ca.certificate().getPublicKey());

    byte[] leafPem = Pem.encode(CERTIFICATE_PEM, certificate.getEncoded());
    byte[] caPem = Pem.encode(CERTIFICATE_PEM, ca.certificate().getEncoded());
    byte[] chain = Arrays.copyOf(leafPem, leafPem.length + caPem.length);
    System.arraycopy(caPem, 0, chain, leafPem.length, caPem.length);
    // Key first: a crash in between leaves a certificate that does not match its key, which the
    // next start detects and reissues.
    writePrivateKey(serverKey, pair.getPrivate(), true);
    SecureFiles.writePrivate(serverPem, chain, true);
    return certificate;
  }

  private static boolean coversNames(
      X509Certificate certificate, List<String> dns, List<byte[]> ips) {
    byte[] extension = certificate.getExtensionValue(Extension.subjectAlternativeName.getId());
    if (extension == null) {
      return false;
    }
    Set<String> presentDns = new LinkedHashSet<>();
    List<byte[]> presentIps = new ArrayList<>();
    try {
      GeneralNames names =
          GeneralNames.getInstance(JcaX509ExtensionUtils.parseExtensionValue(extension));
      for (GeneralName name : names.getNames()) {
        if (name.getTagNo() == GeneralName.dNSName) {
          presentDns.add(((ASN1String) name.getName()).getString().toLowerCase(Locale.ROOT));
        } else if (name.getTagNo() == GeneralName.iPAddress) {
          presentIps.add(ASN1OctetString.getInstance(name.getName()).getOctets());
        }
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    if (!presentDns.containsAll(dns)) {
      return false;
    }
    for (byte[] ip : ips) {
      if (presentIps.stream().noneMatch(present -> Arrays.equals(present, ip))) {
        return false;
      }
    }
    return true;
  }

  // ---- inputs ----

  private static List<String> normalizeDnsNames(List<String> dnsNames) {
    Set<String> names = new LinkedHashSet<>();
    for (String name : dnsNames) {
      String normalized = name.toLowerCase(Locale.ROOT);
      if (!DNS_NAME.matcher(normalized).matches()) {
        throw new IllegalArgumentException("not a valid DNS name for a certificate");
      }
      names.add(normalized);
    }
    return List.copyOf(names);
  }

  private static List<byte[]> parseIpAddresses(List<String> ipAddresses) {
    List<byte[]> addresses = new ArrayList<>();
    for (String literal : ipAddresses) {
      // Validate first: InetAddress would resolve anything that is not a literal through DNS.
      if (!IPAddress.isValid(literal)) {
        throw new IllegalArgumentException("not an IPv4 or IPv6 address literal");
      }
      byte[] octets =
          ASN1OctetString.getInstance(new GeneralName(GeneralName.iPAddress, literal).getName())
              .getOctets();
      if (addresses.stream().noneMatch(a -> Arrays.equals(a, octets))) {
        addresses.add(octets);
      }
    }
    return addresses;
  }

  // ---- keys, certificates and files ----

  private static KeyPair generateKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static BigInteger randomSerial() {
    byte[] bytes = new byte[16];
    BigInteger serial;
    do {
      RANDOM.nextBytes(bytes);
      serial = new BigInteger(1, bytes);
    } while (serial.signum() == 0);
    return serial;
  }

  private static X509Certificate sign(
      X509v3CertificateBuilder builder, PrivateKey issuerKey, PublicKey issuerPublicKey)
      throws GeneralSecurityException {
    ContentSigner signer;
    try {
      signer =
          new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).setSecureRandom(RANDOM).build(issuerKey);
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot create a certificate signer", e);
    }
    X509Certificate certificate =
        new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    certificate.verify(issuerPublicKey);
    return certificate;
  }

  private static boolean isSignedBy(X509Certificate certificate, PublicKey issuerKey) {
    try {
      certificate.verify(issuerKey);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Whether {@code key} is the private half of {@code publicKey}, shown by a signature. */
  private static boolean keyMatches(PrivateKey key, PublicKey publicKey) {
    try {
      byte[] challenge = new byte[32];
      RANDOM.nextBytes(challenge);
      Signature signer = Signature.getInstance(SIGNATURE_ALGORITHM);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(SIGNATURE_ALGORITHM);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static void writePrivateKey(Path file, PrivateKey key, boolean replace)
      throws IOException {
    byte[] der = key.getEncoded();
    byte[] pem = Pem.encode(PRIVATE_KEY_PEM, der);
    try {
      SecureFiles.writePrivate(file, pem, replace);
    } finally {
      Arrays.fill(der, (byte) 0);
      Arrays.fill(pem, (byte) 0);
    }
  }

  private static PrivateKey readPrivateKey(Path file, String what)
      throws IOException, GeneralSecurityException {
    byte[] content = BoundedFiles.readPrivate(file, MAX_PEM_BYTES, what);
    byte[] der = null;
    try {
      der = Pem.decodeSingle(PRIVATE_KEY_PEM, content);
      return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IllegalArgumentException | InvalidKeySpecException e) {
      throw new GeneralSecurityException(what + " " + file + " is not a PEM PKCS#8 EC private key");
    } finally {
      Arrays.fill(content, (byte) 0);
      if (der != null) {
        Arrays.fill(der, (byte) 0);
      }
    }
  }

  private static List<X509Certificate> readCertificates(Path file, String what)
      throws IOException, GeneralSecurityException {
    byte[] content = BoundedFiles.read(file, MAX_PEM_BYTES, what);
    Collection<? extends Certificate> parsed;
    try {
      parsed =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(content));
    } catch (CertificateException e) {
      throw new GeneralSecurityException(what + " " + file + " is not a PEM certificate file", e);
    }
    List<X509Certificate> certificates = new ArrayList<>();
    for (Certificate certificate : parsed) {
      if (!(certificate instanceof X509Certificate x509)) {
        throw new GeneralSecurityException(what + " " + file + " holds a non-X.509 certificate");
      }
      certificates.add(x509);
    }
    if (certificates.isEmpty()) {
      throw new GeneralSecurityException(what + " " + file + " holds no certificate");
    }
    return certificates;
  }
}
