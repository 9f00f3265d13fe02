package io.bulwark.security;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.ForbiddenException;
import io.bulwark.core.NotFoundException;
import io.bulwark.security.ResourceDirectory.ModelLabels;
import io.bulwark.security.policy.Policies;
import io.bulwark.security.policy.PolicyAction;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The default policies through the authorizer: what each role reaches, and how denials look. */
class AuthorizerTest {
  /** Namespace "acme" belongs to tenant acme, everything else to "default". */
  private static final ResourceDirectory DIRECTORY =
      new ResourceDirectory() {
        @Override
        public String tenantOf(String namespace) {
          return namespace.equals("acme") ? "acme" : "default";
        }

        @Override
        public Optional<ModelLabels> labels(String model, String version) {
          return Optional.ofNullable(
              Map.of(
                      "fraud.scorer", new ModelLabels("high", "confidential"),
                      "fraud.secret", new ModelLabels("high", "restricted"),
                      "acme.model", new ModelLabels("low", "internal"))
                  .get(model));
        }
      };

  private final Authorizer authorizer =
      new Authorizer(Policies.engine(Policies.defaults()), DIRECTORY);

  private static Principal key(Set<String> models, Set<String> namespaces, String... roles) {
    return new Principal(
        "k1", "k1", Set.of(roles), "default", models, namespaces, Set.<PolicyAction>of());
  }

  @Test
  void checkModel_consumerWithNamespaceGrant_infersButRestrictedNeedsModelGrant() {
    Principal consumer = key(Set.of(), Set.of("fraud"), "consumer");
    assertThatCode(() -> authorizer.checkModel(consumer, PolicyAction.INFER, "fraud.scorer"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> authorizer.checkModel(consumer, PolicyAction.INFER, "fraud.secret"))
        .isInstanceOf(NotFoundException.class);
    Principal named = key(Set.of("fraud.secret"), Set.of(), "consumer");
    assertThatCode(() -> authorizer.checkModel(named, PolicyAction.INFER, "fraud.secret"))
        .doesNotThrowAnyException();
  }

  @Test
  void checkModel_ungrantedOrMissingModel_lookTheSame() {
    Principal consumer = key(Set.of("other"), Set.of(), "consumer");
    assertThatThrownBy(() -> authorizer.checkModel(consumer, PolicyAction.INFER, "fraud.scorer"))
        .isInstanceOf(NotFoundException.class)
        .hasMessage(new NotFoundException("model", "fraud.scorer").getMessage());
    assertThatThrownBy(() -> authorizer.checkModel(consumer, PolicyAction.INFER, "no.such"))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void checkModel_visibleButNotPermitted_isForbidden() {
    Principal publisher = key(Set.of(), Set.of(), "publisher");
    assertThatThrownBy(() -> authorizer.checkModel(publisher, PolicyAction.DEPLOY, "fraud.scorer"))
        .isInstanceOf(ForbiddenException.class)
        .hasMessageContaining("'deploy'");
    Principal deployer = key(Set.of(), Set.of(), "deployer");
    assertThatCode(() -> authorizer.checkModel(deployer, PolicyAction.DEPLOY, "fraud.scorer"))
        .doesNotThrowAnyException();
  }

  @Test
  void checkModel_otherTenant_isNotFound_exceptForAdmin() {
    Principal deployer = key(Set.of(), Set.of(), "deployer");
    assertThatThrownBy(() -> authorizer.checkModel(deployer, PolicyAction.DEPLOY, "acme.model"))
        .isInstanceOf(NotFoundException.class);
    Principal admin = key(Set.of(), Set.of(), "admin");
    assertThatCode(() -> authorizer.checkModel(admin, PolicyAction.DEPLOY, "acme.model"))
        .doesNotThrowAnyException();
  }

  @Test
  void checkSystem_rolesAndScope() {
    Principal auditor = key(Set.of(), Set.of(), "auditor");
    assertThatCode(() -> authorizer.checkSystem(auditor, PolicyAction.READ_AUDIT))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> authorizer.checkSystem(auditor, PolicyAction.MANAGE_PRINCIPALS))
        .isInstanceOf(ForbiddenException.class);
    Principal limitedAdmin =
        new Principal(
            "k2",
            "k2",
            Set.of("admin"),
            "default",
            Set.of(),
            Set.of(),
            Set.of(PolicyAction.ROTATE_KEYS));
    assertThatCode(() -> authorizer.checkSystem(limitedAdmin, PolicyAction.ROTATE_KEYS))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> authorizer.checkSystem(limitedAdmin, PolicyAction.MANAGE_POLICY))
        .isInstanceOf(ForbiddenException.class)
        .hasMessageContaining("limited");
  }

  @Test
  void checkInTenant_otherTenantsThingsAreNotFound_missingToo_andNonManagersForbidden() {
    Principal manager = key(Set.of(), Set.of(), "admin");
    assertThatCode(
            () ->
                authorizer.checkInTenant(
                    manager, PolicyAction.MANAGE_PRINCIPALS, "key", "x", () -> Optional.of("acme")))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () ->
                authorizer.checkInTenant(
                    manager, PolicyAction.MANAGE_PRINCIPALS, "key", "x", Optional::empty))
        .isInstanceOf(NotFoundException.class);
    Principal consumer = key(Set.of(), Set.of("fraud"), "consumer");
    assertThatThrownBy(
            () ->
                authorizer.checkInTenant(
                    consumer,
                    PolicyAction.MANAGE_PRINCIPALS,
                    "key",
                    "x",
                    () -> Optional.of("default")))
        .isInstanceOf(ForbiddenException.class);
    // A people administrator of tenant acme (custom policy): its own tenant's keys yes, another
    // tenant's keys do not exist for it.
    Authorizer custom =
        new Authorizer(
            Policies.engine(
                new io.bulwark.security.policy.PolicyVersion(
                    2,
                    "@id(\"people-admin\") permit (principal,"
                        + " action == Bulwark::Action::\"manage-principals\", resource)"
                        + " when { principal.roles.contains(\"people-admin\") };\n"
                        + "@id(\"tenant-isolation\") forbid (principal, action, resource)"
                        + " unless { principal.tenant == resource.tenant };",
                    java.time.Instant.EPOCH,
                    "test",
                    "")),
            DIRECTORY);
    Principal acmePeople =
        new Principal("k3", "k3", Set.of("people-admin"), "acme", Set.of(), Set.of(), Set.of());
    assertThatCode(
            () ->
                custom.checkInTenant(
                    acmePeople,
                    PolicyAction.MANAGE_PRINCIPALS,
                    "key",
                    "x",
                    () -> Optional.of("acme")))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () ->
                custom.checkInTenant(
                    acmePeople,
                    PolicyAction.MANAGE_PRINCIPALS,
                    "key",
                    "x",
                    () -> Optional.of("default")))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void checkNamespace_publisherPushesOnlyInItsTenant() {
    Principal publisher = key(Set.of(), Set.of(), "publisher");
    assertThatCode(() -> authorizer.checkNamespace(publisher, PolicyAction.PUSH, "fraud"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> authorizer.checkNamespace(publisher, PolicyAction.PUSH, "acme"))
        .isInstanceOf(ForbiddenException.class);
    Principal consumer = key(Set.of(), Set.of("fraud"), "consumer");
    assertThatThrownBy(() -> authorizer.checkNamespace(consumer, PolicyAction.PUSH, "fraud"))
        .isInstanceOf(ForbiddenException.class);
  }
}
