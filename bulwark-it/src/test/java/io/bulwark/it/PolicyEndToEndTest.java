package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.core.BulwarkConfig;
import io.bulwark.security.policy.Policies;
import io.bulwark.server.BulwarkServer;
import io.bulwark.testing.OnnxElementType;
import io.bulwark.testing.OnnxModels;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policies changed through the API: validated, versioned, recorded and in force at once. */
class PolicyEndToEndTest {
  @TempDir Path tmp;

  private static final String INFER =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}";

  /** The default policies without the one that lets consumers use their granted models. */
  private static String withoutConsumers() {
    String text = Policies.defaults().text();
    int start = text.indexOf("@id(\"consumer-granted-models\")");
    int end = text.indexOf("};", start) + 2;
    assertThat(start).isPositive();
    return text.substring(0, start) + text.substring(end);
  }

  private static HttpResponse<String> putPolicy(TestServer s, String key, String text, String query)
      throws Exception {
    return s.http.send(
        s.request("/api/v1/policies?" + query, key)
            .header("Content-Type", "text/plain")
            .PUT(HttpRequest.BodyPublishers.ofString(text))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String comment(String why) {
    return "comment=" + URLEncoder.encode(why, StandardCharsets.UTF_8);
  }

  @Test
  void change_takesEffectOnTheNextRequest_underLoad_withoutFailures_andIsRecorded()
      throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      s.publish("fraud.m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      String consumer = s.createKey("consumer", "fraud.m");
      assertThat(s.postJson("/v2/models/fraud.m/infer", consumer, INFER).statusCode())
          .isEqualTo(200);
      JsonNode current = Jsons.parse(s.get("/api/v1/policies", s.adminKey).body());
      assertThat(current.get("version").asLong()).isEqualTo(1);
      assertThat(current.get("text").asText()).contains("consumer-granted-models");

      // Four clients call the model while the policy changes: every answer is a 200 before the
      // change and a 404 after it; nothing fails in between.
      AtomicBoolean changed = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
      AtomicInteger okAfterChange = new AtomicInteger();
      Thread[] clients = new Thread[4];
      for (int i = 0; i < clients.length; i++) {
        clients[i] =
            Thread.ofVirtual()
                .start(
                    () -> {
                      while (!stop.get()) {
                        String outcome;
                        try {
                          boolean afterChange = changed.get();
                          int status =
                              s.postJson("/v2/models/fraud.m/infer", consumer, INFER).statusCode();
                          if (status == 200 && afterChange) {
                            okAfterChange.incrementAndGet();
                          }
                          outcome = Integer.toString(status);
                        } catch (Exception e) {
                          outcome = e.toString();
                        }
                        outcomes
                            .computeIfAbsent(outcome, k -> new AtomicInteger())
                            .incrementAndGet();
                      }
                    });
      }
      Thread.sleep(300);
      HttpResponse<String> put =
          putPolicy(s, s.adminKey, withoutConsumers(), comment("consumers paused for review"));
      changed.set(true);
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      assertThat(Jsons.parse(put.body()).get("version").asLong()).isEqualTo(2);
      Thread.sleep(300);
      stop.set(true);
      for (Thread t : clients) {
        t.join();
      }
      assertThat(outcomes.keySet()).containsExactlyInAnyOrder("200", "404");
      assertThat(okAfterChange.get()).isZero();
      assertThat(s.postJson("/v2/models/fraud.m/infer", consumer, INFER).statusCode())
          .isEqualTo(404);

      // Recorded: who, when and why, for every version.
      JsonNode history = Jsons.parse(s.get("/api/v1/policies/versions", s.adminKey).body());
      assertThat(history.get("versions")).hasSize(2);
      JsonNode v2 = history.get("versions").get(1);
      assertThat(v2.get("comment").asText()).isEqualTo("consumers paused for review");
      assertThat(v2.get("created_by").asText()).startsWith("key:");
      assertThat(s.get("/api/v1/policies/versions/1", s.adminKey).body())
          .contains("consumer-granted-models");
    }
  }

  @Test
  void change_invalidOrStaleOrUnexplained_isRefused_andNothingChanges() throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      String text = Policies.defaults().text();
      HttpResponse<String> invalid =
          putPolicy(
              s,
              s.adminKey,
              "permit (principal, action, resource) when { nonsense };",
              comment("x"));
      assertThat(invalid.statusCode()).isEqualTo(400);
      HttpResponse<String> unknownAttribute =
          putPolicy(
              s,
              s.adminKey,
              "@id(\"p\") permit (principal, action, resource) when { principal.shoe_size > 3 };",
              comment("x"));
      assertThat(unknownAttribute.statusCode()).isEqualTo(400);
      assertThat(putPolicy(s, s.adminKey, text, "").statusCode()).isEqualTo(400);
      assertThat(
              putPolicy(s, s.adminKey, text, comment("stale") + "&expected_version=7").statusCode())
          .isEqualTo(409);
      HttpResponse<String> asJson =
          s.putJson("/api/v1/policies?" + comment("x"), s.adminKey, "{\"text\":\"x\"}");
      assertThat(asJson.statusCode()).isEqualTo(400);
      // Over HTTP/1.1: for a body this large, HTTP/2 refuses by resetting the stream.
      HttpResponse<String> tooLarge =
          TestServer.client(s.server.caCertificate(), java.net.http.HttpClient.Version.HTTP_1_1)
              .send(
                  s.request("/api/v1/policies?" + comment("x"), s.adminKey)
                      .header("Content-Type", "text/plain")
                      .PUT(
                          HttpRequest.BodyPublishers.ofString(
                              " ".repeat(Policies.MAX_POLICY_BYTES + 1)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(tooLarge.statusCode()).isEqualTo(413);
      assertThat(Jsons.parse(s.get("/api/v1/policies", s.adminKey).body()).get("version").asLong())
          .isEqualTo(1);
      // With the right expected version the change applies.
      assertThat(
              putPolicy(s, s.adminKey, text, comment("same text") + "&expected_version=1")
                  .statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void change_byOneReplica_reachesAnotherSharingTheDatabase() throws Exception {
    Path data = tmp.resolve("data");
    try (TestServer a = TestServer.start(data)) {
      a.publish("fraud.m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      String consumer = a.createKey("consumer", "fraud.m");
      BulwarkConfig config =
          BulwarkConfig.builder()
              .dataDirectory(data)
              .auditDirectory(tmp.resolve("audit-of-b"))
              .port(0)
              .signing(TestServer.trusting(TestServer.SIGNER))
              .build();
      try (BulwarkServer b = BulwarkServer.create(config)) {
        b.start();
        java.net.http.HttpClient client =
            TestServer.client(b.caCertificate(), java.net.http.HttpClient.Version.HTTP_2);
        HttpRequest inferOnB =
            HttpRequest.newBuilder(
                    java.net.URI.create(
                        "https://127.0.0.1:" + b.port() + "/v2/models/fraud.m/infer"))
                .header("Authorization", "Bearer " + consumer)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(INFER))
                .build();
        assertThat(client.send(inferOnB, HttpResponse.BodyHandlers.ofString()).statusCode())
            .isEqualTo(200);
        assertThat(putPolicy(a, a.adminKey, withoutConsumers(), comment("pause")).statusCode())
            .isEqualTo(200);
        long deadline = System.nanoTime() + 15_000_000_000L;
        int status = 200;
        while (status == 200 && System.nanoTime() < deadline) {
          Thread.sleep(250);
          status = client.send(inferOnB, HttpResponse.BodyHandlers.ofString()).statusCode();
        }
        assertThat(status).as("replica B picked up policy version 2").isEqualTo(404);
      }
    }
  }
}
