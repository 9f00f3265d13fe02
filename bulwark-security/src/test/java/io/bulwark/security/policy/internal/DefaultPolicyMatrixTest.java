package io.bulwark.security.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.security.policy.Decision;
import io.bulwark.security.policy.Policies;
import io.bulwark.security.policy.PolicyAction;
import io.bulwark.security.policy.PolicyEngine;
import io.bulwark.security.policy.PolicyRequest;
import io.bulwark.security.policy.PrincipalView;
import io.bulwark.security.policy.ResourceKind;
import io.bulwark.security.policy.ResourceView;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The built-in policies as a table: every default role, every action, in its own tenant and in
 * another. The expected table is the authorisation matrix users are promised.
 */
class DefaultPolicyMatrixTest {
  private static final String OWN = "acme";
  private static final String OTHER = "globex";
  private static final String MODEL = "risk.scorer";

  /** What each role may do in its own tenant; in another tenant only admin may do anything. */
  private static final Map<String, Set<PolicyAction>> OWN_TENANT = new LinkedHashMap<>();

  static {
    OWN_TENANT.put("admin", EnumSet.allOf(PolicyAction.class));
    OWN_TENANT.put(
        "security-officer",
        EnumSet.of(
            PolicyAction.ROTATE_KEYS,
            PolicyAction.READ_AUDIT,
            PolicyAction.READ_METRICS,
            PolicyAction.MANAGE_POLICY,
            PolicyAction.READ_POLICY,
            PolicyAction.READ_MODEL));
    OWN_TENANT.put(
        "publisher",
        EnumSet.of(PolicyAction.PUSH, PolicyAction.READ_MODEL, PolicyAction.READ_METADATA));
    OWN_TENANT.put(
        "approver",
        EnumSet.of(PolicyAction.APPROVE, PolicyAction.READ_MODEL, PolicyAction.READ_METADATA));
    OWN_TENANT.put(
        "deployer",
        EnumSet.of(
            PolicyAction.DEPLOY,
            PolicyAction.ROLLBACK,
            PolicyAction.UNDEPLOY,
            PolicyAction.RETIRE,
            PolicyAction.READ_MODEL,
            PolicyAction.READ_METADATA));
    OWN_TENANT.put(
        "auditor",
        EnumSet.of(
            PolicyAction.READ_AUDIT,
            PolicyAction.READ_METRICS,
            PolicyAction.READ_POLICY,
            PolicyAction.READ_MODEL));
    // Granted the model by name (the matrix is about roles; grants are tested elsewhere).
    OWN_TENANT.put("consumer", EnumSet.of(PolicyAction.INFER, PolicyAction.READ_METADATA));
  }

  private static ResourceView resourceFor(PolicyAction action, String tenant) {
    return action.appliesTo().contains(ResourceKind.SYSTEM)
        ? ResourceView.system(tenant)
        : ResourceView.model(MODEL, tenant, "high", "internal");
  }

  @Test
  void decide_everyRoleActionTenant_matchesMatrix() {
    PolicyEngine engine = Policies.engine(Policies.defaults());
    List<String> mismatches = new ArrayList<>();
    StringBuilder table = new StringBuilder(String.format("%-18s", "role \\ action"));
    for (PolicyAction a : PolicyAction.values()) {
      table.append(String.format(" %-17s", a.wireName()));
    }
    table.append('\n');
    for (Map.Entry<String, Set<PolicyAction>> role : OWN_TENANT.entrySet()) {
      PrincipalView principal =
          new PrincipalView(
              "p-" + role.getKey(), Set.of(role.getKey()), OWN, Set.of(MODEL), Set.of(), Map.of());
      table.append(String.format("%-18s", role.getKey()));
      for (PolicyAction action : PolicyAction.values()) {
        StringBuilder cell = new StringBuilder();
        for (String tenant : List.of(OWN, OTHER)) {
          boolean expected =
              role.getValue().contains(action)
                  && (tenant.equals(OWN) || role.getKey().equals("admin"));
          Decision d =
              engine.decide(new PolicyRequest(principal, action, resourceFor(action, tenant)));
          assertThat(d.errors()).as("%s %s %s", role.getKey(), action, tenant).isEmpty();
          if (d.allowed() != expected) {
            mismatches.add(role.getKey() + " " + action.wireName() + " in " + tenant + ": " + d);
          }
          cell.append(d.allowed() ? "Y" : "-");
        }
        table.append(String.format(" %-17s", cell));
      }
      table.append('\n');
    }
    System.out.print("default policy matrix (own tenant / other tenant):\n" + table);
    assertThat(mismatches).isEmpty();
  }

  @Test
  void decide_noRoles_deniedEverything() {
    PolicyEngine engine = Policies.engine(Policies.defaults());
    PrincipalView nobody =
        new PrincipalView("p", Set.of(), OWN, Set.of(MODEL), Set.of("risk"), Map.of());
    for (PolicyAction action : PolicyAction.values()) {
      assertThat(
              engine.decide(new PolicyRequest(nobody, action, resourceFor(action, OWN))).allowed())
          .as(action.wireName())
          .isFalse();
    }
  }
}
