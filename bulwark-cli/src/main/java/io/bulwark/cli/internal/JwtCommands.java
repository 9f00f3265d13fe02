package io.bulwark.cli.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.cli.Bulwark;
import io.bulwark.core.Strings;
import io.bulwark.security.jwt.InvalidKeySetException;
import io.bulwark.security.jwt.JwkSet;
import io.bulwark.security.jwt.JwsAlgorithm;
import io.bulwark.security.jwt.TokenPolicy;
import io.bulwark.security.jwt.TokenRejectedException;
import io.bulwark.security.jwt.TokenValidator;
import io.bulwark.security.jwt.VerifiedToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark jwt verify}: the server's strict OIDC token validator, offline. Exit 0 when the
 * token is accepted, 3 with the reason when it is rejected, 2 on bad usage (unreadable or unsafe
 * JWK set, bad time, bad options).
 */
@Command(
    name = "jwt",
    description = "Check OIDC access tokens offline with the server's strict validator.",
    subcommands = {JwtCommands.Verify.class})
final class JwtCommands implements Callable<Integer> {
  @SuppressWarnings("UnusedVariable") // picocli reads it
  @Mixin
  private HelpOption help = new HelpOption();

  @Override
  public Integer call() {
    throw CliException.usage("missing subcommand: verify");
  }

  @Command(
      name = "verify",
      description =
          "Validate a JWT access token (compact JWS) against a JWK set and an issuer policy, as"
              + " the server does: algorithm allowlist bound to each key, exact signature"
              + " encoding, exp/nbf/iat with bounded leeway, exact iss and aud, typ when given, no"
              + " crit, no jku/x5u/jwk/x5c. Nothing is fetched. Exit 0 accepted, 3 rejected.")
  static final class Verify implements Callable<Integer> {
    private final Console console;
    private final InputStream stdin;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Parameters(
        index = "0",
        paramLabel = "TOKEN",
        description = "The token, or - to read it from standard input (keeps it out of ps).")
    @SuppressWarnings("NullAway.Init")
    private String token;

    @Option(
        names = "--jwks",
        required = true,
        paramLabel = "FILE",
        description = "The issuer's JWK set (JSON), as trusted configuration.")
    @SuppressWarnings("NullAway.Init")
    private Path jwks;

    @Option(
        names = "--issuer",
        required = true,
        paramLabel = "ISS",
        description = "The exact expected iss.")
    @SuppressWarnings("NullAway.Init")
    private String issuer;

    @Option(
        names = "--audience",
        required = true,
        paramLabel = "AUD",
        description = "An accepted aud value, compared exactly; repeat for several.")
    private List<String> audiences = new ArrayList<>();

    @Option(
        names = "--typ",
        paramLabel = "TYPE",
        description = "Require this header typ, e.g. at+jwt (RFC 9068).")
    private @Nullable String typ;

    @Option(
        names = "--alg",
        split = ",",
        paramLabel = "ALG",
        description = "Allowed algorithms (default: RS256,ES256). HS* needs symmetric keys.")
    private List<String> algorithms = new ArrayList<>(List.of("RS256", "ES256"));

    @Option(
        names = "--leeway",
        paramLabel = "SECONDS",
        description = "Clock skew tolerated for exp, nbf and iat (default 60, at most 300).")
    private long leewaySeconds = 60;

    @Option(
        names = "--at",
        paramLabel = "TIME",
        description = "Judge the token as of this ISO-8601 instant (default: now).")
    private @Nullable String at;

    @Option(names = "--json", description = "Print the result as JSON.")
    private boolean json;

    Verify(Console console) {
      this(console, System.in);
    }

    Verify(Console console, InputStream stdin) {
      this.console = console;
      this.stdin = stdin;
    }

    @Override
    public Integer call() {
      Set<JwsAlgorithm> allowed = algorithms(algorithms);
      Instant now = instant(at);
      boolean symmetric = allowed.stream().anyMatch(JwsAlgorithm::symmetric);
      JwkSet keys = keySet(jwks, symmetric);
      TokenValidator validator;
      try {
        TokenPolicy policy =
            TokenPolicy.builder(issuer, audiences.isEmpty() ? "" : audiences.get(0))
                .audiences(Set.copyOf(audiences))
                .algorithms(allowed)
                .leeway(Duration.ofSeconds(leewaySeconds))
                .requiredType(typ)
                .build();
        validator = TokenValidator.create(keys, policy);
      } catch (IllegalArgumentException e) {
        throw CliException.usage(String.valueOf(e.getMessage()));
      }
      String value = token.equals("-") ? readToken() : token;
      try {
        VerifiedToken result = validator.validate(value, now);
        if (json) {
          ObjectNode out = Json.object().put("verdict", "accepted");
          out.put("subject", result.subject());
          out.put("issuer", result.issuer());
          out.set("audiences", Json.mapper().valueToTree(result.audiences()));
          out.put("kid", result.kid());
          out.put("alg", result.algorithm().joseName());
          out.put("expires_at", result.expiresAt().toString());
          out.set("claims", Json.mapper().valueToTree(result.claims()));
          Json.print(console.out(), out);
        } else {
          console
              .out()
              .println(
                  "ACCEPTED: subject "
                      + Terminal.safe(result.subject(), 256)
                      + ", issuer "
                      + Terminal.safe(result.issuer(), 256)
                      + ", expires "
                      + result.expiresAt());
        }
        return Bulwark.EXIT_OK;
      } catch (TokenRejectedException e) {
        String reason = e.reason();
        if (json) {
          Json.print(console.out(), Json.object().put("verdict", "rejected").put("reason", reason));
        }
        console.err().println("bulwark: rejected: " + Terminal.safe(reason));
        return Bulwark.EXIT_VERDICT;
      }
    }

    /** Reads at most one byte more than any policy accepts, so a huge input stays cheap. */
    private String readToken() {
      byte[] bytes;
      try {
        bytes = stdin.readNBytes(TokenPolicy.MAX_TOKEN_BYTES_LIMIT + 2);
      } catch (IOException e) {
        throw CliException.usage("cannot read the token from standard input");
      }
      // A trailing newline from echo or a file is not part of the token; the validator
      // refuses anything else that is not base64url.
      int end = bytes.length;
      if (end > 0 && bytes[end - 1] == '\n') {
        end--;
      }
      if (end > 0 && bytes[end - 1] == '\r') {
        end--;
      }
      return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
    }
  }

  private static Set<JwsAlgorithm> algorithms(List<String> names) {
    Set<JwsAlgorithm> out = EnumSet.noneOf(JwsAlgorithm.class);
    for (String name : names) {
      out.add(
          JwsAlgorithm.fromJoseName(name.trim())
              .orElseThrow(
                  () ->
                      CliException.usage(
                          "unsupported --alg " + Terminal.safe(name, 40) + "; use e.g. RS256")));
    }
    if (out.isEmpty()) {
      throw CliException.usage("--alg names no algorithm");
    }
    return out;
  }

  private static Instant instant(@Nullable String at) {
    if (at == null) {
      return Instant.now();
    }
    try {
      return Instant.parse(at);
    } catch (DateTimeParseException e) {
      throw CliException.usage(
          "--at must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, not "
              + Terminal.safe(at, 64));
    }
  }

  private static JwkSet keySet(Path file, boolean allowSymmetric) {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw CliException.usage("no such file: " + Strings.printable(file.toString()));
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(JwkSet.MAX_BYTES + 1);
    } catch (IOException e) {
      throw CliException.usage("cannot read " + Strings.printable(file.toString()));
    }
    try {
      return allowSymmetric ? JwkSet.parseAllowingSymmetricKeys(bytes) : JwkSet.parse(bytes);
    } catch (InvalidKeySetException e) {
      throw CliException.usage(
          Strings.printable(file.toString()) + ": " + String.valueOf(e.getMessage()));
    }
  }
}
