package io.bulwark.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.InsecureSecretAccess;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.NotFoundException;
import io.bulwark.core.SecureFiles;
import io.bulwark.security.policy.PolicyAction;
import io.bulwark.storage.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
  @TempDir Path dir;
  private Database db;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  @BeforeEach
  void setUp() throws Exception {
    db = Database.open(dir);
  }

  private ApiKeys keys() throws Exception {
    return ApiKeys.open(db, dir.resolve("hmac.key"), clock);
  }

  private static String text(IssuedApiKey k) {
    return ApiKeys.reveal(k, InsecureSecretAccess.get());
  }

  @Test
  void authenticate_issuedKey_returnsPrincipalWithGrants() throws Exception {
    ApiKeys keys = keys();
    IssuedApiKey k = keys.create(NewApiKey.of("app", Role.CONSUMER, Set.of("m1"), null), "admin");
    Principal p = keys.authenticate(text(k));
    assertThat(p.roles()).containsExactly("consumer");
    assertThat(p.tenant()).isEqualTo("default");
    assertThat(p.models()).containsExactly("m1");
    assertThat(text(k)).startsWith("bwk_").hasSize(64);
  }

  @Test
  void authenticate_oneCharacterChanged_throws() throws Exception {
    ApiKeys keys = keys();
    String key = text(keys.create(NewApiKey.of("app", Role.ADMIN, Set.of(), null), "a"));
    char last = key.charAt(key.length() - 1);
    String forged = key.substring(0, key.length() - 1) + (last == 'A' ? 'B' : 'A');
    assertThatThrownBy(() -> keys.authenticate(forged))
        .isInstanceOf(AuthenticationException.class)
        .hasMessage("invalid or missing credentials");
  }

  @Test
  void authenticate_malformedOrUnknown_throws() throws Exception {
    ApiKeys keys = keys();
    for (String bad :
        new String[] {
          "", "bwk_", "Bearer x", "bwk_0123456789abcdef_" + "A".repeat(43), "x".repeat(10_000)
        }) {
      assertThatThrownBy(() -> keys.authenticate(bad)).isInstanceOf(AuthenticationException.class);
    }
  }

  @Test
  void revoke_takesEffectOnNextCall() throws Exception {
    ApiKeys keys = keys();
    IssuedApiKey k = keys.create(NewApiKey.of("app", Role.ADMIN, Set.of(), null), "a");
    keys.authenticate(text(k));
    keys.revoke(k.info().id(), "a");
    assertThatThrownBy(() -> keys.authenticate(text(k)))
        .isInstanceOf(AuthenticationException.class)
        .extracting(e -> ((AuthenticationException) e).reason())
        .asString()
        .contains("revoked");
    // and after a restart
    assertThatThrownBy(() -> keys().authenticate(text(k)))
        .isInstanceOf(AuthenticationException.class);
  }

  @Test
  void authenticate_afterExpiry_throws() throws Exception {
    ApiKeys keys = keys();
    IssuedApiKey k =
        keys.create(
            NewApiKey.of("app", Role.ADMIN, Set.of(), clock.instant().plusSeconds(60)), "a");
    clock.advance(Duration.ofSeconds(59));
    keys.authenticate(text(k));
    clock.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> keys.authenticate(text(k)))
        .isInstanceOf(AuthenticationException.class);
  }

  @Test
  void create_expiryInPast_isRefused() throws Exception {
    ApiKeys keys = keys();
    assertThatThrownBy(
            () ->
                keys.create(
                    NewApiKey.of("x", Role.ADMIN, Set.of(), clock.instant().minusSeconds(1)), "a"))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void revoke_unknownId_isNotFound() throws Exception {
    assertThatThrownBy(() -> keys().revoke("0000000000000000", "a"))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void open_again_authenticatesExistingKeys() throws Exception {
    IssuedApiKey k = keys().create(NewApiKey.of("app", Role.ADMIN, Set.of(), null), "a");
    assertThat(keys().authenticate(text(k)).id()).isEqualTo(k.info().id());
  }

  @Test
  void storage_holdsNoPlaintextKey() throws Exception {
    String key = text(keys().create(NewApiKey.of("app", Role.ADMIN, Set.of(), null), "a"));
    String secretPart = key.substring(21);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertThat(content).as(f.toString()).doesNotContain(secretPart);
      }
    }
    assertThat(SecureFiles.isExposed(dir.resolve("hmac.key"))).isFalse();
  }

  @Test
  void open_exposedHmacSecret_isRefused() throws Exception {
    keys();
    Files.setPosixFilePermissions(
        dir.resolve("hmac.key"), PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(this::keys).hasMessageContaining("chmod 600");
  }

  @Test
  void create_scopedKey_principalCarriesRolesTenantGrantsAndLimit_afterRestart() throws Exception {
    ApiKeys keys = keys();
    IssuedApiKey k =
        keys.create(
            new NewApiKey(
                "ci",
                Set.of(Role.PUBLISHER, Role.DEPLOYER),
                "acme",
                Set.of("fraud.v1"),
                Set.of("credit"),
                Set.of(PolicyAction.PUSH, PolicyAction.READ_MODEL),
                null),
            "admin");
    Principal p = keys().authenticate(text(k));
    assertThat(p.roles()).containsExactlyInAnyOrder("publisher", "deployer");
    assertThat(p.tenant()).isEqualTo("acme");
    assertThat(p.models()).containsExactly("fraud.v1");
    assertThat(p.namespaces()).containsExactly("credit");
    assertThat(p.inScope(PolicyAction.PUSH)).isTrue();
    assertThat(p.inScope(PolicyAction.DEPLOY)).isFalse();
    assertThat(p.isUnlimitedAdmin()).isFalse();
    // A limited admin key does not count as a usable admin for bootstrap purposes.
    assertThat(keys.hasUsableAdmin()).isFalse();
  }

  @Test
  void newApiKey_badScope_isRefused() {
    assertThatThrownBy(
            () -> new NewApiKey("a", Set.of(), "default", Set.of(), Set.of(), Set.of(), null))
        .hasMessageContaining("at least one role");
    assertThatThrownBy(
            () ->
                new NewApiKey(
                    "a", Set.of(Role.CONSUMER), "Acme!", Set.of(), Set.of(), Set.of(), null))
        .hasMessageContaining("tenant");
    assertThatThrownBy(
            () ->
                new NewApiKey(
                    "a", Set.of(Role.CONSUMER), "default", Set.of(), Set.of("a.b"), Set.of(), null))
        .hasMessageContaining("invalid namespace");
  }

  @Test
  void newApiKey_adminWithModels_isRefused() {
    assertThatThrownBy(() -> NewApiKey.of("a", Role.ADMIN, Set.of("m"), null))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void rotate_bothWorkDuringOverlap_thenOnlyTheNewOne_andSurvivesRestart() throws Exception {
    ApiKeys keys = keys();
    IssuedApiKey old = keys.create(NewApiKey.of("app", Role.CONSUMER, Set.of("m1"), null), "admin");
    IssuedApiKey fresh = keys.rotate(old.info().id(), Duration.ofHours(1), "admin");

    assertThat(fresh.info().scope().models()).containsExactly("m1");
    assertThat(fresh.info().name()).isEqualTo("app");
    assertThat(keys.authenticate(text(old)).id()).isEqualTo(old.info().id());
    assertThat(keys.authenticate(text(fresh)).id()).isEqualTo(fresh.info().id());
    ApiKeys reopened = keys();
    clock.advance(Duration.ofHours(1));
    assertThatThrownBy(() -> reopened.authenticate(text(old)))
        .isInstanceOf(AuthenticationException.class);
    assertThat(reopened.authenticate(text(fresh)).models()).containsExactly("m1");
  }

  @Test
  void rotate_zeroOverlapRevokesAtOnce_revokedOrUnknownRefused_overlapBounded() throws Exception {
    ApiKeys keys = keys();
    IssuedApiKey old = keys.create(NewApiKey.of("app", Role.ADMIN, Set.of(), null), "admin");
    keys.rotate(old.info().id(), Duration.ZERO, "admin");
    assertThatThrownBy(() -> keys.authenticate(text(old)))
        .isInstanceOf(AuthenticationException.class);
    assertThatThrownBy(() -> keys.rotate(old.info().id(), Duration.ZERO, "admin"))
        .isInstanceOf(io.bulwark.core.ConflictException.class);
    assertThatThrownBy(() -> keys.rotate("0123456789abcdef", Duration.ZERO, "admin"))
        .isInstanceOf(io.bulwark.core.NotFoundException.class);
    IssuedApiKey other = keys.create(NewApiKey.of("b", Role.ADMIN, Set.of(), null), "admin");
    keys.rotate(other.info().id(), ApiKeys.MAX_ROTATION_OVERLAP, "admin");
    assertThatThrownBy(
            () -> keys.rotate(other.info().id(), ApiKeys.MAX_ROTATION_OVERLAP.plusSeconds(1), "a"))
        .isInstanceOf(InvalidRequestException.class);
  }

  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
