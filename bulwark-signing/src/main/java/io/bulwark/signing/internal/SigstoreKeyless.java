package io.bulwark.signing.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.core.Digests;
import io.bulwark.core.Strings;
import io.bulwark.signing.VerificationException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampToken;

/**
 * Verifies the Sigstore keyless material of a bundle offline, against a pinned {@link
 * SigstoreTrustedRoot}: one Rekor v1 entry (signed entry timestamp, inclusion proof and signed
 * checkpoint, a body of kind {@code dsse} or {@code intoto} that names this envelope's payload,
 * signature and certificate), optional RFC 3161 timestamps, the Fulcio leaf certificate (chain to a
 * CA valid at the signing time, validity covering every signing time, embedded SCT from a trusted
 * CT log, code signing usage) and the expected identity and OIDC issuer. It returns the leaf's key;
 * the caller verifies the DSSE signature with it. Every failure is a {@link VerificationException}
 * naming the missing or wrong piece.
 */
public final class SigstoreKeyless {
  static final String ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
  static final String ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";
  static final String SCT_LIST = "1.3.6.1.4.1.11129.2.4.2";
  static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
  static final int MAX_PROOF_HASHES = 64;
  static final int MAX_TIMESTAMPS = 8;
  static final int MAX_CHECKPOINT_BYTES = 16 * 1024;

  private final SigstoreTrustedRoot root;
  private final String identity;
  private final String issuer;

  /** The leaf key that must verify the DSSE signature, and who holds it. */
  public record Signer(PublicKey key, String description) {
    public Signer {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(description, "description");
    }
  }

  public SigstoreKeyless(SigstoreTrustedRoot root, String identity, String issuer) {
    this.root = Objects.requireNonNull(root, "root");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    if (identity.isEmpty() || issuer.isEmpty()) {
      throw new IllegalArgumentException("the expected identity and issuer must not be empty");
    }
  }

  /** Verifies everything but the DSSE signature itself; returns the key that must verify it. */
  public Signer verify(byte[] bundleJson, OmsCodec.Bundle bundle) throws VerificationException {
    if (bundle.certificates().isEmpty()) {
      throw new VerificationException("keyless: the bundle has no Fulcio certificate");
    }
    X509Certificate leaf = certificate(bundle.certificates().get(0));
    JsonNode material = OmsCodec.parseJson(bundleJson, "bundle").path("verificationMaterial");
    JsonNode entries = material.path("tlogEntries");
    if (!entries.isArray() || entries.isEmpty()) {
      throw new VerificationException("keyless: the bundle has no transparency log entry");
    }
    if (entries.size() != 1) {
      throw new VerificationException("keyless: the bundle must have exactly one tlog entry");
    }
    Instant integrated = checkTlogEntry(entries.get(0), bundle, leaf);
    List<Instant> times = new ArrayList<>();
    times.add(integrated);
    times.addAll(checkTimestamps(material.path("timestampVerificationData"), bundle.signature()));
    for (Instant t : times) {
      if (t.isBefore(leaf.getNotBefore().toInstant())
          || t.isAfter(leaf.getNotAfter().toInstant())) {
        throw new VerificationException(
            "keyless: the signing time " + t + " is outside the certificate's validity");
      }
    }
    X509Certificate issuerCert = checkChain(leaf, integrated);
    checkSct(leaf, issuerCert);
    checkUsage(leaf);
    String san = checkIdentity(leaf);
    String oidcIssuer = checkIssuer(leaf);
    return new Signer(leaf.getPublicKey(), san + " (issuer " + oidcIssuer + ")");
  }

  // ---- Rekor entry ----

  private Instant checkTlogEntry(JsonNode entry, OmsCodec.Bundle bundle, X509Certificate leaf)
      throws VerificationException {
    byte[] logId = base64(entry.path("logId").path("keyId"), "tlog entry logId");
    SigstoreTrustedRoot.Log log =
        SigstoreTrustedRoot.find(root.tlogs(), logId)
            .orElseThrow(
                () ->
                    new VerificationException(
                        "keyless: the tlog entry's log is not a Rekor log in the trusted root"));
    long logIndex = number(entry.path("logIndex"), "tlog entry logIndex");
    long integratedTime = number(entry.path("integratedTime"), "tlog entry integratedTime");
    byte[] body = base64(entry.path("canonicalizedBody"), "tlog entry canonicalizedBody");
    Instant integrated = Instant.ofEpochSecond(integratedTime);
    if (!log.validity().contains(integrated)) {
      throw new VerificationException(
          "keyless: the Rekor log key was not valid at the integrated time");
    }
    // The signed entry timestamp is what vouches for the integrated time and the log index.
    JsonNode promise = entry.path("inclusionPromise").path("signedEntryTimestamp");
    if (promise.isMissingNode()) {
      throw new VerificationException("keyless: the tlog entry has no signed entry timestamp");
    }
    byte[] set = base64(promise, "signed entry timestamp");
    String canonical =
        "{\"body\":\""
            + Base64.getEncoder().encodeToString(body)
            + "\",\"integratedTime\":"
            + integratedTime
            + ",\"logID\":\""
            + HexFormat.of().formatHex(logId)
            + "\",\"logIndex\":"
            + logIndex
            + "}";
    try {
      StrictSignatures.verify(log.key(), canonical.getBytes(StandardCharsets.UTF_8), set);
    } catch (GeneralSecurityException e) {
      throw new VerificationException(
          "keyless: the signed entry timestamp does not verify with the Rekor key", e);
    }
    checkInclusionProof(entry.path("inclusionProof"), body, log);
    checkBody(entry.path("kindVersion"), body, bundle, leaf);
    return integrated;
  }

  private static void checkInclusionProof(JsonNode proof, byte[] body, SigstoreTrustedRoot.Log log)
      throws VerificationException {
    if (!proof.isObject()) {
      throw new VerificationException("keyless: the tlog entry has no inclusion proof");
    }
    long index = number(proof.path("logIndex"), "inclusion proof logIndex");
    long size = number(proof.path("treeSize"), "inclusion proof treeSize");
    byte[] rootHash = base64(proof.path("rootHash"), "inclusion proof rootHash");
    JsonNode hashes = proof.path("hashes");
    if (!hashes.isArray() || hashes.size() > MAX_PROOF_HASHES) {
      throw new VerificationException("keyless: malformed inclusion proof hashes");
    }
    List<byte[]> path = new ArrayList<>();
    for (JsonNode h : hashes) {
      byte[] b = base64(h, "inclusion proof hash");
      if (b.length != 32) {
        throw new VerificationException("keyless: malformed inclusion proof hash");
      }
      path.add(b);
    }
    byte[] leafHash = sha256((byte) 0, body);
    if (!MessageDigest.isEqual(
        MerkleProofs.rootFromInclusion(index, size, leafHash, path), rootHash)) {
      throw new VerificationException(
          "keyless: the inclusion proof does not lead to its root hash");
    }
    JsonNode envelope = proof.path("checkpoint").path("envelope");
    if (!envelope.isTextual()) {
      throw new VerificationException("keyless: the inclusion proof has no signed checkpoint");
    }
    checkCheckpoint(envelope.textValue(), size, rootHash, log);
  }

  /** A signed note: origin, tree size, root hash, [other lines], blank line, signature lines. */
  private static void checkCheckpoint(
      String note, long size, byte[] rootHash, SigstoreTrustedRoot.Log log)
      throws VerificationException {
    if (note.length() > MAX_CHECKPOINT_BYTES) {
      throw new VerificationException("keyless: the checkpoint is too large");
    }
    int split = note.indexOf("\n\n");
    if (split < 0) {
      throw new VerificationException("keyless: malformed checkpoint");
    }
    String text = note.substring(0, split + 1);
    String[] lines = text.split("\n", -1);
    if (lines.length < 4) {
      throw new VerificationException("keyless: malformed checkpoint");
    }
    long noteSize;
    byte[] noteRoot;
    try {
      noteSize = Long.parseLong(lines[1]);
      noteRoot = Base64.getDecoder().decode(lines[2]);
    } catch (IllegalArgumentException e) {
      throw new VerificationException("keyless: malformed checkpoint", e);
    }
    if (noteSize != size || !MessageDigest.isEqual(noteRoot, rootHash)) {
      throw new VerificationException(
          "keyless: the checkpoint does not match the inclusion proof's tree");
    }
    byte[] signed = text.getBytes(StandardCharsets.UTF_8);
    byte[] hint = Arrays.copyOf(log.logId(), 4);
    for (String line : note.substring(split + 2).split("\n", -1)) {
      if (!line.startsWith("\u2014 ")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(line.substring(space + 1));
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (raw.length <= 4 || !Arrays.equals(Arrays.copyOf(raw, 4), hint)) {
        continue;
      }
      try {
        StrictSignatures.verify(log.key(), signed, Arrays.copyOfRange(raw, 4, raw.length));
        return;
      } catch (GeneralSecurityException e) {
        throw new VerificationException(
            "keyless: the checkpoint signature does not verify with the Rekor key", e);
      }
    }
    throw new VerificationException("keyless: the checkpoint has no signature by the Rekor log");
  }

  /** The entry body must describe this very envelope: payload hash, signature and certificate. */
  private static void checkBody(
      JsonNode kindVersion, byte[] bodyBytes, OmsCodec.Bundle bundle, X509Certificate leaf)
      throws VerificationException {
    JsonNode body = OmsCodec.parseJson(bodyBytes, "tlog entry body");
    String kind = kindVersion.path("kind").asText("");
    String version = kindVersion.path("version").asText("");
    if (!kind.equals(body.path("kind").asText())
        || !version.equals(body.path("apiVersion").asText())) {
      throw new VerificationException(
          "keyless: the tlog entry's kindVersion does not match its body");
    }
    JsonNode spec = body.path("spec");
    JsonNode payloadHash;
    JsonNode signatures;
    boolean doubleEncoded;
    String verifierField;
    if (kind.equals("dsse") && version.equals("0.0.1")) {
      payloadHash = spec.path("payloadHash");
      signatures = spec.path("signatures");
      doubleEncoded = false;
      verifierField = "verifier";
    } else if (kind.equals("intoto") && version.equals("0.0.2")) {
      JsonNode content = spec.path("content");
      payloadHash = content.path("payloadHash");
      signatures = content.path("envelope").path("signatures");
      doubleEncoded = true;
      verifierField = "publicKey";
    } else {
      throw new VerificationException(
          "keyless: unsupported tlog entry kind "
              + Strings.printable(kind)
              + " "
              + Strings.printable(version));
    }
    if (!payloadHash.path("algorithm").asText("").equals("sha256")
        || !MessageDigest.isEqual(
            payloadHash.path("value").asText("").getBytes(StandardCharsets.US_ASCII),
            HexFormat.of()
                .formatHex(sha256(bundle.payload()))
                .getBytes(StandardCharsets.US_ASCII))) {
      throw new VerificationException(
          "keyless: the tlog entry's payload hash is not this envelope's payload");
    }
    if (!signatures.isArray() || signatures.size() != 1) {
      throw new VerificationException("keyless: the tlog entry must record exactly one signature");
    }
    JsonNode s = signatures.get(0);
    byte[] sig = base64(s.path(doubleEncoded ? "sig" : "signature"), "tlog entry signature");
    if (doubleEncoded) {
      sig = decode(new String(sig, StandardCharsets.US_ASCII), "tlog entry signature");
    }
    if (!MessageDigest.isEqual(sig, bundle.signature())) {
      throw new VerificationException(
          "keyless: the tlog entry's signature is not this envelope's signature");
    }
    byte[] pem = base64(s.path(verifierField), "tlog entry verifier");
    if (!MessageDigest.isEqual(pemCertificate(pem), encoded(leaf))) {
      throw new VerificationException(
          "keyless: the tlog entry's certificate is not this bundle's certificate");
    }
  }

  // ---- RFC 3161 timestamps ----

  private List<Instant> checkTimestamps(JsonNode data, byte[] signature)
      throws VerificationException {
    JsonNode list = data.path("rfc3161Timestamps");
    if (list.isMissingNode()) {
      return List.of();
    }
    if (!list.isArray() || list.size() > MAX_TIMESTAMPS) {
      throw new VerificationException("keyless: malformed rfc3161Timestamps");
    }
    List<Instant> times = new ArrayList<>();
    for (JsonNode t : list) {
      times.add(checkTimestamp(base64(t.path("signedTimestamp"), "RFC 3161 timestamp"), signature));
    }
    return times;
  }

  private Instant checkTimestamp(byte[] encoded, byte[] signature) throws VerificationException {
    // Sigstore bundles carry the whole TimeStampResp (status and token), DER encoded.
    TimeStampToken token;
    try {
      TimeStampResponse response = new TimeStampResponse(encoded);
      if (response.getStatus() != PKIStatus.GRANTED
          && response.getStatus() != PKIStatus.GRANTED_WITH_MODS) {
        throw new VerificationException("keyless: the RFC 3161 timestamp was not granted");
      }
      token = response.getTimeStampToken();
    } catch (TSPException | IOException | RuntimeException e) {
      throw new VerificationException("keyless: malformed RFC 3161 timestamp", e);
    }
    if (token == null) {
      throw new VerificationException("keyless: the RFC 3161 response has no timestamp token");
    }
    String alg = token.getTimeStampInfo().getMessageImprintAlgOID().getId();
    String jca =
        switch (alg) {
          case "2.16.840.1.101.3.4.2.1" -> "SHA-256";
          case "2.16.840.1.101.3.4.2.2" -> "SHA-384";
          case "2.16.840.1.101.3.4.2.3" -> "SHA-512";
          default ->
              throw new VerificationException(
                  "keyless: unsupported RFC 3161 message imprint algorithm");
        };
    if (!MessageDigest.isEqual(
        digest(jca, signature), token.getTimeStampInfo().getMessageImprintDigest())) {
      throw new VerificationException(
          "keyless: the RFC 3161 timestamp is not over this envelope's signature");
    }
    Instant genTime = token.getTimeStampInfo().getGenTime().toInstant();
    for (SigstoreTrustedRoot.Authority tsa : root.timestampAuthorities()) {
      if (!tsa.validity().contains(genTime)) {
        continue;
      }
      try {
        // validate() checks the signer is this certificate, its timestamping usage and validity.
        token.validate(new JcaSimpleSignerInfoVerifierBuilder().build(tsa.chain().get(0)));
        return genTime;
      } catch (TSPException | OperatorCreationException | RuntimeException e) {
        // not this authority; try the next
      }
    }
    throw new VerificationException(
        "keyless: the RFC 3161 timestamp is not signed by a timestamp authority in the trusted root");
  }

  // ---- Fulcio certificate ----

  private X509Certificate checkChain(X509Certificate leaf, Instant signingTime)
      throws VerificationException {
    for (SigstoreTrustedRoot.Authority ca : root.certificateAuthorities()) {
      if (!ca.validity().contains(signingTime)) {
        continue;
      }
      List<X509Certificate> chain = ca.chain();
      X509Certificate anchor = chain.get(chain.size() - 1);
      List<X509Certificate> path = new ArrayList<>();
      path.add(leaf);
      path.addAll(chain.subList(0, chain.size() - 1));
      try {
        CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(signingTime));
        CertPathValidator.getInstance("PKIX").validate(certPath, params);
        return chain.size() > 1 ? chain.get(0) : anchor;
      } catch (GeneralSecurityException e) {
        // not this CA; try the next
      }
    }
    throw new VerificationException(
        "keyless: the certificate does not chain to a Fulcio CA in the trusted root valid at the"
            + " signing time");
  }

  /** At least one embedded SCT must verify with a CT log key from the trusted root. */
  private void checkSct(X509Certificate leaf, X509Certificate issuerCert)
      throws VerificationException {
    byte[] ext = leaf.getExtensionValue(SCT_LIST);
    if (ext == null) {
      throw new VerificationException("keyless: the certificate has no embedded SCT");
    }
    ByteBuffer list;
    byte[] tbs;
    try {
      byte[] inner = ASN1OctetString.getInstance(ext).getOctets();
      list = ByteBuffer.wrap(ASN1OctetString.getInstance(inner).getOctets());
      tbs = tbsWithoutSct(leaf);
    } catch (IOException | RuntimeException | CertificateException e) {
      throw new VerificationException("keyless: malformed SCT extension", e);
    }
    byte[] issuerKeyHash = sha256(issuerCert.getPublicKey().getEncoded());
    try {
      int total = Short.toUnsignedInt(list.getShort());
      if (total != list.remaining()) {
        throw new VerificationException("keyless: malformed SCT list");
      }
      while (list.hasRemaining()) {
        int len = Short.toUnsignedInt(list.getShort());
        ByteBuffer sct = list.slice(list.position(), len);
        list.position(list.position() + len);
        if (verifySct(sct, issuerKeyHash, tbs)) {
          return;
        }
      }
    } catch (RuntimeException e) {
      throw new VerificationException("keyless: malformed SCT list", e);
    }
    throw new VerificationException(
        "keyless: no embedded SCT verifies with a CT log key in the trusted root");
  }

  private boolean verifySct(ByteBuffer sct, byte[] issuerKeyHash, byte[] tbs) {
    int version = Byte.toUnsignedInt(sct.get());
    byte[] logId = new byte[32];
    sct.get(logId);
    long timestamp = sct.getLong();
    byte[] extensions = new byte[Short.toUnsignedInt(sct.getShort())];
    sct.get(extensions);
    sct.get(); // hash algorithm: implied by the log key
    sct.get(); // signature algorithm: implied by the log key
    byte[] signature = new byte[Short.toUnsignedInt(sct.getShort())];
    sct.get(signature);
    if (version != 0 || sct.hasRemaining()) {
      return false;
    }
    var log = SigstoreTrustedRoot.find(root.ctlogs(), logId);
    if (log.isEmpty() || !log.get().validity().contains(Instant.ofEpochMilli(timestamp))) {
      return false;
    }
    ByteArrayOutputStream signed = new ByteArrayOutputStream();
    signed.write(0); // sct_version v1
    signed.write(0); // certificate_timestamp
    signed.writeBytes(ByteBuffer.allocate(8).putLong(timestamp).array());
    signed.write(0);
    signed.write(1); // precert_entry
    signed.writeBytes(issuerKeyHash);
    signed.write((tbs.length >>> 16) & 0xff);
    signed.write((tbs.length >>> 8) & 0xff);
    signed.write(tbs.length & 0xff);
    signed.writeBytes(tbs);
    signed.write((extensions.length >>> 8) & 0xff);
    signed.write(extensions.length & 0xff);
    signed.writeBytes(extensions);
    try {
      StrictSignatures.verify(log.get().key(), signed.toByteArray(), signature);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The precertificate TBS the CT log signed: the leaf's TBS without the SCT list extension. */
  private static byte[] tbsWithoutSct(X509Certificate leaf)
      throws IOException, CertificateException {
    ASN1Sequence tbs = ASN1Sequence.getInstance(leaf.getTBSCertificate());
    ASN1EncodableVector out = new ASN1EncodableVector();
    ASN1ObjectIdentifier sct = new ASN1ObjectIdentifier(SCT_LIST);
    for (ASN1Encodable e : tbs) {
      if (e instanceof ASN1TaggedObject tagged && tagged.getTagNo() == 3) {
        Extensions extensions = Extensions.getInstance(tagged.getExplicitBaseObject());
        ASN1EncodableVector kept = new ASN1EncodableVector();
        for (ASN1ObjectIdentifier oid : extensions.getExtensionOIDs()) {
          if (!oid.equals(sct)) {
            Extension x = extensions.getExtension(oid);
            kept.add(x);
          }
        }
        out.add(new DERTaggedObject(true, 3, new DERSequence(kept)));
      } else {
        out.add(e);
      }
    }
    return new DERSequence(out).getEncoded(ASN1Encoding.DER);
  }

  private static void checkUsage(X509Certificate leaf) throws VerificationException {
    boolean[] usage = leaf.getKeyUsage();
    if (usage == null || usage.length == 0 || !usage[0]) {
      throw new VerificationException("keyless: the certificate does not allow digital signatures");
    }
    List<String> extended;
    try {
      extended = leaf.getExtendedKeyUsage();
    } catch (CertificateException e) {
      throw new VerificationException("keyless: malformed extended key usage", e);
    }
    if (extended == null || !extended.contains(CODE_SIGNING)) {
      throw new VerificationException("keyless: the certificate does not allow code signing");
    }
  }

  private String checkIdentity(X509Certificate leaf) throws VerificationException {
    Collection<List<?>> names;
    try {
      names = leaf.getSubjectAlternativeNames();
    } catch (CertificateException e) {
      throw new VerificationException("keyless: malformed subject alternative name", e);
    }
    List<String> found = new ArrayList<>();
    if (names != null) {
      for (List<?> n : names) {
        if (n.size() == 2
            && n.get(0) instanceof Integer type
            && (type == 1 || type == 6)
            && n.get(1) instanceof String value) {
          found.add(value);
        }
      }
    }
    if (found.isEmpty()) {
      throw new VerificationException("keyless: the certificate has no email or URI identity");
    }
    for (String value : found) {
      if (value.equals(identity)) {
        return value;
      }
    }
    throw new VerificationException(
        "keyless: the certificate's identity "
            + Strings.printable(String.join(", ", found))
            + " is not the expected identity "
            + Strings.printable(identity));
  }

  private String checkIssuer(X509Certificate leaf) throws VerificationException {
    String found;
    try {
      byte[] v2 = leaf.getExtensionValue(ISSUER_V2);
      byte[] v1 = leaf.getExtensionValue(ISSUER_V1);
      if (v2 != null) {
        ASN1Primitive value =
            ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(v2).getOctets());
        if (!(value instanceof ASN1String s)) {
          throw new VerificationException("keyless: malformed OIDC issuer extension");
        }
        found = s.getString();
      } else if (v1 != null) {
        found = new String(ASN1OctetString.getInstance(v1).getOctets(), StandardCharsets.UTF_8);
      } else {
        throw new VerificationException("keyless: the certificate has no OIDC issuer extension");
      }
    } catch (IOException | RuntimeException e) {
      throw new VerificationException("keyless: malformed OIDC issuer extension", e);
    }
    if (!found.equals(issuer)) {
      throw new VerificationException(
          "keyless: the certificate's OIDC issuer "
              + Strings.printable(found)
              + " is not the expected issuer "
              + Strings.printable(issuer));
    }
    return found;
  }

  // ---- helpers ----

  private static X509Certificate certificate(byte[] der) throws VerificationException {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | ClassCastException e) {
      throw new VerificationException("keyless: malformed certificate in the bundle", e);
    }
  }

  private static byte[] encoded(X509Certificate c) throws VerificationException {
    try {
      return c.getEncoded();
    } catch (CertificateException e) {
      throw new VerificationException("keyless: malformed certificate in the bundle", e);
    }
  }

  private static byte[] pemCertificate(byte[] pem) throws VerificationException {
    String text = new String(pem, StandardCharsets.US_ASCII).strip();
    String begin = "-----BEGIN CERTIFICATE-----";
    String end = "-----END CERTIFICATE-----";
    if (!text.startsWith(begin) || !text.endsWith(end)) {
      throw new VerificationException("keyless: the tlog entry's verifier is not a certificate");
    }
    String body = text.substring(begin.length(), text.length() - end.length());
    try {
      return Base64.getMimeDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new VerificationException("keyless: the tlog entry's verifier is not a certificate", e);
    }
  }

  private static long number(JsonNode node, String what) throws VerificationException {
    // Protobuf JSON writes int64 as a string; accept a plain number too.
    try {
      long v;
      if (node.isTextual()) {
        v = Long.parseLong(node.textValue());
      } else if (node.isIntegralNumber() && node.canConvertToLong()) {
        v = node.longValue();
      } else {
        throw new VerificationException("keyless: malformed or missing " + what);
      }
      if (v < 0) {
        throw new VerificationException("keyless: negative " + what);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new VerificationException("keyless: malformed " + what, e);
    }
  }

  private static byte[] base64(JsonNode node, String what) throws VerificationException {
    if (!node.isTextual()) {
      throw new VerificationException("keyless: missing " + what);
    }
    return decode(node.textValue(), what);
  }

  private static byte[] decode(String text, String what) throws VerificationException {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new VerificationException("keyless: malformed " + what + ": not base64", e);
    }
  }

  static byte[] sha256(byte[] data) {
    return digest("SHA-256", data);
  }

  static byte[] sha256(byte prefix, byte[] data) {
    MessageDigest d = sha256Digest();
    d.update(prefix);
    d.update(data);
    return d.digest();
  }

  static MessageDigest sha256Digest() {
    return Digests.sha256();
  }

  private static byte[] digest(String algorithm, byte[] data) {
    try {
      return MessageDigest.getInstance(algorithm).digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is missing from the JDK", e);
    }
  }
}
