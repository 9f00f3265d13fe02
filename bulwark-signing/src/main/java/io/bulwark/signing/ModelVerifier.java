package io.bulwark.signing;

import io.bulwark.core.BulwarkException;
import io.bulwark.core.Strings;
import io.bulwark.signing.internal.Dsse;
import io.bulwark.signing.internal.OmsCodec;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Verifies an OMS signature bundle (Sigstore bundle v0.3 with a DSSE envelope) over a model on
 * disk, against either one public key or a set of certificate authorities.
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
 * <p>Sigstore keyless bundles (Fulcio certificate and Rekor entry) are not verified by this class;
 * with a key verifier their signature does not match, with a CA verifier their chain does not
 * build.
 */
public final class ModelVerifier {
  private static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
  private static final int MAX_CHAIN = 10;

  private final @Nullable PublicKey key;
  private final Set<TrustAnchor> anchors;
  private final List<X509Certificate> anchorCertificates;
  private final SigningLimits limits;

  private ModelVerifier(
      @Nullable PublicKey key, List<X509Certificate> authorities, SigningLimits limits) {
    this.key = key;
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
    return new ModelVerifier(Objects.requireNonNull(key, "key"), List.of(), limits);
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
    return new ModelVerifier(null, cas, limits);
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
    if (key != null) {
      verificationKey = key;
      signer = "key";
    } else {
      X509Certificate leaf = checkChain(parsed.certificates());
      verificationKey = leaf.getPublicKey();
      signer = leaf.getSubjectX500Principal().getName();
    }
    try {
      StrictSignatures.verify(
          verificationKey, Dsse.pae(parsed.payloadType(), parsed.payload()), parsed.signature());
    } catch (GeneralSecurityException e) {
      throw new VerificationException("invalid signature: " + e.getMessage(), e);
    }
    ModelManifest actual = computeManifest(model, ignorePaths, statement);
    compare(statement, actual);
    return new VerifiedModel(actual, signer);
  }

  private X509Certificate checkChain(List<byte[]> encoded) throws VerificationException {
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
