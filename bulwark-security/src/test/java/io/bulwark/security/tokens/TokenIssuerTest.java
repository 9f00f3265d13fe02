package io.bulwark.security.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.security.jwt.JwkSet;
import io.bulwark.security.jwt.TokenPolicy;
import io.bulwark.security.jwt.TokenRejectedException;
import io.bulwark.security.jwt.TokenValidator;
import io.bulwark.security.jwt.VerifiedToken;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenIssuerTest {
  @TempDir Path dir;

  private static final class MutableClock extends Clock {
    Instant now = Instant.parse("2026-11-22T10:00:00Z");

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

  private final MutableClock clock = new MutableClock();

  private TokenIssuer issuer() throws Exception {
    return TokenIssuer.open(
        dir.resolve("token-keys.json"),
        "https://bulwark.test",
        clock,
        Duration.ofDays(1),
        Duration.ofHours(1),
        Duration.ofMinutes(10));
  }

  @Test
  void issue_thenValidate_withClaims_andFileIsPrivate() throws Exception {
    TokenIssuer t = issuer();
    String token = t.issue("key123", Map.of("role", "consumer", "models", List.of("m")));
    VerifiedToken v = t.validate(token);
    assertThat(v.subject()).isEqualTo("key123");
    assertThat(v.claims()).containsEntry("role", "consumer").containsEntry("models", List.of("m"));
    assertThat(v.expiresAt()).isEqualTo(clock.now.plus(Duration.ofMinutes(10)));
    assertThat(Files.getPosixFilePermissions(dir.resolve("token-keys.json")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    String header =
        new String(
            Base64.getUrlDecoder().decode(token.split("\\.", -1)[0]), StandardCharsets.UTF_8);
    assertThat(header).contains("\"alg\":\"ES256\"").contains("\"typ\":\"at+jwt\"");
  }

  @Test
  void publishedJwks_verifiesWithAnIndependentValidator() throws Exception {
    TokenIssuer t = issuer();
    String token = t.issue("k", Map.of());
    JwkSet published = JwkSet.parse(t.jwks().toString().getBytes(StandardCharsets.UTF_8));
    TokenValidator v =
        TokenValidator.create(
            published, TokenPolicy.builder("https://bulwark.test", TokenIssuer.AUDIENCE).build());
    assertThat(v.validate(token, clock.now).subject()).isEqualTo("k");
    assertThat(t.jwks().toString()).doesNotContain("\"d\"");
  }

  @Test
  void expired_forged_andTampered_areRefused() throws Exception {
    TokenIssuer t = issuer();
    String token = t.issue("k", Map.of());
    String[] parts = token.split("\\.", -1);
    String otherBody =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                    .replace("\"sub\":\"k\"", "\"sub\":\"admin\"")
                    .getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> t.validate(parts[0] + "." + otherBody + "." + parts[2]))
        .isInstanceOf(TokenRejectedException.class);

    // A token from another server (another key) is refused.
    Path other = dir.resolve("other");
    Files.createDirectories(other);
    TokenIssuer stranger = TokenIssuer.open(other.resolve("k.json"), "https://bulwark.test", clock);
    assertThatThrownBy(() -> t.validate(stranger.issue("k", Map.of())))
        .isInstanceOf(TokenRejectedException.class);

    clock.now = clock.now.plus(Duration.ofMinutes(11));
    assertThatThrownBy(() -> t.validate(token)).isInstanceOf(TokenRejectedException.class);
  }

  @Test
  void rotation_oldKeyStillAcceptedDuringOverlap_thenDropped() throws Exception {
    TokenIssuer t = issuer();
    String first = t.keyIds().get(0);
    clock.now = clock.now.plus(Duration.ofDays(1)).minusSeconds(60);
    String old = t.issue("k", Map.of());
    clock.now = clock.now.plusSeconds(61); // the first key is now a day old
    String fresh = t.issue("k", Map.of());
    assertThat(t.keyIds()).hasSize(2).startsWith(first);
    assertThat(t.validate(old).kid()).isEqualTo(first);
    assertThat(t.validate(fresh).kid()).isNotEqualTo(first);

    // Reopened from the file: same keys.
    assertThat(issuer().keyIds()).isEqualTo(t.keyIds());

    clock.now = clock.now.plus(Duration.ofHours(1)).plusSeconds(1);
    t.issue("k", Map.of());
    assertThat(t.keyIds()).doesNotContain(first);
  }

  @Test
  void overlapShorterThanLifetime_refused() {
    assertThatThrownBy(
            () ->
                TokenIssuer.open(
                    dir.resolve("k.json"),
                    "i",
                    clock,
                    Duration.ofDays(1),
                    Duration.ofMinutes(5),
                    Duration.ofMinutes(10)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
