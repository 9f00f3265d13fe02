package io.bulwark.server.internal;

import io.bulwark.core.ConflictException;
import io.bulwark.core.ForbiddenException;
import io.bulwark.core.ModelNames;
import io.bulwark.core.NamespaceTrust;
import io.bulwark.core.SecureFiles;
import io.bulwark.core.SignerTrust;
import io.bulwark.core.SigningPolicyConfig;
import io.bulwark.core.Strings;
import io.bulwark.signing.ModelVerifier;
import io.bulwark.signing.SigningKeys;
import io.bulwark.signing.TrustedSigners;
import io.bulwark.signing.VerificationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a model version's signature is acceptable for its namespace: at push, and again
 * every time the version is loaded. Built once at start from {@link SigningPolicyConfig}; every
 * trust file is read and parsed then, so a broken file stops the start rather than a push.
 */
public final class SignaturePolicy {
  /** Largest signature bundle accepted with a push. */
  public static final int MAX_BUNDLE_BYTES = 1024 * 1024;

  private static final int MAX_TRUST_FILE_BYTES = 1024 * 1024;

  private record Compiled(boolean allowUnsigned, @Nullable TrustedSigners signers) {}

  private final SigningPolicyConfig config;
  private final Map<String, Compiled> namespaces;
  private final Map<String, Compiled> models;
  private final Compiled fallback;

  private SignaturePolicy(
      SigningPolicyConfig config,
      Map<String, Compiled> namespaces,
      Map<String, Compiled> models,
      Compiled fallback) {
    this.config = config;
    this.namespaces = Map.copyOf(namespaces);
    this.models = Map.copyOf(models);
    this.fallback = fallback;
  }

  /**
   * Reads every trust file the configuration names.
   *
   * @throws IOException naming the file that cannot be read or parsed
   */
  public static SignaturePolicy load(SigningPolicyConfig config) throws IOException {
    Map<String, Compiled> compiled = new HashMap<>();
    Compiled fallback = new Compiled(false, null);
    for (Map.Entry<String, NamespaceTrust> e : config.namespaces().entrySet()) {
      Compiled c = compile(e.getKey(), e.getValue());
      if (e.getKey().equals(SigningPolicyConfig.ANY_NAMESPACE)) {
        fallback = c;
      } else {
        compiled.put(e.getKey(), c);
      }
    }
    Map<String, Compiled> models = new HashMap<>();
    for (Map.Entry<String, NamespaceTrust> e : config.models().entrySet()) {
      models.put(e.getKey(), compile("model " + e.getKey(), e.getValue()));
    }
    return new SignaturePolicy(config, compiled, models, fallback);
  }

  private static Compiled compile(String namespace, NamespaceTrust trust) throws IOException {
    List<ModelVerifier> verifiers = new ArrayList<>();
    for (SignerTrust s : trust.signers()) {
      verifiers.add(verifier(namespace, s));
    }
    return new Compiled(
        trust.allowUnsigned(), verifiers.isEmpty() ? null : new TrustedSigners(verifiers));
  }

  private static ModelVerifier verifier(String namespace, SignerTrust s) throws IOException {
    try {
      return switch (s) {
        case SignerTrust.PublicKey k -> ModelVerifier.forKey(SigningKeys.publicKey(pem(k.file())));
        case SignerTrust.CertificateAuthorities ca ->
            ModelVerifier.forCertificateAuthorities(SigningKeys.certificates(pem(ca.file())));
        case SignerTrust.Sigstore ks ->
            ModelVerifier.forSigstore(ks.trustedRoot(), ks.identity(), ks.issuer());
      };
    } catch (RuntimeException e) {
      throw new IOException(
          "model_signing: namespace '"
              + namespace
              + "': a trusted signer cannot be read: "
              + Strings.printable(String.valueOf(e.getMessage())),
          e);
    }
  }

  private static String pem(Path file) throws IOException {
    return new String(
        SecureFiles.readLimited(file, MAX_TRUST_FILE_BYTES), StandardCharsets.US_ASCII);
  }

  /** The namespaces that accept unsigned models, for the warning at start. */
  public List<String> namespacesAllowingUnsigned() {
    List<String> out = new ArrayList<>();
    config
        .sorted()
        .forEach(
            (ns, trust) -> {
              if (trust.allowUnsigned()) {
                out.add(ns);
              }
            });
    return out;
  }

  private Compiled forModel(String model) {
    Compiled own = models.get(model);
    return own != null ? own : namespaces.getOrDefault(ModelNames.namespace(model), fallback);
  }

  /**
   * Admits a pushed artifact's signature.
   *
   * @param bundle the OMS bundle pushed with the artifact, or null
   * @return who signed it, or null if it is unsigned and its namespace allows that
   * @throws ForbiddenException if it is unsigned where signatures are required, or its signature is
   *     not valid from a trusted signer of its namespace
   */
  public @Nullable String admit(String model, byte @Nullable [] bundle, String sha256) {
    return admit(model, bundle, sha256, null);
  }

  private @Nullable String admit(
      String model, byte @Nullable [] bundle, String sha256, @Nullable Instant validAt) {
    String namespace = ModelNames.namespace(model);
    Compiled c = forModel(model);
    if (bundle == null) {
      if (c.allowUnsigned()) {
        return null;
      }
      throw new ForbiddenException(
          "namespace '"
              + namespace
              + "' accepts only models signed by a trusted signer; push with a signature"
              + " (OpenSSF Model Signing bundle) or configure model_signing for the namespace");
    }
    TrustedSigners signers = c.signers();
    if (signers == null) {
      throw new ForbiddenException(
          "namespace '" + namespace + "' has no trusted signers configured in model_signing");
    }
    try {
      return signers.verifyArtifact(bundle, sha256, validAt).signer();
    } catch (VerificationException e) {
      throw new ForbiddenException(
          "the signature is not valid from a trusted signer of namespace '"
              + namespace
              + "': "
              + e.getMessage());
    }
  }

  /**
   * Checks a stored version again before it is loaded, against the signers trusted now; certificate
   * chains are validated as of the push, when the signature was accepted, so that a signing
   * certificate expiring later does not take its versions out of service.
   *
   * @throws ConflictException if it no longer meets its namespace's policy
   */
  public void verifyOnLoad(
      String model, String version, byte @Nullable [] bundle, String sha256, Instant pushedAt) {
    try {
      admit(model, bundle, sha256, pushedAt);
    } catch (ForbiddenException e) {
      throw new ConflictException(
          "model '" + model + "' version '" + version + "' cannot be loaded: " + e.getMessage());
    }
  }
}
