package io.bulwark.security.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.LimitExceededException;
import io.bulwark.security.policy.Decision;
import io.bulwark.security.policy.Policies;
import io.bulwark.security.policy.PolicyAction;
import io.bulwark.security.policy.PolicyDeniedException;
import io.bulwark.security.policy.PolicyEngine;
import io.bulwark.security.policy.PolicyRequest;
import io.bulwark.security.policy.PolicyVersion;
import io.bulwark.security.policy.PrincipalView;
import io.bulwark.security.policy.ResourceView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CedarPolicyEngineTest {
  private static final ResourceView MODEL =
      ResourceView.model("risk.scorer", "acme", "high", "internal");

  private static PolicyVersion version(long n, String text) {
    return new PolicyVersion(n, text, Instant.EPOCH, "tester", "test");
  }

  private static PrincipalView consumer(Set<String> models, Set<String> namespaces) {
    return new PrincipalView("k1", Set.of("consumer"), "acme", models, namespaces, Map.of());
  }

  @Test
  void decide_consumerGrantedModel_allowsNamingPolicy() {
    PolicyEngine engine = Policies.engine(Policies.defaults());
    Decision d =
        engine.decide(
            new PolicyRequest(
                consumer(Set.of("risk.scorer"), Set.of()), PolicyAction.INFER, MODEL));
    assertThat(d.allowed()).isTrue();
    assertThat(d.determiningPolicyIds()).containsExactly("consumer-granted-models");
    assertThat(d.policyVersion()).isEqualTo(1);
    assertThat(d.errors()).isEmpty();
  }

  @Test
  void decide_consumerWithoutGrant_deniesByDefault() {
    PolicyEngine engine = Policies.engine(Policies.defaults());
    Decision d =
        engine.decide(
            new PolicyRequest(consumer(Set.of("other"), Set.of()), PolicyAction.INFER, MODEL));
    assertThat(d.allowed()).isFalse();
    assertThat(d.determiningPolicyIds()).isEmpty();
    assertThatThrownBy(() -> d.check()).isInstanceOf(PolicyDeniedException.class);
  }

  @Test
  void decide_consumerNamespaceGrant_allowsInternalButNotRestricted() {
    PolicyEngine engine = Policies.engine(Policies.defaults());
    PrincipalView p = consumer(Set.of(), Set.of("risk"));
    assertThat(engine.decide(new PolicyRequest(p, PolicyAction.INFER, MODEL)).allowed()).isTrue();
    ResourceView restricted = ResourceView.model("risk.scorer", "acme", "high", "restricted");
    Decision d = engine.decide(new PolicyRequest(p, PolicyAction.INFER, restricted));
    assertThat(d.allowed()).isFalse();
    assertThat(d.determiningPolicyIds()).containsExactly("restricted-needs-model-grant");
    PrincipalView named = consumer(Set.of("risk.scorer"), Set.of());
    assertThat(engine.decide(new PolicyRequest(named, PolicyAction.INFER, restricted)).allowed())
        .isTrue();
  }

  @Test
  void decide_otherTenant_deniedByTenantIsolation() {
    PolicyEngine engine = Policies.engine(Policies.defaults());
    PrincipalView p =
        new PrincipalView(
            "k1", Set.of("consumer"), "globex", Set.of("risk.scorer"), Set.of(), Map.of());
    Decision d = engine.decide(new PolicyRequest(p, PolicyAction.INFER, MODEL));
    assertThat(d.allowed()).isFalse();
    assertThat(d.determiningPolicyIds()).containsExactly("tenant-isolation");
  }

  @Test
  void decide_versionResource_usesModelGrant() {
    PolicyEngine engine = Policies.engine(Policies.defaults());
    ResourceView v = ResourceView.version("risk.scorer", "1.0", "acme", "low", "internal");
    assertThat(
            engine
                .decide(
                    new PolicyRequest(
                        consumer(Set.of("risk.scorer"), Set.of()), PolicyAction.INFER, v))
                .allowed())
        .isTrue();
  }

  @Test
  void decide_actionNotApplicableToResource_deniesWithError() {
    PolicyEngine engine = Policies.engine(Policies.defaults());
    PrincipalView admin = PrincipalView.of("a", Set.of("admin"), "acme");
    Decision d = engine.decide(new PolicyRequest(admin, PolicyAction.ROTATE_KEYS, MODEL));
    assertThat(d.allowed()).isFalse();
    assertThat(d.errors()).singleElement().asString().contains("does not apply");
  }

  @Test
  void decide_policyErrorsAtRunTime_failsClosed() {
    // The forbid overflows at run time (the validator cannot see that): Cedar skips an erring
    // policy, so without failing closed the permit alone would allow.
    String text =
        "@id(\"all\") permit (principal, action, resource);\n"
            + "@id(\"overflow\") forbid (principal, action, resource)"
            + " when { 9223372036854775807 + 1 > 0 };";
    PolicyEngine engine = Policies.engine(version(1, text));
    Decision d =
        engine.decide(
            new PolicyRequest(
                PrincipalView.of("a", Set.of("x"), "acme"), PolicyAction.INFER, MODEL));
    assertThat(d.allowed()).isFalse();
    assertThat(d.errors()).singleElement().asString().contains("overflow");
  }

  @Test
  void decide_principalTags_visibleToPolicies() {
    String text =
        "@id(\"cleared\") permit (principal, action, resource)"
            + " when { principal.hasTag(\"clearance\") && principal.getTag(\"clearance\") == \"high\" };";
    PolicyEngine engine = Policies.engine(version(1, text));
    PrincipalView cleared =
        new PrincipalView("a", Set.of(), "acme", Set.of(), Set.of(), Map.of("clearance", "high"));
    assertThat(engine.decide(new PolicyRequest(cleared, PolicyAction.INFER, MODEL)).allowed())
        .isTrue();
    PrincipalView other = PrincipalView.of("a", Set.of(), "acme");
    assertThat(engine.decide(new PolicyRequest(other, PolicyAction.INFER, MODEL)).allowed())
        .isFalse();
  }

  @Test
  void validate_unknownAttribute_refusedNamingPolicy() {
    String text =
        "@id(\"bad-attr\") permit (principal, action, resource) when { principal.clearance == 1 };";
    assertThatThrownBy(() -> Policies.validate(text))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("bad-attr")
        .hasMessageContaining("clearance");
  }

  @Test
  void validate_unknownAction_refused() {
    String text = "@id(\"x\") permit (principal, action == Bulwark::Action::\"fly\", resource);";
    assertThatThrownBy(() -> Policies.validate(text))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("fly");
  }

  @Test
  void validate_syntaxError_refused() {
    assertThatThrownBy(() -> Policies.validate("@id(\"x\") permit (principal, action"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("does not parse");
  }

  @Test
  void validate_missingOrDuplicateId_refused() {
    assertThatThrownBy(() -> Policies.validate("permit (principal, action, resource);"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("no @id");
    assertThatThrownBy(
            () ->
                Policies.validate(
                    "@id(\"a\") permit (principal, action, resource);"
                        + "@id(\"a\") forbid (principal, action, resource);"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("more than one policy");
  }

  @Test
  void validate_emptyText_refused() {
    assertThatThrownBy(() -> Policies.validate("// nothing\n"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("no policies");
  }

  @Test
  void validate_defaults_pass() {
    Policies.validate(Policies.defaults().text());
  }

  /** A valid policy text of exactly {@code bytes} UTF-8 bytes, padded with a comment. */
  private static String policyOfSize(int bytes) {
    String policy = "@id(\"all\") permit (principal, action, resource);\n//";
    return policy + "x".repeat(bytes - policy.length());
  }

  @Test
  void validate_textAtSizeLimit_accepted() {
    String text = policyOfSize(Policies.MAX_POLICY_BYTES);
    assertThat(text.length()).isEqualTo(Policies.MAX_POLICY_BYTES);
    Policies.validate(text);
  }

  @Test
  void validate_textOneByteOverLimit_refused() {
    assertThatThrownBy(() -> Policies.validate(policyOfSize(Policies.MAX_POLICY_BYTES + 1)))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageContaining("policy.max_policy_bytes");
  }

  @Test
  void install_newerVersion_swapsAndOlderIgnored() {
    PolicyEngine engine = Policies.engine(Policies.defaults());
    PrincipalView p = consumer(Set.of(), Set.of());
    PolicyRequest r = new PolicyRequest(p, PolicyAction.INFER, MODEL);
    assertThat(engine.decide(r).allowed()).isFalse();
    assertThat(engine.install(version(2, "@id(\"open\") permit (principal, action, resource);")))
        .isTrue();
    Decision d = engine.decide(r);
    assertThat(d.allowed()).isTrue();
    assertThat(d.policyVersion()).isEqualTo(2);
    assertThat(engine.install(Policies.defaults())).isFalse();
    assertThat(engine.policy().version()).isEqualTo(2);
  }

  @Test
  void install_invalidText_refusedAndOldVersionKept() {
    PolicyEngine engine = Policies.engine(Policies.defaults());
    assertThatThrownBy(() -> engine.install(version(2, "nonsense")))
        .isInstanceOf(InvalidRequestException.class);
    assertThat(engine.policy().version()).isEqualTo(1);
  }

  @Test
  void cache_manyDistinctRequests_staysBounded() {
    CedarPolicyEngine engine =
        (CedarPolicyEngine) Policies.engine(Policies.defaults(), 16 * DecisionCache.SEGMENTS);
    for (int i = 0; i < 2000; i++) {
      engine.decide(
          new PolicyRequest(
              PrincipalView.of("k" + i, Set.of("consumer"), "acme"), PolicyAction.INFER, MODEL));
    }
    assertThat(engine.cacheMaxSize()).isEqualTo(16 * DecisionCache.SEGMENTS);
    assertThat(engine.cacheSize()).isLessThanOrEqualTo(engine.cacheMaxSize()).isGreaterThan(0);
  }

  @Test
  void cache_sameRequest_returnsSameDecisionUntilVersionChanges() {
    PolicyEngine engine = Policies.engine(Policies.defaults());
    PolicyRequest r =
        new PolicyRequest(consumer(Set.of("risk.scorer"), Set.of()), PolicyAction.INFER, MODEL);
    Decision first = engine.decide(r);
    assertThat(engine.decide(r)).isSameAs(first);
    engine.install(version(2, "@id(\"none\") forbid (principal, action, resource);"));
    Decision after = engine.decide(r);
    assertThat(after.allowed()).isFalse();
    assertThat(after.determiningPolicyIds()).containsExactly("none");
  }

  @Test
  void decide_timing_printsUncachedAndCachedCost() {
    CedarPolicyEngine engine = (CedarPolicyEngine) Policies.engine(Policies.defaults());
    CedarPolicyEngine.Snapshot snapshot =
        new CedarPolicyEngine.Snapshot(
            Policies.defaults(), engine.compiler().compile(Policies.defaults().text()));
    PolicyRequest r =
        new PolicyRequest(
            consumer(Set.of("risk.scorer"), Set.of("risk")), PolicyAction.INFER, MODEL);
    int n = 2000;
    for (int i = 0; i < n; i++) {
      engine.evaluate(snapshot, r);
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      engine.evaluate(snapshot, r);
    }
    long uncached = (System.nanoTime() - t0) / n;
    for (int i = 0; i < 200_000; i++) {
      engine.decide(r);
    }
    long t1 = System.nanoTime();
    int m = 200_000;
    for (int i = 0; i < m; i++) {
      engine.decide(r);
    }
    long cached = (System.nanoTime() - t1) / m;
    // A figure for the report, not an assertion: timings belong in benchmarks.
    System.out.printf("policy decision: uncached %d ns, cached %d ns%n", uncached, cached);
    assertThat(engine.decide(r).allowed()).isTrue();
    assertThat(List.of(uncached, cached)).allMatch(x -> x > 0);
  }
}
