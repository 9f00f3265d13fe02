package io.bulwark.cli.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.cli.Bulwark;
import io.bulwark.core.BulwarkException;
import io.bulwark.core.ModelNames;
import io.bulwark.core.Strings;
import io.bulwark.security.policy.Decision;
import io.bulwark.security.policy.Policies;
import io.bulwark.security.policy.PolicyAction;
import io.bulwark.security.policy.PolicyEngine;
import io.bulwark.security.policy.PolicyRequest;
import io.bulwark.security.policy.PolicyVersion;
import io.bulwark.security.policy.PrincipalView;
import io.bulwark.security.policy.ResourceKind;
import io.bulwark.security.policy.ResourceView;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bulwark policy ...}: work with authorisation policies. */
@Command(
    name = "policy",
    description = "Authorisation policies (Cedar): evaluate a request offline.",
    subcommands = {PolicyCommands.Test.class})
final class PolicyCommands implements Callable<Integer> {
  @SuppressWarnings("UnusedVariable") // picocli reads it
  @Mixin
  private HelpOption help = new HelpOption();

  @Override
  public Integer call() {
    throw CliException.usage("missing subcommand: test");
  }

  /**
   * {@code bulwark policy test}: one request against a policy file or the built-in policies,
   * offline. Exit 0 when evaluated (allowed or denied), 2 when the policies or the request are
   * invalid.
   */
  @Command(
      name = "test",
      description = {
        "Evaluate one request against Cedar policies offline and say which policies decided.",
        "The resource is a model (--resource-model), a version of one (with --resource-version),"
            + " a namespace (--resource-namespace), or, when none is given, the system itself"
            + " (for rotate-keys, read-audit, read-metrics, manage-principals, manage-policy,"
            + " read-policy).",
        "Prints ALLOW or DENY, the policy version, the ids of the deciding policies and any"
            + " evaluation errors (which deny). Exit 0 when evaluated, allowed or not; 2 on bad"
            + " usage, including policies that do not parse or validate."
      })
  static final class Test implements Callable<Integer> {
    private final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Option(
        names = "--policies",
        paramLabel = "FILE",
        description = "Cedar policies to evaluate (default: the built-in policies, version 1).")
    private @Nullable Path policies;

    @Option(
        names = "--principal-id",
        paramLabel = "ID",
        description = "Principal id (default: ${DEFAULT-VALUE}).",
        defaultValue = "cli-test")
    private String principalId = "cli-test";

    @Option(
        names = "--principal-roles",
        split = ",",
        paramLabel = "ROLE",
        description =
            "Roles, comma-separated: admin, security-officer, publisher, approver, deployer,"
                + " auditor, consumer (or custom roles your policies use).")
    private List<String> roles = new ArrayList<>();

    @Option(
        names = "--principal-tenant",
        required = true,
        paramLabel = "T",
        description = "The principal's tenant.")
    @SuppressWarnings("NullAway.Init")
    private String principalTenant;

    @Option(
        names = "--principal-models",
        split = ",",
        paramLabel = "M",
        description = "Models granted to the principal by name.")
    private List<String> models = new ArrayList<>();

    @Option(
        names = "--principal-namespaces",
        split = ",",
        paramLabel = "NS",
        description = "Model namespaces granted to the principal whole.")
    private List<String> namespaces = new ArrayList<>();

    @Option(
        names = "--principal-attr",
        paramLabel = "KEY=VALUE",
        description = "A free-form principal attribute (a Cedar tag); repeatable.")
    private Map<String, String> attributes = new java.util.LinkedHashMap<>();

    @Option(
        names = "--action",
        required = true,
        paramLabel = "A",
        description =
            "infer, read-metadata, read-model, push, approve, deploy, rollback, undeploy, retire,"
                + " rotate-keys, read-audit, read-metrics, manage-principals, manage-policy,"
                + " read-policy.")
    @SuppressWarnings("NullAway.Init")
    private String action;

    @Option(names = "--resource-model", paramLabel = "NAME", description = "Target model.")
    private @Nullable String resourceModel;

    @Option(
        names = "--resource-version",
        paramLabel = "V",
        description = "Target version of --resource-model.")
    private @Nullable String resourceVersion;

    @Option(
        names = "--resource-namespace",
        paramLabel = "NS",
        description = "Target namespace (instead of a model).")
    private @Nullable String resourceNamespace;

    @Option(
        names = "--resource-tenant",
        paramLabel = "T",
        description = "The resource's tenant (default: the principal's tenant).")
    private @Nullable String resourceTenant;

    @Option(
        names = "--risk-tier",
        paramLabel = "X",
        description = "The model's risk tier (default: ${DEFAULT-VALUE}).",
        defaultValue = "low")
    private String riskTier = "low";

    @Option(
        names = "--data-classification",
        paramLabel = "Y",
        description = "The model's data classification (default: ${DEFAULT-VALUE}).",
        defaultValue = "internal")
    private String dataClassification = "internal";

    @Option(names = "--json", description = "Print the decision as JSON.")
    private boolean json;

    Test(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      PolicyAction parsedAction =
          PolicyAction.fromWireName(action)
              .orElseThrow(
                  () ->
                      CliException.usage(
                          "unknown action '"
                              + Strings.printable(action)
                              + "': use one of "
                              + Arrays.stream(PolicyAction.values())
                                  .map(PolicyAction::wireName)
                                  .collect(Collectors.joining(", "))));
      PolicyEngine engine;
      PolicyRequest request;
      try {
        engine = Policies.engine(loadPolicies(), 0);
        request = new PolicyRequest(principal(), parsedAction, resource(parsedAction));
      } catch (BulwarkException e) {
        if (e instanceof CliException cli) {
          throw cli;
        }
        throw CliException.usage(Terminal.safe(String.valueOf(e.getMessage())));
      }
      Decision d = engine.decide(request);
      if (json) {
        ObjectNode out =
            Json.object()
                .put("decision", d.allowed() ? "allow" : "deny")
                .put("policy_version", d.policyVersion())
                .put("policy_source", policies == null ? "built-in" : policies.toString());
        d.determiningPolicyIds().forEach(out.putArray("determining_policies")::add);
        d.errors().forEach(out.putArray("errors")::add);
        if (!out.has("determining_policies")) {
          out.putArray("determining_policies");
        }
        if (!out.has("errors")) {
          out.putArray("errors");
        }
        Json.print(console.out(), out);
      } else {
        console.out().println(d.allowed() ? "ALLOW" : "DENY");
        console
            .out()
            .println(
                "decided by: "
                    + (d.determiningPolicyIds().isEmpty()
                        ? "no matching policy (deny by default)"
                        : Terminal.safe(String.join(", ", d.determiningPolicyIds()))));
        console
            .out()
            .println(
                "policy version: "
                    + d.policyVersion()
                    + (policies == null
                        ? " (built-in)"
                        : " (" + Terminal.safe(policies.toString()) + ")"));
        for (String e : d.errors()) {
          console.out().println("error: " + Terminal.safe(e));
        }
      }
      return Bulwark.EXIT_OK;
    }

    private PolicyVersion loadPolicies() {
      if (policies == null) {
        return Policies.defaults();
      }
      byte[] bytes;
      try (InputStream in = Files.newInputStream(policies)) {
        // One byte more than allowed, so that an oversized file is reported, not truncated.
        bytes = in.readNBytes(Policies.MAX_POLICY_BYTES + 1);
      } catch (IOException e) {
        throw CliException.usage(
            "cannot read policies " + Terminal.safe(policies.toString()) + ": " + Failures.io(e));
      }
      if (bytes.length > Policies.MAX_POLICY_BYTES) {
        throw CliException.usage(
            "policies "
                + Terminal.safe(policies.toString())
                + " are larger than "
                + Policies.MAX_POLICY_BYTES
                + " bytes");
      }
      String text;
      try {
        text =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
      } catch (CharacterCodingException e) {
        throw CliException.usage(
            "policies " + Terminal.safe(policies.toString()) + " are not UTF-8 text");
      }
      return new PolicyVersion(1, text, Instant.now(), "cli", "offline test");
    }

    private PrincipalView principal() {
      return new PrincipalView(
          principalId,
          new HashSet<>(roles),
          principalTenant,
          new HashSet<>(models),
          new HashSet<>(namespaces),
          attributes);
    }

    private ResourceView resource(PolicyAction a) {
      String tenant = resourceTenant == null ? principalTenant : resourceTenant;
      if (resourceModel != null && resourceNamespace != null) {
        throw CliException.usage("give --resource-model or --resource-namespace, not both");
      }
      if (resourceVersion != null && resourceModel == null) {
        throw CliException.usage("--resource-version needs --resource-model");
      }
      if (resourceModel != null) {
        ModelNames.checkName(resourceModel);
        return resourceVersion == null
            ? ResourceView.model(resourceModel, tenant, riskTier, dataClassification)
            : ResourceView.version(
                resourceModel, resourceVersion, tenant, riskTier, dataClassification);
      }
      if (resourceNamespace != null) {
        return ResourceView.namespace(resourceNamespace, tenant);
      }
      if (!a.appliesTo().contains(ResourceKind.SYSTEM)) {
        throw CliException.usage(
            "action " + a.wireName() + " needs --resource-model or --resource-namespace");
      }
      return ResourceView.system(tenant);
    }
  }
}
