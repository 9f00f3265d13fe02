package io.bulwark.security;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.ForbiddenException;
import io.bulwark.security.policy.PolicyAction;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrincipalTest {
  private static final Principal ADMIN = Principal.of("a", Set.of("admin"), "default");
  private static final Principal OFFICER =
      Principal.of("o", Set.of("security-officer", "consumer"), "default");
  private static final Principal SCOPED_OFFICER =
      new Principal(
          "s",
          "s",
          Set.of("security-officer"),
          "default",
          Set.of(),
          Set.of(),
          Set.of(PolicyAction.MANAGE_PRINCIPALS, PolicyAction.READ_AUDIT));

  @Test
  void checkMayGrant_unlimitedAdmin_mayGrantAnything() {
    assertThatCode(() -> ADMIN.checkMayGrant(Set.of("admin", "auditor"), Set.of(), "a key"))
        .doesNotThrowAnyException();
  }

  @Test
  void checkMayGrant_rolesItHolds_allowed() {
    assertThatCode(() -> OFFICER.checkMayGrant(Set.of("consumer"), Set.of(), "a key"))
        .doesNotThrowAnyException();
  }

  @Test
  void checkMayGrant_roleItLacksOrAdmin_refused() {
    assertThatThrownBy(() -> OFFICER.checkMayGrant(Set.of("auditor"), Set.of(), "a key"))
        .isInstanceOf(ForbiddenException.class)
        .hasMessageContaining("'auditor' is not");
    Principal limitedAdmin =
        new Principal(
            "l",
            "l",
            Set.of("admin"),
            "default",
            Set.of(),
            Set.of(),
            Set.of(PolicyAction.MANAGE_PRINCIPALS));
    assertThatThrownBy(
            () ->
                limitedAdmin.checkMayGrant(
                    Set.of("admin"), Set.of(PolicyAction.MANAGE_PRINCIPALS), "a key"))
        .isInstanceOf(ForbiddenException.class)
        .hasMessageContaining("'admin' is not");
  }

  @Test
  void checkMayGrant_scopedCreatorAndUnlimitedCredential_refused() {
    assertThatThrownBy(
            () -> SCOPED_OFFICER.checkMayGrant(Set.of("security-officer"), Set.of(), "a key"))
        .isInstanceOf(ForbiddenException.class)
        .hasMessageContaining("can only be limited to actions its creator is limited to");
  }

  @Test
  void checkMayGrant_scopedCreatorAndWiderLimit_refused() {
    assertThatThrownBy(
            () ->
                SCOPED_OFFICER.checkMayGrant(
                    Set.of("security-officer"),
                    Set.of(PolicyAction.MANAGE_PRINCIPALS, PolicyAction.MANAGE_POLICY),
                    "a key"))
        .isInstanceOf(ForbiddenException.class);
  }

  @Test
  void checkMayGrant_scopedCreatorAndNarrowerLimit_allowed() {
    assertThatCode(
            () ->
                SCOPED_OFFICER.checkMayGrant(
                    Set.of("security-officer"), Set.of(PolicyAction.READ_AUDIT), "a key"))
        .doesNotThrowAnyException();
  }
}
