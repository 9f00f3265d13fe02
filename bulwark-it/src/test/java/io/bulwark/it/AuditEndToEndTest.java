package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.audit.Checkpoint;
import io.bulwark.audit.Merkle;
import io.bulwark.audit.NoteVerifierKey;
import io.bulwark.testing.OnnxElementType;
import io.bulwark.testing.OnnxModels;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log as an auditor sees it through the API, and as it fails closed. */
class AuditEndToEndTest {
  @TempDir Path tmp;

  private static final String INFER =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}";

  private static List<JsonNode> entries(TestServer s) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    long start = 0;
    while (true) {
      JsonNode page =
          Jsons.parse(
              s.get("/api/v1/audit/entries?start=" + start + "&count=1000", s.adminKey).body());
      for (JsonNode e : page.get("entries")) {
        out.add(e);
      }
      start += page.get("entries").size();
      if (page.get("entries").isEmpty() || start >= page.get("tree_size").asLong()) {
        return out;
      }
    }
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void everySecurityEvent_isRecorded_withDigestsNotPayloads_andProvableAgainstACheckpoint()
      throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      s.publish("m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      String consumer = s.createKey("consumer", "m");
      HttpResponse<byte[]> inferred =
          s.http.send(
              s.request("/v2/models/m/infer", consumer)
                  .header("Content-Type", "application/json")
                  .POST(java.net.http.HttpRequest.BodyPublishers.ofString(INFER))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(inferred.statusCode()).isEqualTo(200);
      assertThat(s.get("/api/v1/keys", "bwk_0000000000000000_" + "A".repeat(43)).statusCode())
          .isEqualTo(401);
      assertThat(s.get("/api/v1/keys", consumer).statusCode()).isEqualTo(403);
      assertThat(s.get("/api/v1/audit/entries", consumer).statusCode()).isEqualTo(403);

      List<JsonNode> entries = entries(s);
      List<String> types = entries.stream().map(e -> e.at("/event/type").asText()).toList();
      assertThat(types)
          .contains(
              "SERVER_START",
              "MODEL_PUSH",
              "SCAN_VERDICT",
              "SIGNATURE_VERDICT",
              "APPROVE",
              "DEPLOY",
              "PRINCIPAL_CHANGE",
              "INFERENCE",
              "AUTHENTICATION_FAILURE",
              "AUTHORIZATION_DENIED");
      JsonNode inference =
          entries.stream()
              .filter(e -> e.at("/event/type").asText().equals("INFERENCE"))
              .findFirst()
              .orElseThrow();
      JsonNode params = inference.at("/event/parameters");
      assertThat(inference.at("/event/outcome").asText()).isEqualTo("SUCCESS");
      assertThat(inference.at("/event/resource").asText()).isEqualTo("model:m/1");
      assertThat(params.get("input_sha256").asText())
          .isEqualTo(sha256(INFER.getBytes(StandardCharsets.UTF_8)));
      assertThat(params.get("output_sha256").asText()).isEqualTo(sha256(inferred.body()));
      assertThat(params.get("latency_us").asLong()).isPositive();
      // Digests, never payloads; never a credential.
      for (JsonNode e : entries) {
        String text = e.get("event").toString();
        assertThat(text).doesNotContain("\"data\"").doesNotContain(consumer).doesNotContain("bwk_");
      }

      // The auditor's check: the checkpoint verifies with the published key, and the inference
      // entry is included in the tree the checkpoint commits to.
      String keyText = s.get("/api/v1/audit/key", s.adminKey).body().strip();
      assertThat(keyText)
          .isEqualTo(Files.readString(s.dataDir.resolve("audit").resolve(keyFile(s))).strip());
      NoteVerifierKey key = NoteVerifierKey.parse(keyText);
      Checkpoint checkpoint = awaitCheckpointCovering(s, key, inference.get("index").asLong() + 1);
      JsonNode proof =
          Jsons.parse(
              s.get(
                      "/api/v1/audit/proof/inclusion?index="
                          + inference.get("index").asLong()
                          + "&tree_size="
                          + checkpoint.size(),
                      s.adminKey)
                  .body());
      byte[] leaf = Base64.getDecoder().decode(inference.get("leaf").asText());
      Merkle.verifyInclusion(
          inference.get("index").asLong(),
          checkpoint.size(),
          Merkle.leafHash(leaf),
          hashes(proof),
          checkpoint.rootHash());

      // A later checkpoint is consistent with this one.
      assertThat(s.postJson("/v2/models/m/infer", consumer, INFER).statusCode()).isEqualTo(200);
      Checkpoint later = awaitCheckpointCovering(s, key, checkpoint.size() + 1);
      JsonNode consistency =
          Jsons.parse(
              s.get(
                      "/api/v1/audit/proof/consistency?from="
                          + checkpoint.size()
                          + "&to="
                          + later.size(),
                      s.adminKey)
                  .body());
      Merkle.verifyConsistency(
          checkpoint.size(),
          later.size(),
          checkpoint.rootHash(),
          later.rootHash(),
          hashes(consistency));
      assertThat(s.get("/api/v1/audit/proof/inclusion?index=999999", s.adminKey).statusCode())
          .isEqualTo(400);
      assertThat(s.get("/api/v1/audit/entries?count=1001", s.adminKey).statusCode()).isEqualTo(400);
    }
  }

  @Test
  void logCannotBeWritten_auditedCallsRefusedWith503_readySaysWhy_andServiceResumes()
      throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      s.publish("m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      String consumer = s.createKey("consumer", "m");
      Path entries = s.dataDir.resolve("audit").resolve("entries.log");
      assertThat(entries).exists();
      assumeTrue(chattr("+i", entries), "chattr +i is not available here");
      try {
        // The first write fails and marks the log unavailable; from then on every audited call
        // is refused before it runs.
        int first = s.postJson("/v2/models/m/infer", consumer, INFER).statusCode();
        assertThat(first).isEqualTo(503);
        HttpResponse<String> again = s.postJson("/v2/models/m/infer", consumer, INFER);
        assertThat(again.statusCode()).isEqualTo(503);
        assertThat(again.body()).contains("audit log");
        assertThat(
                s.putJson("/api/v1/models/m/deployment", s.adminKey, "{\"version\":\"1\"}")
                    .statusCode())
            .isEqualTo(503);
        HttpResponse<String> ready = s.get("/v2/health/ready", null);
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("audit log");
      } finally {
        chattr("-i", entries);
      }
      long deadline = System.nanoTime() + 20_000_000_000L;
      int status = 503;
      while (status != 200 && System.nanoTime() < deadline) {
        Thread.sleep(200);
        status = s.postJson("/v2/models/m/infer", consumer, INFER).statusCode();
      }
      assertThat(status).as("service resumes once the log can be written").isEqualTo(200);
      assertThat(s.get("/v2/health/ready", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void siemFile_receivesOcsfLines_forInferenceAndDenials() throws Exception {
    Path feed = tmp.resolve("siem/events.jsonl");
    Files.createDirectories(feed.getParent());
    try (TestServer s =
        TestServer.start(
            tmp.resolve("data"),
            b ->
                b.siem(
                    new io.bulwark.core.SiemConfig(
                        feed, null, 0, null, io.bulwark.core.SiemConfig.DEFAULT_BUFFER_EVENTS)))) {
      s.publish("m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      String consumer = s.createKey("consumer", "m");
      assertThat(s.postJson("/v2/models/m/infer", consumer, INFER).statusCode()).isEqualTo(200);
      assertThat(s.get("/api/v1/keys", consumer).statusCode()).isEqualTo(403);
      long deadline = System.nanoTime() + 10_000_000_000L;
      List<JsonNode> lines = List.of();
      while (System.nanoTime() < deadline) {
        lines =
            Files.exists(feed)
                ? Files.readAllLines(feed).stream().map(Jsons::parse).toList()
                : List.of();
        if (lines.stream().anyMatch(l -> l.toString().contains("AUTHORIZATION_DENIED"))
            && lines.stream().anyMatch(l -> l.toString().contains("INFERENCE"))) {
          break;
        }
        Thread.sleep(100);
      }
      assertThat(lines).anyMatch(l -> l.path("class_uid").asInt() == 6003);
      assertThat(lines.toString()).contains("INFERENCE").contains("AUTHORIZATION_DENIED");
      assertThat(lines.toString()).doesNotContain(consumer);
    }
  }

  @Test
  void demoDeployment_isAuditedLikeAnyOther() throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      s.server.deployDemo();
      List<String> steps =
          entries(s).stream()
              .filter(e -> e.at("/event/resource").asText().startsWith("model:credit-risk"))
              .map(e -> e.at("/event/type").asText() + " by " + e.at("/event/actor").asText())
              .toList();
      assertThat(steps)
          .containsSubsequence(
              "MODEL_PUSH by system:demo",
              "APPROVE by system:demo-approver",
              "DEPLOY by system:demo");
    }
  }

  private static String keyFile(TestServer s) throws IOException {
    try (var files = Files.list(s.dataDir.resolve("audit"))) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".vkey") || n.contains("verifier"))
          .findFirst()
          .orElseThrow();
    }
  }

  private static Checkpoint awaitCheckpointCovering(TestServer s, NoteVerifierKey key, long size)
      throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      Checkpoint c = Checkpoint.verify(s.get("/api/v1/audit/checkpoint", s.adminKey).body(), key);
      if (c.size() >= size || System.nanoTime() > deadline) {
        assertThat(c.size()).isGreaterThanOrEqualTo(size);
        return c;
      }
      Thread.sleep(100);
    }
  }

  private static List<byte[]> hashes(JsonNode proof) {
    List<byte[]> out = new ArrayList<>();
    proof.get("hashes").forEach(h -> out.add(Base64.getDecoder().decode(h.asText())));
    return out;
  }

  private static boolean chattr(String flag, Path file) throws InterruptedException {
    try {
      Process p =
          new ProcessBuilder("chattr", flag, file.toString()).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
