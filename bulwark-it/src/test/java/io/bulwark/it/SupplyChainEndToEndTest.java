package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.core.NamespaceTrust;
import io.bulwark.core.SignerTrust;
import io.bulwark.core.SigningPolicyConfig;
import io.bulwark.demo.DemoModel;
import io.bulwark.testing.OnnxElementType;
import io.bulwark.testing.OnnxModels;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model supply chain from the attacker's side and the operator's: signatures enforced per
 * namespace and re-checked on every load, model cards, chain of custody, canaries, and online
 * rotation of the key-encryption key, all against the real server over TLS.
 */
class SupplyChainEndToEndTest {
  @TempDir Path tmp;

  private static final String INFER =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}";

  @Test
  void unsignedPush_isRefused_andNothingIsStored() throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      HttpResponse<String> r =
          s.pushParts(
              s.adminKey,
              "m",
              "1",
              TestServer.CARD,
              null,
              OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body())
          .contains("namespace 'default' accepts only models signed by a trusted signer");
      assertThat(s.get("/api/v1/models/m/versions/1", s.adminKey).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void pushSignedByAnUntrustedKey_isRefusedWithTheReason() throws Exception {
    TestSigner stranger = TestSigner.generate();
    byte[] model = OnnxModels.identity(OnnxElementType.FLOAT, 1, 2);
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      HttpResponse<String> r =
          s.pushParts(s.adminKey, "m", "1", TestServer.CARD, stranger.sign(model), model);
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body()).contains("not valid from a trusted signer of namespace 'default'");
      assertThat(s.get("/api/v1/models/m", s.adminKey).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void trustedSignatureOverOtherBytes_isRefused() throws Exception {
    byte[] model = OnnxModels.identity(OnnxElementType.FLOAT, 1, 2);
    byte[] other = OnnxModels.addAndSubtract();
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      HttpResponse<String> r =
          s.pushParts(s.adminKey, "m", "1", TestServer.CARD, TestServer.SIGNER.sign(other), model);
      assertThat(r.statusCode()).isEqualTo(403);
      HttpResponse<String> garbage =
          s.pushParts(
              s.adminKey,
              "m",
              "1",
              TestServer.CARD,
              "{\"not\":\"a bundle\"}".getBytes(StandardCharsets.UTF_8),
              model);
      assertThat(garbage.statusCode()).isEqualTo(403);
      assertThat(s.get("/api/v1/models/m", s.adminKey).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void maliciousPickle_isRefusedByTheAdmissionScan() throws Exception {
    // GLOBAL os.system, then REDUCE with ('id',): runs a command when unpickled.
    byte[] pickle = "cos\nsystem\n(S'id'\ntR.".getBytes(StandardCharsets.US_ASCII);
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      HttpResponse<String> r = s.pushModel("evil", "1", pickle);
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body()).contains("refused by the admission scan");
      assertThat(s.get("/api/v1/models/evil", s.adminKey).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void allowUnsignedNamespace_admitsUnsigned_andRecordsIt() throws Exception {
    SigningPolicyConfig policy =
        new SigningPolicyConfig(
            Map.of(
                "sandbox",
                new NamespaceTrust(true, List.of()),
                SigningPolicyConfig.ANY_NAMESPACE,
                new NamespaceTrust(
                    false, List.of(new SignerTrust.PublicKey(TestServer.SIGNER.publicKeyFile())))));
    try (TestServer s = TestServer.start(tmp.resolve("data"), b -> b.signing(policy))) {
      byte[] model = OnnxModels.identity(OnnxElementType.FLOAT, 1, 2);
      HttpResponse<String> sandbox =
          s.pushParts(s.adminKey, "sandbox.try", "1", TestServer.CARD, null, model);
      assertThat(sandbox.statusCode()).isEqualTo(201);
      JsonNode v = Jsons.parse(sandbox.body());
      assertThat(v.get("signed").asBoolean()).isFalse();
      assertThat(v.get("signer").isNull()).isTrue();
      assertThat(v.get("namespace").asText()).isEqualTo("sandbox");
      JsonNode shown =
          Jsons.parse(s.get("/api/v1/models/sandbox.try/versions/1", s.adminKey).body());
      assertThat(shown.at("/custody/events/0/reason").asText()).startsWith("unsigned");

      // Elsewhere signatures are still required.
      assertThat(s.pushParts(s.adminKey, "prod.m", "1", TestServer.CARD, null, model).statusCode())
          .isEqualTo(403);
      // And a signature that is present must still verify, even where unsigned is allowed.
      assertThat(
              s.pushParts(
                      s.adminKey,
                      "sandbox.try",
                      "2",
                      TestServer.CARD,
                      TestSigner.generate().sign(model),
                      model)
                  .statusCode())
          .isEqualTo(403);
    }
  }

  @Test
  void signerRemovedFromTheConfiguration_versionNoLongerLoads() throws Exception {
    Path data = tmp.resolve("data");
    try (TestServer s = TestServer.start(data)) {
      s.publish("m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
    }
    TestSigner other = TestSigner.generate();
    try (TestServer s = TestServer.start(data, b -> b.signing(TestServer.trusting(other)))) {
      HttpResponse<String> ready = s.get("/v2/health/ready", null);
      assertThat(ready.statusCode()).isEqualTo(503);
      HttpResponse<String> redeploy = s.deploy("m", "1");
      assertThat(redeploy.statusCode()).isEqualTo(409);
      assertThat(redeploy.body()).contains("cannot be loaded");
    }
    try (TestServer s = TestServer.start(data)) {
      assertThat(s.get("/v2/health/ready", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void card_isRequiredValidatedAndShown() throws Exception {
    byte[] model = OnnxModels.identity(OnnxElementType.FLOAT, 1, 2);
    byte[] sig = TestServer.SIGNER.sign(model);
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      HttpResponse<String> noCard = s.pushParts(s.adminKey, "m", "1", null, sig, model);
      assertThat(noCard.statusCode()).isEqualTo(400);
      assertThat(noCard.body()).contains("'card' part");
      HttpResponse<String> badTier =
          s.pushParts(
              s.adminKey, "m", "1", TestServer.CARD.replace("\"low\"", "\"none\""), sig, model);
      assertThat(badTier.statusCode()).isEqualTo(400);
      assertThat(badTier.body()).contains("risk_tier must be one of");
      HttpResponse<String> badParent =
          s.pushParts(
              s.adminKey,
              "m",
              "1",
              TestServer.CARD.replace("}", ",\"parent_version\":\"0\"}"),
              sig,
              model);
      assertThat(badParent.statusCode()).isEqualTo(400);
      assertThat(badParent.body()).contains("parent_version '0'");

      assertThat(s.pushModel("m", "1", model).statusCode()).isEqualTo(201);
      JsonNode v = Jsons.parse(s.get("/api/v1/models/m/versions/1", s.adminKey).body());
      assertThat(v.at("/card/owner").asText()).isEqualTo("test-team");
      assertThat(v.at("/card/data_classification").asText()).isEqualTo("internal");
    }
  }

  @Test
  void custody_namesSignerScanApprovalsAndDeployments_forAdminsOnly() throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      s.publish("m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      JsonNode v = Jsons.parse(s.get("/api/v1/models/m/versions/1", s.adminKey).body());
      JsonNode c = v.get("custody");
      assertThat(c.get("signer").asText()).startsWith("key sha256:");
      assertThat(c.get("scan_verdict").asText()).isEqualTo("safe");
      assertThat(c.at("/approvals/0/by").asText()).startsWith("key:");
      assertThat(c.at("/approvals/0/by").asText()).isNotEqualTo(c.get("published_by").asText());
      assertThat(c.get("deployments")).hasSize(1);
      assertThat(c.at("/deployments/0/action").asText()).isEqualTo("deploy");
      assertThat(c.get("serving").asText()).isEqualTo("deployed");
      assertThat(c.get("events").findValuesAsText("action"))
          .containsExactly("push", "approve", "deploy");

      String consumer = s.createKey("consumer", "m");
      JsonNode asConsumer = Jsons.parse(s.get("/api/v1/models/m/versions/1", consumer).body());
      assertThat(asConsumer.has("custody")).isFalse();
      assertThat(asConsumer.has("signer")).isFalse();
      assertThat(asConsumer.get("signed").asBoolean()).isTrue();
    }
  }

  @Test
  void canary_stickyPerCaller_promoteAndRollback() throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      s.publish("m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      assertThat(
              s.pushModel("m", "2", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2)).statusCode())
          .isEqualTo(201);
      assertThat(s.approve("m", "2").statusCode()).isEqualTo(200);
      HttpResponse<String> canary =
          s.putJson(
              "/api/v1/models/m/deployment",
              s.adminKey,
              "{\"version\":\"2\",\"canary_percent\":50,\"reason\":\"try 2\"}");
      assertThat(canary.statusCode()).isEqualTo(200);
      assertThat(Jsons.parse(canary.body()).at("/canary/version").asText()).isEqualTo("2");

      List<String> callers = new java.util.ArrayList<>();
      for (int i = 0; i < 12; i++) {
        callers.add(s.createKey("consumer", "m"));
      }
      Map<String, String> side = new java.util.HashMap<>();
      for (String caller : callers) {
        for (int i = 0; i < 3; i++) {
          HttpResponse<String> r = s.postJson("/v2/models/m/infer", caller, INFER);
          assertThat(r.statusCode()).isEqualTo(200);
          String served = Jsons.parse(r.body()).get("model_version").asText();
          assertThat(side.putIfAbsent(caller, served)).isIn(null, served);
        }
      }
      // 12 callers at 50%: both sides are used (the chance of one side only is 2 in 4096).
      assertThat(new HashSet<>(side.values())).containsExactlyInAnyOrder("1", "2");
      // Naming the canary's version does not opt a caller on the stable side into the canary.
      String stable =
          side.entrySet().stream()
              .filter(e -> e.getValue().equals("1"))
              .findFirst()
              .orElseThrow()
              .getKey();
      assertThat(s.postJson("/v2/models/m/versions/2/infer", stable, INFER).statusCode())
          .isEqualTo(404);
      assertThat(s.postJson("/v2/models/m/versions/1/infer", stable, INFER).statusCode())
          .isEqualTo(200);

      HttpResponse<String> rolled = s.postJson("/api/v1/models/m/rollback", s.adminKey, "");
      assertThat(rolled.statusCode()).isEqualTo(200);
      assertThat(servedVersions(s, callers)).containsExactly("1");
      JsonNode custody =
          Jsons.parse(s.get("/api/v1/models/m/versions/2", s.adminKey).body()).get("custody");
      assertThat(custody.get("deployments").findValuesAsText("action"))
          .containsExactly("canary", "rollback");
      assertThat(custody.at("/deployments/0/reason").asText()).contains("try 2");

      s.putJson(
          "/api/v1/models/m/deployment", s.adminKey, "{\"version\":\"2\",\"canary_percent\":10}");
      HttpResponse<String> promoted = s.postJson("/api/v1/models/m/promote", s.adminKey, "");
      assertThat(promoted.statusCode()).isEqualTo(200);
      assertThat(servedVersions(s, callers)).containsExactly("2");
      assertThat(s.postJson("/api/v1/models/m/promote", s.adminKey, "").statusCode())
          .isEqualTo(404);
      assertThat(
              s.putJson(
                      "/api/v1/models/m/deployment",
                      s.adminKey,
                      "{\"version\":\"1\",\"canary_percent\":100}")
                  .statusCode())
          .isEqualTo(400);
    }
  }

  private static Set<String> servedVersions(TestServer s, List<String> callers) throws Exception {
    Set<String> out = new HashSet<>();
    for (String caller : callers) {
      HttpResponse<String> r = s.postJson("/v2/models/m/infer", caller, INFER);
      assertThat(r.statusCode()).isEqualTo(200);
      out.add(Jsons.parse(r.body()).get("model_version").asText());
    }
    return out;
  }

  @Test
  void kekRotation_online_thenOldKeyDisabled_everyModelStillLoads() throws Exception {
    Path data = tmp.resolve("data");
    try (TestServer s = TestServer.start(data)) {
      s.publish("m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      s.publish("n", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      String consumer = s.createKey("consumer", "m");
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      Thread load =
          Thread.ofVirtual()
              .start(
                  () -> {
                    while (!stop.get()) {
                      try {
                        int code = s.postJson("/v2/models/m/infer", consumer, INFER).statusCode();
                        (code == 200 ? ok : failed).incrementAndGet();
                      } catch (Exception e) {
                        failed.incrementAndGet();
                      }
                    }
                  });
      JsonNode before = Jsons.parse(s.get("/api/v1/kek", s.adminKey).body());
      String old = before.get("current").asText();
      HttpResponse<String> rotated =
          s.postJson("/api/v1/kek/rotate", s.adminKey, "{\"disable_previous\":true}");
      stop.set(true);
      load.join();
      assertThat(rotated.statusCode()).isEqualTo(200);
      JsonNode r = Jsons.parse(rotated.body());
      assertThat(r.get("previous").asText()).isEqualTo(old);
      assertThat(r.get("current").asText()).isNotEqualTo(old);
      assertThat(r.get("rewrapped").asInt()).isEqualTo(2);
      assertThat(r.get("disabled").get(0).asText()).isEqualTo(old);
      assertThat(failed.get()).isZero();
      assertThat(ok.get()).isPositive();

      HttpResponse<String> disableCurrent =
          s.postJson(
              "/api/v1/kek/disable",
              s.adminKey,
              "{\"key_id\":\"" + r.get("current").asText() + "\"}");
      assertThat(disableCurrent.statusCode()).isEqualTo(409);
    }
    // A fresh process with the old key disabled loads every deployed model.
    try (TestServer s = TestServer.start(data)) {
      assertThat(s.get("/v2/health/ready", null).statusCode()).isEqualTo(200);
      String consumer = s.createKey("consumer", "m", "n");
      assertThat(s.postJson("/v2/models/m/infer", consumer, INFER).statusCode()).isEqualTo(200);
      assertThat(s.postJson("/v2/models/n/infer", consumer, INFER).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void demo_isPushedSigned() throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      s.server.deployDemo();
      JsonNode v =
          Jsons.parse(
              s.get("/api/v1/models/" + DemoModel.name() + "/versions/1", s.adminKey).body());
      assertThat(v.get("signed").asBoolean()).isTrue();
      assertThat(v.at("/card/risk_tier").asText()).isEqualTo("low");

      // The demo signer's key lies in the data directory: it vouches for the demo model only.
      byte[] other = OnnxModels.identity(OnnxElementType.FLOAT, 1, 2);
      String sha =
          java.util.HexFormat.of()
              .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(other));
      byte[] demoSigned =
          io.bulwark.server.internal.DemoSigner.loadOrCreate(s.dataDir.resolve("keys"))
              .sign("model.onnx", sha);
      HttpResponse<String> r =
          s.pushParts(s.adminKey, "other", "1", TestServer.CARD, demoSigned, other);
      assertThat(r.statusCode()).isEqualTo(403);
    }
  }
}
