package io.bulwark.signing;

import io.bulwark.core.BulwarkException;
import io.bulwark.core.Digests;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.Strings;
import io.bulwark.signing.internal.Dsse;
import io.bulwark.signing.internal.OmsCodec;
import io.bulwark.signing.internal.SigstoreKeyless;
import io.bulwark.signing.internal.SigstoreTrustedRoot;
import io.bulwark.signing.internal.StrictSignatures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
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
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Verifies an OMS signature bundle (Sigstore bundle v0.3 with a DSSE envelope) over a model on
 * disk, or over one artifact known by its digest, against one public key, a set of certificate
 * authorities, or (Sigstore keyless) a pinned trusted root with an expected identity and issuer.
 *
 * <p>{@link #verify} returns only if all of these hold, and otherwise throws {@link
 * VerificationException} naming the first that failed: the bundle is well formed and within {@link
 * SigningLimits}; the envelope has one signature, of payload type {@code
 * application/vnd.in-toto+json}; the signature is strictly encoded and valid over the DSSE PAE
 * under the configured key, or under the leaf certificate of the bundle's chain, which must build
 * with PKIX (now, no revocation check) to one of the configured authorities and allow digital
 * signatures and code signing; the statement has the {@code https://model_signing/signature/v1.0}
 * predicate with the {@code files}/{@code sha256} serialisation; and the manifest computed from the
 * model now has exactly the same files with the same digests, and the same subject digest.
 *
 * <p>The files left out of the computed manifest are the caller's ignore paths, the signature file
 * itself when it lies inside the model, version-control files at the top of the model, and the
 * {@code ignore_paths} the signer recorded in the signed statement (relative to the model; any that
 * would leave the model are refused).
 *
 * <p>The legacy format of model_signing before v0.3 (predicate {@code
 * https://model_signing/Digests/v0.1}, whose DSSE encoding was not standard) is refused with
 * "unsupported legacy format": re-sign such models with a current tool.
 *
 * <p>A Sigstore keyless verifier ({@link #forSigstore}) works offline from a pinned trusted root
 * and, instead of a configured key or CA, requires: exactly one Rekor entry whose signed entry
 * timestamp verifies with the key of the Rekor log it names (over the canonical entry, so the
 * integrated time and log index are authentic), whose inclusion proof leads to the root hash of a
 * checkpoint signed by that log, and whose body (kind {@code dsse} 0.0.1 or {@code intoto} 0.0.2)
 * records this envelope's payload hash, signature and certificate; any RFC 3161 timestamps signed
 * by a timestamp authority of the trusted root over the signature; every signing time (integrated
 * time, timestamps) within the leaf certificate's validity; the leaf chaining to a Fulcio CA of the
 * trusted root valid at the integrated time, with an embedded SCT that verifies with a CT log key
 * of the trusted root, and allowing code signing; its email or URI SAN equal to the expected
 * identity and its OIDC issuer extension ({@code 1.3.6.1.4.1.57264.1.8}, else the legacy {@code
 * .1.1}) equal to the expected issuer; then the DSSE signature under the leaf key and the statement
 * checks above. The certificate chain is checked at the integrated time, not now, since Fulcio
 * certificates live for minutes. Anything missing fails with a reason starting {@code keyless:}.
 *
 * <p>{@link #verifyArtifact} verifies a bundle over one artifact known only by its SHA-256, for a
 * server that never writes the artifact to disk.
 */
public final class ModelVerifier {
  private static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
  private static final int MAX_CHAIN = 10;

  /** The largest trusted root read by {@link #forSigstore}. */
  public static final int MAX_TRUSTED_ROOT_BYTES = SigstoreTrustedRoot.MAX_BYTES;

  private final @Nullable PublicKey key;
  private final Set<TrustAnchor> anchors;
  private final List<X509Certificate> anchorCertificates;
  private final @Nullable SigstoreKeyless keyless;
  private final SigningLimits limits;

  private ModelVerifier(
      @Nullable PublicKey key,
      List<X509Certificate> authorities,
      @Nullable SigstoreKeyless keyless,
      SigningLimits limits) {
    this.key = key;
    this.keyless = keyless;
    this.anchorCertificates = List.copyOf(authorities);
    Set<TrustAnchor> a = new HashSet<>();
    for (X509Certificate c : authorities) {
      a.add(new TrustAnchor(c, null));
    }
    this.anchors = Set.copyOf(a);
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** A verifier that accepts signatures made by the private key of {@code key}. */
  public static ModelVerifier forKey(PublicKey key) {
    return forKey(key, SigningLimits.defaults());
  }

  public static ModelVerifier forKey(PublicKey key, SigningLimits limits) {
    return new ModelVerifier(Objects.requireNonNull(key, "key"), List.of(), null, limits);
  }

  /** A verifier that accepts certificate-form bundles whose chain leads to one of {@code cas}. */
  public static ModelVerifier forCertificateAuthorities(List<X509Certificate> cas) {
    return forCertificateAuthorities(cas, SigningLimits.defaults());
  }

  public static ModelVerifier forCertificateAuthorities(
      List<X509Certificate> cas, SigningLimits limits) {
    if (cas.isEmpty()) {
      throw new IllegalArgumentException("at least one certificate authority is needed");
    }
    return new ModelVerifier(null, cas, null, limits);
  }

  /**
   * A verifier of Sigstore keyless bundles, offline, against the trusted root in file {@code
   * trustedRoot} (a {@code trusted_root.json}, or a client trust config holding one, of at most
   * {@link #MAX_TRUSTED_ROOT_BYTES}), accepting only certificates issued to exactly {@code
   * identity} (email or URI) by exactly the OIDC issuer {@code issuer}.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if the trusted root is too large or malformed
   */
  public static ModelVerifier forSigstore(Path trustedRoot, String identity, String issuer)
      throws IOException {
    byte[] json;
    try (InputStream in = Files.newInputStream(trustedRoot)) {
      json = in.readNBytes(MAX_TRUSTED_ROOT_BYTES + 1);
    }
    return forSigstore(json, identity, issuer, SigningLimits.defaults());
  }

  /** As {@link #forSigstore(Path, String, String)}, from the trusted root's JSON bytes. */
  public static ModelVerifier forSigstore(
      byte[] trustedRootJson, String identity, String issuer, SigningLimits limits) {
    SigstoreTrustedRoot root = SigstoreTrustedRoot.parse(trustedRootJson);
    return new ModelVerifier(null, List.of(), new SigstoreKeyless(root, identity, issuer), limits);
  }

  /**
   * Verifies the bundle in file {@code signature} over {@code model}.
   *
   * @throws VerificationException if the signature does not verify, with the reason
   * @throws IOException if the signature or the model cannot be read
   */
  public VerifiedModel verify(Path model, Path signature, Collection<Path> ignorePaths)
      throws VerificationException, IOException {
    byte[] bundle;
    try (InputStream in = Files.newInputStream(signature, LinkOption.NOFOLLOW_LINKS)) {
      bundle = in.readNBytes(limits.maxBundleBytes() + 1);
    }
    List<Path> ignored = new ArrayList<>(ignorePaths);
    ignored.add(signature);
    return verify(model, bundle, ignored);
  }

  /** Verifies {@code bundle} over {@code model}; see {@link #verify(Path, Path, Collection)}. */
  public VerifiedModel verify(Path model, byte[] bundle, Collection<Path> ignorePaths)
      throws VerificationException, IOException {
    Signed signed = checkBundle(bundle, null);
    ModelManifest actual = computeManifest(model, ignorePaths, signed.statement());
    compare(signed.statement(), actual);
    return new VerifiedModel(actual, signed.signer());
  }

  /**
   * Verifies {@code bundle} over a single artifact whose SHA-256 is {@code sha256Hex}, with the
   * same signature checks as {@link #verify(Path, byte[], Collection)}. The signed statement must
   * list exactly one resource, whose digest is {@code sha256Hex}, and its subject digest must be
   * that of the one-resource manifest; the signer's ignore paths play no part.
   *
   * @throws VerificationException if the bundle does not verify or does not sign this artifact
   * @throws IllegalArgumentException if {@code sha256Hex} is not 64 hex digits
   */
  public VerifiedModel verifyArtifact(byte[] bundle, String sha256Hex)
      throws VerificationException {
    return verifyArtifact(bundle, sha256Hex, null);
  }

  /**
   * As {@link #verifyArtifact(byte[], String)}, validating a certificate chain as of {@code
   * validAt} instead of now: for checking again, later, a signature that was accepted at {@code
   * validAt}, so that a signing certificate that has expired since does not disown what it signed
   * while it was valid. Keyless bundles are always checked at their logged signing time.
   */
  public VerifiedModel verifyArtifact(byte[] bundle, String sha256Hex, @Nullable Instant validAt)
      throws VerificationException {
    String digest = sha256Hex.toLowerCase(Locale.ROOT);
    if (!ModelManifest.isSha256Hex(digest)) {
      throw new IllegalArgumentException("the artifact digest must be 64 hex digits");
    }
    Signed signed = checkBundle(bundle, validAt);
    OmsCodec.Statement statement = signed.statement();
    if (statement.resources().size() != 1) {
      throw new VerificationException(
          "the signature covers "
              + statement.resources().size()
              + " files, but exactly one artifact is verified");
    }
    ModelManifest.Resource resource = statement.resources().get(0);
    if (!MessageDigest.isEqual(
        resource.sha256().getBytes(StandardCharsets.US_ASCII),
        digest.getBytes(StandardCharsets.US_ASCII))) {
      throw new VerificationException("the artifact's digest is not the signed digest");
    }
    ModelManifest manifest = new ModelManifest(statement.subjectName(), statement.resources());
    if (!MessageDigest.isEqual(
        statement.subjectDigest().getBytes(StandardCharsets.US_ASCII),
        manifest.subjectDigest().getBytes(StandardCharsets.US_ASCII))) {
      throw new VerificationException("the subject digest does not match the signed file");
    }
    return new VerifiedModel(manifest, signed.signer());
  }

  /** A statement whose signature verified, and who signed it. */
  private record Signed(OmsCodec.Statement statement, String signer) {}

  private Signed checkBundle(byte[] bundle, @Nullable Instant validAt)
      throws VerificationException {
    if (bundle.length > limits.maxBundleBytes()) {
      throw new VerificationException(
          "the signature bundle is larger than " + limits.maxBundleBytes() + " bytes");
    }
    OmsCodec.Bundle parsed = OmsCodec.parseBundle(bundle);
    if (!parsed.payloadType().equals(Dsse.IN_TOTO_PAYLOAD_TYPE)) {
      throw new VerificationException(
          "unsupported DSSE payload type " + Strings.printable(parsed.payloadType()));
    }
    // The statement is parsed before the signature check only to name the legacy format (whose
    // signatures cannot verify under standard DSSE); nothing in it is used until it is verified.
    OmsCodec.Statement statement = OmsCodec.parseStatement(parsed.payload(), limits.maxFiles());
    if (statement.predicateType().equals(OmsCodec.LEGACY_PREDICATE_TYPE)) {
      throw new VerificationException(
          "unsupported legacy format: model_signing before v0.3 (predicate "
              + OmsCodec.LEGACY_PREDICATE_TYPE
              + "); re-sign the model");
    }
    String signer;
    PublicKey verificationKey;
    SigstoreKeyless sigstore = keyless;
    if (sigstore == null && parsed.transparencyEvidence()) {
      // Evidence that would go unread: the bundle is keyless, or was edited.
      throw new VerificationException(
          "the bundle carries transparency-log entries or timestamps, which only keyless"
              + " verification reads; verify it with --trust-root, --identity and --issuer");
    }
    if (key != null) {
      verificationKey = key;
      checkNamesTheKey(parsed, key);
      signer = "key sha256:" + Digests.sha256Hex(key.getEncoded());
    } else if (sigstore != null) {
      SigstoreKeyless.Signer s = sigstore.verify(bundle, parsed);
      verificationKey = s.key();
      signer = s.description();
    } else {
      X509Certificate leaf = checkChain(parsed.certificates(), validAt);
      verificationKey = leaf.getPublicKey();
      signer = leaf.getSubjectX500Principal().getName();
    }
    try {
      StrictSignatures.verify(
          verificationKey, Dsse.pae(parsed.payloadType(), parsed.payload()), parsed.signature());
    } catch (GeneralSecurityException e) {
      throw new VerificationException("invalid signature: " + e.getMessage(), e);
    }
    return new Signed(statement, signer);
  }

  /**
   * A key-form bundle may name its key (a hint, or the key itself in versions before 1.1) and its
   * DSSE signature may carry a key id; none of them is signed, so each must agree with the key
   * given to verify, or the bundle has been changed or was made for another key.
   */
  private static void checkNamesTheKey(OmsCodec.Bundle bundle, PublicKey key)
      throws VerificationException {
    String hint = OmsCodec.keyHint(key);
    if (!bundle.keyHint().isEmpty() && !bundle.keyHint().equals(hint)) {
      throw new VerificationException(
          "the bundle's public key hint names another key than the one given to verify");
    }
    if (!bundle.keyId().isEmpty() && !bundle.keyId().equals(hint)) {
      throw new VerificationException(
          "the DSSE signature's keyid names another key than the one given to verify");
    }
    if (bundle.embeddedKey().length > 0) {
      // DER as the Sigstore bundle defines it, or PEM text as model_signing 0.3 to 1.0 wrote.
      byte[] embedded = bundle.embeddedKey();
      String text = new String(embedded, StandardCharsets.US_ASCII);
      if (text.startsWith("-----BEGIN")) {
        try {
          embedded = SigningKeys.publicKey(text).getEncoded();
        } catch (InvalidRequestException e) {
          throw new VerificationException("malformed bundle: publicKey.rawBytes is not a key", e);
        }
      }
      if (!MessageDigest.isEqual(embedded, key.getEncoded())) {
        throw new VerificationException(
            "the bundle embeds another public key than the one given to verify");
      }
    }
  }

  private X509Certificate checkChain(List<byte[]> encoded, @Nullable Instant validAt)
      throws VerificationException {
    if (encoded.isEmpty()) {
      throw new VerificationException(
          "the bundle has no certificate, but a CA was given to verify");
    }
    if (encoded.size() > MAX_CHAIN) {
      throw new VerificationException("the certificate chain is longer than " + MAX_CHAIN);
    }
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (byte[] der : encoded) {
        chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
      }
    } catch (CertificateException | ClassCastException e) {
      throw new VerificationException("malformed certificate in the bundle", e);
    }
    // A chain that ends with the anchor itself builds the same path without it.
    while (chain.size() > 1 && anchorCertificates.contains(chain.get(chain.size() - 1))) {
      chain.remove(chain.size() - 1);
    }
    X509Certificate leaf = chain.get(0);
    try {
      CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(chain);
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      if (validAt != null) {
        params.setDate(java.util.Date.from(validAt));
      }
      CertPathValidator.getInstance("PKIX").validate(path, params);
    } catch (GeneralSecurityException e) {
      throw new VerificationException(
          "the signing certificate is not trusted: "
              + Strings.printable(String.valueOf(e.getMessage())),
          e);
    }
    boolean[] usage = leaf.getKeyUsage();
    if (usage != null && (usage.length == 0 || !usage[0])) {
      throw new VerificationException("the signing certificate does not allow digital signatures");
    }
    List<String> extended;
    try {
      extended = leaf.getExtendedKeyUsage();
    } catch (CertificateException e) {
      throw new VerificationException("malformed extended key usage in the signing certificate", e);
    }
    if (extended == null || !extended.contains(CODE_SIGNING)) {
      throw new VerificationException("the signing certificate does not allow code signing");
    }
    return leaf;
  }

  private ModelManifest computeManifest(
      Path model, Collection<Path> ignorePaths, OmsCodec.Statement statement)
      throws VerificationException, IOException {
    Path root = model.toAbsolutePath().normalize();
    List<Path> ignored = new ArrayList<>(ignorePaths);
    if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      for (String p : statement.ignorePaths()) {
        Path resolved;
        try {
          resolved = root.resolve(p).normalize();
        } catch (RuntimeException e) {
          throw new VerificationException("malformed ignore path in the statement", e);
        }
        if (p.isEmpty() || !resolved.startsWith(root) || resolved.equals(root)) {
          throw new VerificationException(
              "an ignore path in the statement leaves the model: " + Strings.printable(p));
        }
        ignored.add(resolved);
      }
    }
    try {
      return ModelManifest.compute(root, ignored, limits);
    } catch (BulwarkException e) {
      throw new VerificationException("the model cannot be verified: " + e.getMessage(), e);
    }
  }

  private static void compare(OmsCodec.Statement statement, ModelManifest actual)
      throws VerificationException {
    Map<String, String> signed = new HashMap<>();
    for (ModelManifest.Resource r : statement.resources()) {
      if (signed.put(r.name(), r.sha256()) != null) {
        throw new VerificationException(
            "the statement lists a file twice: " + Strings.printable(r.name()));
      }
    }
    Set<String> seen = new HashSet<>();
    for (ModelManifest.Resource r : actual.resources()) {
      String expected = signed.get(r.name());
      if (expected == null) {
        throw new VerificationException(
            "file not covered by the signature (added or renamed): " + Strings.printable(r.name()));
      }
      if (!MessageDigest.isEqual(
          expected.getBytes(StandardCharsets.US_ASCII),
          r.sha256().getBytes(StandardCharsets.US_ASCII))) {
        throw new VerificationException("file changed: " + Strings.printable(r.name()));
      }
      seen.add(r.name());
    }
    for (String name : signed.keySet()) {
      if (!seen.contains(name)) {
        throw new VerificationException(
            "signed file missing (removed or renamed): " + Strings.printable(name));
      }
    }
    if (!MessageDigest.isEqual(
        statement.subjectDigest().getBytes(StandardCharsets.US_ASCII),
        actual.subjectDigest().getBytes(StandardCharsets.US_ASCII))) {
      throw new VerificationException("the subject digest does not match the model's manifest");
    }
  }
}
