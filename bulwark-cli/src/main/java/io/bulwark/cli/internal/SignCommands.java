package io.bulwark.cli.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.cli.Bulwark;
import io.bulwark.core.BulwarkException;
import io.bulwark.core.Strings;
import io.bulwark.signing.ModelSigner;
import io.bulwark.signing.ModelVerifier;
import io.bulwark.signing.SigningKeys;
import io.bulwark.signing.VerificationException;
import io.bulwark.signing.VerifiedModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark model sign} and {@code bulwark model verify}: OpenSSF Model Signing bundles,
 * offline. Verify exits 0 when the signature is valid, 3 with the reason when it is not, 2 on bad
 * usage (including unreadable keys and certificates).
 */
final class SignCommands {
  /** PEM files are small; anything larger is not a key file. */
  static final int MAX_PEM_BYTES = 1024 * 1024;

  private SignCommands() {}

  @Command(
      name = "sign",
      description =
          "Sign a model file or directory into an OpenSSF Model Signing (OMS v1.0) bundle with a"
              + " private key, optionally with its certificate chain.")
  static final class Sign implements Callable<Integer> {
    private final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Parameters(index = "0", paramLabel = "PATH", description = "A model file or directory.")
    @SuppressWarnings("NullAway.Init")
    private Path path;

    @Option(
        names = "--key",
        required = true,
        paramLabel = "KEY.pem",
        description = "Unencrypted private key (EC P-256/P-384/P-521, Ed25519 or RSA) in PEM.")
    @SuppressWarnings("NullAway.Init")
    private Path key;

    @Option(
        names = "--cert-chain",
        paramLabel = "CHAIN.pem",
        description =
            "Certificates in PEM, the signing certificate first: writes the certificate form.")
    private @Nullable Path certChain;

    @Option(
        names = "--ignore-paths",
        split = ",",
        paramLabel = "P",
        description = "Files or directories to leave out of the signature.")
    private List<Path> ignorePaths = new ArrayList<>();

    @Option(
        names = "--out",
        required = true,
        paramLabel = "SIG",
        description = "Where to write the bundle (JSON).")
    @SuppressWarnings("NullAway.Init")
    private Path out;

    Sign(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      requireExists(path);
      ModelSigner signer;
      try {
        KeyPair pair = SigningKeys.keyPair(readPem(key));
        Path chainFile = certChain;
        signer =
            chainFile == null
                ? ModelSigner.withKey(pair.getPrivate(), pair.getPublic())
                : ModelSigner.withCertificateChain(
                    pair.getPrivate(), SigningKeys.certificates(readPem(chainFile)));
      } catch (BulwarkException e) {
        throw CliException.usage(String.valueOf(e.getMessage()));
      }
      List<Path> ignored = new ArrayList<>(ignorePaths);
      ignored.add(out);
      byte[] bundle;
      try {
        bundle = signer.sign(path, ignored);
      } catch (GeneralSecurityException e) {
        throw CliException.usage("cannot sign with this key: " + String.valueOf(e.getMessage()));
      } catch (BulwarkException e) {
        throw CliException.usage(String.valueOf(e.getMessage()));
      } catch (IOException e) {
        throw CliException.failure("cannot read " + Strings.printable(path.toString()), e);
      }
      try {
        Files.write(out, bundle);
      } catch (IOException e) {
        throw CliException.failure("cannot write " + Strings.printable(out.toString()), e);
      }
      console.out().println("signed " + Terminal.safe(path.toString(), 256));
      return Bulwark.EXIT_OK;
    }
  }

  @Command(
      name = "verify",
      description =
          "Verify an OpenSSF Model Signing bundle over a model file or directory against a public"
              + " key, a CA, or (Sigstore keyless, offline) a trusted root with the expected"
              + " identity and OIDC issuer. Exit 0 valid, 3 invalid.")
  static final class Verify implements Callable<Integer> {
    private final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Parameters(index = "0", paramLabel = "PATH", description = "A model file or directory.")
    @SuppressWarnings("NullAway.Init")
    private Path path;

    @Option(
        names = "--signature",
        required = true,
        paramLabel = "SIG",
        description = "The bundle (model.sig).")
    @SuppressWarnings("NullAway.Init")
    private Path signature;

    @Option(names = "--key", paramLabel = "PUB.pem", description = "The signer's public key.")
    private @Nullable Path key;

    @Option(
        names = "--cert-chain",
        paramLabel = "CA.pem",
        description = "Trusted CA certificates; the bundle's chain must lead to one of them.")
    private @Nullable Path certChain;

    @Option(
        names = "--trust-root",
        paramLabel = "TRUSTED_ROOT.json",
        description =
            "Sigstore keyless: the pinned trusted root (Fulcio CAs, Rekor and CT log keys, TSAs);"
                + " needs --identity and --issuer.")
    private @Nullable Path trustRoot;

    @Option(
        names = "--identity",
        paramLabel = "ID",
        description = "Sigstore keyless: the signer's exact email or URI in the certificate.")
    private @Nullable String identity;

    @Option(
        names = "--issuer",
        paramLabel = "URL",
        description = "Sigstore keyless: the exact OIDC issuer that authenticated the signer.")
    private @Nullable String issuer;

    @Option(
        names = "--ignore-paths",
        split = ",",
        paramLabel = "P",
        description = "Files or directories to leave out, as when signing.")
    private List<Path> ignorePaths = new ArrayList<>();

    @Option(names = "--json", description = "Print the result as JSON.")
    private boolean json;

    Verify(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      Path keyFile = key;
      Path caFile = certChain;
      Path rootFile = trustRoot;
      int given = (keyFile == null ? 0 : 1) + (caFile == null ? 0 : 1) + (rootFile == null ? 0 : 1);
      if (given != 1) {
        throw CliException.usage("give exactly one of --key, --cert-chain and --trust-root");
      }
      String expectedIdentity = identity;
      String expectedIssuer = issuer;
      if (rootFile == null && (expectedIdentity != null || expectedIssuer != null)) {
        throw CliException.usage("--identity and --issuer go with --trust-root");
      }
      if (rootFile != null && (expectedIdentity == null || expectedIssuer == null)) {
        throw CliException.usage("--trust-root needs both --identity and --issuer");
      }
      requireExists(path);
      requireExists(signature);
      ModelVerifier verifier;
      try {
        if (keyFile != null) {
          verifier = ModelVerifier.forKey(SigningKeys.publicKey(readPem(keyFile)));
        } else if (caFile != null) {
          List<X509Certificate> cas = SigningKeys.certificates(readPem(caFile));
          verifier = ModelVerifier.forCertificateAuthorities(cas);
        } else {
          verifier = sigstore(requireNonNull(rootFile), expectedIdentity, expectedIssuer);
        }
      } catch (BulwarkException e) {
        throw CliException.usage(String.valueOf(e.getMessage()));
      }
      try {
        VerifiedModel result = verifier.verify(path, signature, ignorePaths);
        if (json) {
          ObjectNode out = Json.object().put("verdict", "valid");
          out.put("signer", result.signer());
          out.put("subject_digest", result.manifest().subjectDigest());
          out.put("files", result.manifest().resources().size());
          Json.print(console.out(), out);
        } else {
          console
              .out()
              .println(
                  "VALID: "
                      + result.manifest().resources().size()
                      + " files, signed by "
                      + Terminal.safe(result.signer(), 256));
        }
        return Bulwark.EXIT_OK;
      } catch (VerificationException e) {
        String reason = String.valueOf(e.getMessage());
        if (json) {
          Json.print(console.out(), Json.object().put("verdict", "invalid").put("reason", reason));
        }
        console.err().println("bulwark: INVALID: " + Terminal.safe(reason, 1000));
        return Bulwark.EXIT_VERDICT;
      } catch (IOException e) {
        throw CliException.failure("cannot read the model or the signature", e);
      }
    }
  }

  private static ModelVerifier sigstore(
      Path rootFile, @Nullable String identity, @Nullable String issuer) {
    requireExists(rootFile);
    if (identity == null || issuer == null || identity.isEmpty() || issuer.isEmpty()) {
      throw CliException.usage("--trust-root needs both --identity and --issuer");
    }
    try {
      return ModelVerifier.forSigstore(rootFile, identity, issuer);
    } catch (IllegalArgumentException e) {
      throw CliException.usage(
          Strings.printable(rootFile.toString()) + ": " + String.valueOf(e.getMessage()));
    } catch (IOException e) {
      throw CliException.usage("cannot read " + Strings.printable(rootFile.toString()));
    }
  }

  private static Path requireNonNull(@Nullable Path p) {
    if (p == null) {
      throw new IllegalStateException("checked above");
    }
    return p;
  }

  private static void requireExists(Path p) {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      throw CliException.usage("no such file or directory: " + Strings.printable(p.toString()));
    }
  }

  private static String readPem(Path file) {
    requireExists(file);
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_PEM_BYTES + 1);
    } catch (IOException e) {
      throw CliException.usage("cannot read " + Strings.printable(file.toString()));
    }
    if (bytes.length > MAX_PEM_BYTES) {
      throw CliException.usage(
          Strings.printable(file.toString()) + " is larger than " + MAX_PEM_BYTES + " bytes");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
