package io.bulwark.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.cli.Bulwark;
import io.bulwark.security.policy.Policies;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bulwark policy test}, run through picocli around the policy command group alone. */
class PolicyCommandsTest {
  @TempDir Path dir;

  record Result(int exitCode, String out, String err) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    Console console = new Console(o, e, Map.of());
    CommandLine cl = new CommandLine(PolicyCommands.class, new CommandFactory(console));
    cl.setExpandAtFiles(false);
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          e.println("bulwark: " + ex.getMessage());
          return Bulwark.EXIT_USAGE;
        });
    cl.setExecutionExceptionHandler(
        (ex, c, p) -> {
          e.println("bulwark: " + ex.getMessage());
          return ex instanceof CliException cli ? cli.exitCode() : Bulwark.EXIT_ERROR;
        });
    int code = cl.execute(args);
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void test_grantedConsumer_allowsAndNamesPolicy() {
    Result r =
        run(
            "test",
            "--principal-roles",
            "consumer",
            "--principal-tenant",
            "acme",
            "--principal-models",
            "risk.scorer",
            "--action",
            "infer",
            "--resource-model",
            "risk.scorer");
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_OK);
    assertThat(r.out()).startsWith("ALLOW").contains("consumer-granted-models");
  }

  @Test
  void test_otherTenant_deniesWithForbidJson() {
    Result r =
        run(
            "test",
            "--principal-roles",
            "publisher",
            "--principal-tenant",
            "acme",
            "--action",
            "push",
            "--resource-model",
            "risk.scorer",
            "--resource-tenant",
            "globex",
            "--json");
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_OK);
    assertThat(r.out()).contains("\"decision\" : \"deny\"").contains("tenant-isolation");
  }

  @Test
  void test_systemAction_withoutResource_evaluatesSystem() {
    Result r =
        run(
            "test",
            "--principal-roles",
            "security-officer",
            "--principal-tenant",
            "acme",
            "--action",
            "rotate-keys");
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_OK);
    assertThat(r.out()).startsWith("ALLOW").contains("security-officer");
  }

  @Test
  void test_policyFile_usedInsteadOfDefaults() throws Exception {
    Path file = dir.resolve("p.cedar");
    Files.writeString(file, "@id(\"nobody\") forbid (principal, action, resource);");
    Result r =
        run(
            "test",
            "--policies",
            file.toString(),
            "--principal-roles",
            "admin",
            "--principal-tenant",
            "acme",
            "--action",
            "read-audit");
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_OK);
    assertThat(r.out()).startsWith("DENY").contains("nobody");
  }

  @Test
  void test_invalidPolicyFile_exits2NamingProblem() throws Exception {
    Path file = dir.resolve("p.cedar");
    Files.writeString(
        file, "@id(\"typo\") permit (principal, action, resource) when { principal.rolez == 1 };");
    Result r =
        run(
            "test",
            "--policies",
            file.toString(),
            "--principal-tenant",
            "acme",
            "--action",
            "read-audit");
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(r.err()).contains("rolez");
  }

  @Test
  void test_policyFileOverLimit_exits2() throws Exception {
    Path file = dir.resolve("p.cedar");
    Files.writeString(file, "//" + "x".repeat(Policies.MAX_POLICY_BYTES));
    Result r =
        run(
            "test",
            "--policies",
            file.toString(),
            "--principal-tenant",
            "acme",
            "--action",
            "read-audit");
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(r.err()).contains("larger than");
  }

  @Test
  void test_unknownAction_exits2() {
    Result r = run("test", "--principal-tenant", "acme", "--action", "fly");
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
    assertThat(r.err()).contains("unknown action");
  }

  @Test
  void test_modelActionWithoutResource_exits2() {
    Result r = run("test", "--principal-tenant", "acme", "--action", "infer");
    assertThat(r.exitCode()).isEqualTo(Bulwark.EXIT_USAGE);
  }
}
