package io.bulwark.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.ConflictException;
import io.bulwark.core.ForbiddenException;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.NotFoundException;
import io.bulwark.crypto.ArtifactSealers;
import io.bulwark.crypto.KeyEncryptionKeys;
import io.bulwark.storage.Database;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupplyChainRegistryTest {
  @TempDir Path dir;
  private ModelRegistry registry;

  private static final ModelCard CARD =
      new ModelCard(
          "risk-team",
          "scores credit applications",
          "pre-screening",
          "not for final decisions",
          List.of("applications-2025"),
          "Apache-2.0",
          "high",
          "confidential",
          null);

  @BeforeEach
  void setUp() throws Exception {
    registry =
        ModelRegistry.open(
            Database.open(dir),
            dir.resolve("blobs"),
            ArtifactSealers.tinkStreaming(KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"))),
            Clock.systemUTC());
  }

  private ModelVersion push(String version, ModelCard card, byte[] signature, String signer)
      throws Exception {
    return registry.push(
        new PushRequest("m", version, "onnx", "publisher", 1000, card, signature),
        new ByteArrayInputStream(("model " + version).getBytes(StandardCharsets.UTF_8)),
        (p, sha) -> new Admission("{}", "safe", signer));
  }

  @Test
  void push_withCardAndSignature_recordsThemForCustody() throws Exception {
    byte[] bundle = "{\"bundle\":1}".getBytes(StandardCharsets.UTF_8);
    push("1", CARD, bundle, "key sha256:ab");

    ModelVersion v = registry.version("m", "1");
    assertThat(v.card()).isEqualTo(CARD);
    assertThat(v.signer()).isEqualTo("key sha256:ab");
    assertThat(v.signed()).isTrue();
    assertThat(v.scanVerdict()).isEqualTo("safe");
    assertThat(registry.signature("m", "1"))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(bundle));
  }

  @Test
  void push_inspectorSeesTheDigestOfWhatIsStored() throws Exception {
    byte[] model = "model bytes".getBytes(StandardCharsets.UTF_8);
    String[] seen = new String[1];
    ModelVersion v =
        registry.push(
            new PushRequest("m", "1", "onnx", "p", 1000),
            new ByteArrayInputStream(model),
            (p, sha) -> {
              seen[0] = sha;
              return new Admission("{}", "safe", null);
            });
    assertThat(seen[0]).isEqualTo(v.sha256());
    assertThat(registry.signature("m", "1")).isEmpty();
    assertThat(v.signed()).isFalse();
  }

  @Test
  void push_untrustedSignature_storesNothing() throws Exception {
    assertThatThrownBy(
            () ->
                registry.push(
                    new PushRequest("m", "1", "onnx", "p", 1000, CARD, new byte[] {1}),
                    new ByteArrayInputStream(new byte[] {1, 2, 3}),
                    (p, sha) -> {
                      throw new ForbiddenException("not signed by a trusted signer");
                    }))
        .isInstanceOf(ForbiddenException.class);
    assertThat(registry.list()).isEmpty();
    try (Stream<Path> s = Files.list(dir.resolve("blobs"))) {
      assertThat(s.count()).isZero();
    }
  }

  @Test
  void push_parentVersionMissing_refused() {
    ModelCard child =
        new ModelCard("o", "d", "u", null, List.of(), "MIT", "low", "public", "0.9-does-not-exist");
    assertThatThrownBy(() -> push("1", child, new byte[] {1}, "s"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("parent_version '0.9-does-not-exist'");
  }

  @Test
  void push_parentVersionExists_recordsLineage() throws Exception {
    push("1", CARD, new byte[] {1}, "s");
    ModelCard child = new ModelCard("o", "d", "u", null, List.of(), "MIT", "low", "public", "1");
    assertThat(push("2", child, new byte[] {1}, "s").card()).isEqualTo(child);
  }

  @Test
  void canary_startPromoteAndEnd_recordedAndRouted() throws Exception {
    push("1", CARD, new byte[] {1}, "s");
    push("2", CARD, new byte[] {1}, "s");
    registry.approve("m", "1", "approver", null);
    registry.approve("m", "2", "approver", null);
    registry.deploy("m", "1", "deployer", "deploy", null);

    Deployment d = registry.startCanary("m", "2", 10, "deployer", "watch error rate");
    assertThat(d.canary()).isNotNull();
    assertThat(registry.deployment("m").orElseThrow().canary())
        .extracting(Deployment.Canary::version, Deployment.Canary::percent)
        .containsExactly("2", 10);
    assertThatThrownBy(() -> registry.retire("m", "2", "x", null))
        .isInstanceOf(ConflictException.class);

    registry.endCanary("m", "deployer", "rollback", "latency");
    assertThat(registry.deployment("m").orElseThrow().canary()).isNull();
    assertThatThrownBy(() -> registry.endCanary("m", "deployer", "rollback", null))
        .isInstanceOf(NotFoundException.class);

    registry.startCanary("m", "2", 50, "deployer", null);
    registry.deploy("m", "2", "deployer", "promote", null);
    Deployment promoted = registry.deployment("m").orElseThrow();
    assertThat(promoted.version()).isEqualTo("2");
    assertThat(promoted.canary()).isNull();
    assertThat(registry.deploymentHistory("m"))
        .extracting(DeploymentRecord::version)
        .containsExactly("1", "2");
    assertThat(registry.events("m"))
        .extracting(ModelEvent::action)
        .containsSubsequence("deploy", "canary", "rollback", "canary", "promote");
  }

  @Test
  void canary_ofDeployedVersionOrDraft_refused() throws Exception {
    push("1", CARD, new byte[] {1}, "s");
    push("2", CARD, new byte[] {1}, "s");
    registry.approve("m", "1", "approver", null);
    assertThatThrownBy(() -> registry.startCanary("m", "1", 10, "d", null))
        .isInstanceOf(NotFoundException.class);
    registry.deploy("m", "1", "deployer", "deploy", null);
    assertThatThrownBy(() -> registry.startCanary("m", "1", 10, "d", null))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> registry.startCanary("m", "2", 10, "d", null))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("draft");
  }

  @Test
  void card_parse_strict() {
    String ok =
        "{\"owner\":\"o\",\"description\":\"d\",\"intended_use\":\"u\",\"licence\":\"MIT\","
            + "\"risk_tier\":\"low\"}";
    ModelCard card = ModelCards.parse(ok.getBytes(StandardCharsets.UTF_8));
    assertThat(card.dataClassification()).isEqualTo("internal");
    assertThat(ModelCards.parse(ModelCards.toJson(card).getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(card);

    assertThatThrownBy(
            () ->
                ModelCards.parse(ok.replace("\"low\"", "\"meh\"").getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("risk_tier must be one of");
    assertThatThrownBy(
            () ->
                ModelCards.parse(
                    ok.replace("\"owner\":\"o\",", "").getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("owner is required");
    assertThatThrownBy(
            () ->
                ModelCards.parse(ok.replace("{", "{\"extra\":1,").getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("unknown field 'extra'");
    assertThatThrownBy(
            () ->
                ModelCards.parse(
                    ok.replace("{", "{\"owner\":\"x\",").getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(
            () ->
                ModelCards.parse(
                    ok.replace("\"o\"", "\"a\\u202eb\"").getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("invisible formatting");
    assertThatThrownBy(
            () -> ModelCards.parse(ok.replace("\"o\"", "42").getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("owner must be a string");
    assertThatThrownBy(() -> ModelCards.parse("[]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void card_limits_justBelowAndAbove() {
    String justFits = "x".repeat(ModelCard.MAX_SHORT);
    new ModelCard(justFits, "d", "u", null, List.of(), "MIT", "low", "public", null);
    assertThatThrownBy(
            () ->
                new ModelCard(
                    justFits + "x", "d", "u", null, List.of(), "MIT", "low", "public", null))
        .hasMessageContaining("owner is longer than 256");
    List<String> many = java.util.Collections.nCopies(ModelCard.MAX_LIST, "s");
    new ModelCard("o", "d", "u", null, many, "MIT", "low", "public", null);
    List<String> tooMany = java.util.Collections.nCopies(ModelCard.MAX_LIST + 1, "s");
    assertThatThrownBy(
            () -> new ModelCard("o", "d", "u", null, tooMany, "MIT", "low", "public", null))
        .hasMessageContaining("more than 32 entries");
    byte[] huge = new byte[ModelCards.MAX_BYTES + 1];
    assertThatThrownBy(() -> ModelCards.parse(huge)).hasMessageContaining("larger than");
  }
}
