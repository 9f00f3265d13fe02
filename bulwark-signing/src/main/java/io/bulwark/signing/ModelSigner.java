package io.bulwark.signing;

import io.bulwark.signing.internal.Dsse;
import io.bulwark.signing.internal.OmsCodec;
import io.bulwark.signing.internal.StrictSignatures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Signs a model into an OMS v1.0 bundle: a Sigstore bundle v0.3 whose DSSE envelope holds an
 * in-toto statement with the {@code https://model_signing/signature/v1.0} predicate over the {@link
 * ModelManifest} (files serialisation, SHA-256). The key form names the public key by a hint (the
 * SHA-256 of its PEM text, as the reference tool writes it); the certificate form carries the
 * chain, leaf first. Each signature is checked with the public key before it is returned, so a
 * private key that does not belong to the given public key or leaf certificate fails instead of
 * producing a bundle nobody can verify.
 */
public final class ModelSigner {
  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final List<X509Certificate> chain;

  private ModelSigner(PrivateKey privateKey, PublicKey publicKey, List<X509Certificate> chain) {
    this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
    this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
    this.chain = List.copyOf(chain);
  }

  /** A signer that writes key-form bundles. */
  public static ModelSigner withKey(PrivateKey privateKey, PublicKey publicKey) {
    return new ModelSigner(privateKey, publicKey, List.of());
  }

  /** A signer that writes certificate-form bundles; {@code chain} is leaf first. */
  public static ModelSigner withCertificateChain(
      PrivateKey privateKey, List<X509Certificate> chain) {
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("the certificate chain is empty");
    }
    return new ModelSigner(privateKey, chain.get(0).getPublicKey(), chain);
  }

  /**
   * Signs {@code model} (a directory or a single file), leaving out {@code ignorePaths} (relative
   * paths resolve against the working directory), and returns the bundle JSON.
   *
   * @throws GeneralSecurityException if the key cannot sign or does not match the public key
   * @throws IOException if the model cannot be read
   */
  public byte[] sign(Path model, Collection<Path> ignorePaths)
      throws IOException, GeneralSecurityException {
    ModelManifest manifest = ModelManifest.compute(model, ignorePaths);
    Path root = model.toAbsolutePath().normalize();
    List<String> recorded = new ArrayList<>();
    if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      for (Path p : ignorePaths) {
        Path abs = p.toAbsolutePath().normalize();
        if (abs.startsWith(root) && !abs.equals(root)) {
          List<String> parts = new ArrayList<>();
          root.relativize(abs).forEach(part -> parts.add(part.toString()));
          recorded.add(String.join("/", parts));
        }
      }
      recorded.addAll(ModelManifest.DEFAULT_IGNORED_NAMES);
    }
    return signManifest(manifest, recorded);
  }

  /**
   * Signs a single artifact known only by its name and SHA-256, as {@link #sign} would sign that
   * file (subject {@code fileName}, one resource {@code "."}), without reading it; the bundle
   * verifies with {@link ModelVerifier#verifyArtifact}.
   *
   * @throws GeneralSecurityException if the key cannot sign or does not match the public key
   * @throws IllegalArgumentException if {@code sha256Hex} is not 64 lowercase hex digits
   */
  public byte[] signArtifact(String fileName, String sha256Hex) throws GeneralSecurityException {
    ModelManifest manifest =
        new ModelManifest(fileName, List.of(new ModelManifest.Resource(".", sha256Hex)));
    return signManifest(manifest, List.of());
  }

  private byte[] signManifest(ModelManifest manifest, List<String> recorded)
      throws GeneralSecurityException {
    byte[] payload = OmsCodec.writeStatement(manifest, recorded);
    byte[] pae = Dsse.pae(Dsse.IN_TOTO_PAYLOAD_TYPE, payload);
    byte[] signature = StrictSignatures.sign(privateKey, pae);
    StrictSignatures.verify(publicKey, pae, signature);
    List<byte[]> certificates = new ArrayList<>();
    for (X509Certificate c : chain) {
      try {
        certificates.add(c.getEncoded());
      } catch (CertificateEncodingException e) {
        throw new GeneralSecurityException("a certificate cannot be encoded", e);
      }
    }
    return OmsCodec.writeBundle(payload, signature, certificates, OmsCodec.keyHint(publicKey));
  }
}
