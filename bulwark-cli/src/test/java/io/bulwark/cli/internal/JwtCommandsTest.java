package io.bulwark.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.cli.Bulwark;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bulwark jwt verify}, in process, with exit codes, mounted as {@code jwt verify}. */
class JwtCommandsTest {
  private static final String ISSUER = "https://idp.example/realms/main";
  private static final long NOW = 1_767_225_600L;
  private static final String AT = "2026-01-01T00:00:00Z";

  @TempDir Path dir;

  private KeyPair ec;
  private Path jwks;

  record Result(int exitCode, String out, String err) {}

  /** Runs {@code jwt ARGS} the way the root command will once it mounts {@link JwtCommands}. */
  private static Result run(InputStream stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    Console console = new Console(outStream, errStream, Map.of());
    CommandLine.IFactory factory =
        new CommandLine.IFactory() {
          @Override
          public <K> K create(Class<K> type) throws Exception {
            if (type == JwtCommands.Verify.class) {
              return type.cast(new JwtCommands.Verify(console, stdin));
            }
            return new CommandFactory(console).create(type);
          }
        };
    CommandLine commandLine = new CommandLine(JwtCommands.class, factory);
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof CliException cli) {
            errStream.println("bulwark: " + cli.getMessage());
            return cli.exitCode();
          }
          throw e;
        });
    int code = commandLine.execute(args);
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Result run(String... args) {
    return run(InputStream.nullInputStream(), args);
  }

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static byte[] fixed(BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - n, out, 32 - n, n);
    return out;
  }

  @BeforeEach
  void keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    ec = g.generateKeyPair();
    ECPublicKey pub = (ECPublicKey) ec.getPublic();
    jwks = dir.resolve("jwks.json");
    Files.writeString(
        jwks,
        "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k1\",\"use\":\"sig\",\"x\":\""
            + b64(fixed(pub.getW().getAffineX()))
            + "\",\"y\":\""
            + b64(fixed(pub.getW().getAffineY()))
            + "\"}]}");
  }

  private String token(String typ, long exp) throws Exception {
    String header = "{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"" + typ + "\"}";
    String claims =
        "{\"iss\":\""
            + ISSUER
            + "\",\"sub\":\"alice\",\"aud\":\"bulwark\",\"iat\":"
            + (NOW - 5)
            + ",\"exp\":"
            + exp
            + ",\"scope\":\"models:read\"}";
    String input =
        b64(header.getBytes(StandardCharsets.UTF_8))
            + "."
            + b64(claims.getBytes(StandardCharsets.UTF_8));
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
    s.initSign(ec.getPrivate());
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + b64(s.sign());
  }

  private String[] verify(String tokenArg, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "verify",
                tokenArg,
                "--jwks",
                jwks.toString(),
                "--issuer",
                ISSUER,
                "--audience",
                "bulwark"));
    if (!Arrays.asList(extra).contains("--at")) {
      args.addAll(List.of("--at", AT));
    }
    args.addAll(Arrays.asList(extra));
    return args.toArray(String[]::new);
  }

  @Test
  void verify_validToken_exitsZeroAndPrintsSubject() throws Exception {
    Result r = run(verify(token("at+jwt", NOW + 300), "--typ", "at+jwt"));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(Bulwark.EXIT_OK);
    assertThat(r.out())
        .contains("ACCEPTED: subject alice")
        .contains(ISSUER)
        .contains("2026-01-01T00:05:00Z");
  }

  @Test
  void verify_validTokenJson_printsClaims() throws Exception {
    Result r = run(verify(token("at+jwt", NOW + 300), "--json"));
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_OK);
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("verdict").asText()).isEqualTo("accepted");
    assertThat(json.get("kid").asText()).isEqualTo("k1");
    assertThat(json.get("alg").asText()).isEqualTo("ES256");
    assertThat(json.at("/claims/scope").asText()).isEqualTo("models:read");
  }

  @Test
  void verify_tokenFromStdin_accepted() throws Exception {
    byte[] in = (token("at+jwt", NOW + 300) + "\n").getBytes(StandardCharsets.US_ASCII);
    Result r = run(new ByteArrayInputStream(in), verify("-"));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(Bulwark.EXIT_OK);
  }

  @Test
  void verify_expiredToken_exitsThreeWithReason() throws Exception {
    Result r = run(verify(token("at+jwt", NOW - 61)));
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_VERDICT);
    assertThat(r.err()).contains("bulwark: rejected: token expired");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void verify_rejectedJson_printsVerdictWithoutToken() throws Exception {
    String t = token("JWT", NOW + 300);
    Result r = run(verify(t, "--typ", "at+jwt", "--json"));
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_VERDICT);
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("verdict").asText()).isEqualTo("rejected");
    assertThat(json.get("reason").asText()).startsWith("typ");
    assertThat(r.out() + r.err()).doesNotContain(t.substring(t.lastIndexOf('.') + 1));
  }

  @Test
  void verify_badTime_exitsTwo() throws Exception {
    Result r = run(verify(token("at+jwt", NOW + 300), "--at", "yesterday"));
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(r.err()).contains("--at must be an ISO-8601 instant");
  }

  @Test
  void verify_missingOrUnsafeJwks_exitsTwo() throws Exception {
    String t = token("at+jwt", NOW + 300);
    Files.delete(jwks);
    assertThat(run(verify(t)).exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    Files.writeString(jwks, "{\"keys\":[{\"kty\":\"oct\",\"alg\":\"HS256\",\"k\":\"AAAA\"}]}");
    Result r = run(verify(t));
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(r.err()).contains("symmetric keys are not allowed");
  }

  @Test
  void verify_unknownAlgorithmOrLeewayTooLarge_exitsTwo() throws Exception {
    String t = token("at+jwt", NOW + 300);
    assertThat(run(verify(t, "--alg", "none")).exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(run(verify(t, "--leeway", "301")).exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(run(verify(t, "--leeway", "300")).exitCode()).isEqualTo(Bulwark.EXIT_OK);
  }

  @Test
  void verify_missingRequiredOption_exitsTwo() {
    assertThat(run("verify", "x.y.z", "--jwks", "f").exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
  }

  @Test
  void verify_sharedAttackVectors_sameVerdictsAsTheLibrary() throws Exception {
    String configured = System.getProperty("bulwark.vectors");
    Path base =
        Path.of(configured == null || configured.isBlank() ? "../shared/vectors" : configured);
    Path dir = base.resolve("jwt");
    assumeTrue(Files.isDirectory(dir), "JWT vectors not found at " + dir.toAbsolutePath());
    JsonNode file = new ObjectMapper().readTree(dir.resolve("jwt_attack_vectors.json").toFile());
    int checked = 0;
    for (JsonNode c : file.get("cases")) {
      String expect = c.get("expect").asText();
      boolean accept = expect.equals("accept") || expect.equals("accept-authn-reject-authz");
      byte[] stdin = c.get("token").asText().getBytes(StandardCharsets.UTF_8);
      Result r =
          run(
              new ByteArrayInputStream(stdin),
              "verify",
              "-",
              "--jwks",
              dir.resolve("jwks_trusted.json").toString(),
              "--issuer",
              file.get("issuer").asText(),
              "--audience",
              file.get("audience").asText(),
              "--typ",
              file.get("requiredTyp").asText(),
              "--alg",
              "RS256,ES256",
              "--leeway",
              "60",
              "--at",
              file.get("nowIso").asText());
      assertThat(r.exitCode())
          .as(c.get("id").asText() + " " + r.err())
          .isEqualTo(accept ? Bulwark.EXIT_OK : Bulwark.EXIT_VERDICT);
      checked++;
    }
    assertThat(checked).isEqualTo(46);
  }
}
