package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.demo.DemoModel;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.DemoDeployment;
import io.bulwark.testing.OnnxElementType;
import io.bulwark.testing.OnnxModels;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server as a client sees it: real TLS, real ONNX Runtime, the demo model. */
class ServerEndToEndTest {
  @TempDir static Path data;
  static TestServer s;
  static DemoDeployment demo;

  @BeforeAll
  static void start() throws Exception {
    s = TestServer.start(data.resolve("bulwark-data"));
    demo = s.server.deployDemo();
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  @Test
  void firstStart_createsPrivateDataDirectory() throws Exception {
    Path dir = s.dataDir;
    assertThat(Files.getPosixFilePermissions(dir))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    for (String secret :
        new String[] {
          "keys/kek.json",
          "keys/api-key-hmac.key",
          "tls/ca.key",
          "tls/server.key",
          BulwarkServer.BOOTSTRAP_KEY_FILE
        }) {
      assertThat(Files.getPosixFilePermissions(dir.resolve(secret)))
          .as(secret)
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
    assertThat(dir.resolve("tls/ca.pem")).exists();
    assertThat(dir.resolve("bulwark.db")).exists();
    assertThat(s.adminKey).startsWith("bwk_");
  }

  @Test
  void refusalBeforeTheBodyIsRead_arrivesAsAStatus_notAResetStream() throws Exception {
    // Refused before any service reads the body: without draining it first, HTTP/2 clients
    // often see a reset stream instead of the 401 (the race depends on timing, hence the loop).
    String body = "{\"inputs\":[]}".repeat(500);
    for (int i = 0; i < 200; i++) {
      HttpResponse<String> refused =
          s.http.send(
              s.request("/v2/models/credit-risk/infer", null)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(401);
    }
  }

  @Test
  void health_isOpenWithoutCredentials() throws Exception {
    assertThat(s.get("/v2/health/live", null).statusCode()).isEqualTo(200);
    HttpResponse<String> ready = s.get("/v2/health/ready", null);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(Jsons.parse(ready.body()).get("ready").asBoolean()).isTrue();
  }

  @Test
  void health_acceptsOnlyGetAndHeadWithoutBody() throws Exception {
    // A body larger than the health routes accept (1 byte) may be cut off with a stream reset
    // before the 405 arrives; either way the request is refused.
    int post;
    try {
      post =
          s.http
              .send(
                  s.request("/v2/health/live", null)
                      .POST(HttpRequest.BodyPublishers.ofString("x".repeat(4096)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode();
    } catch (java.io.IOException e) {
      assertThat(e.getMessage()).contains("RST_STREAM");
      post = -1;
    }
    assertThat(post).isIn(405, 413, -1);
    HttpResponse<Void> head =
        s.http.send(
            s.request("/v2/health/ready", null)
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertThat(head.statusCode()).isEqualTo(200);
  }

  @Test
  void management_nullsAndWrongTypes_are400NotServerErrors() throws Exception {
    String[][] cases = {
      {"PUT", "/api/v1/models/credit-risk/deployment", "{\"version\":null}"},
      {"PUT", "/api/v1/models/credit-risk/deployment", "{\"version\":1}"},
      {"PUT", "/api/v1/models/credit-risk/deployment", "{}"},
      {"PUT", "/api/v1/models/credit-risk/deployment", "{\"version\":\"1\",\"extra\":1}"},
      {"POST", "/api/v1/keys", "{\"name\":null,\"role\":\"consumer\"}"},
      {"POST", "/api/v1/keys", "{\"name\":\"a\",\"role\":null}"},
      {"POST", "/api/v1/keys", "{\"name\":\"a\",\"role\":\"consumer\",\"models\":[null]}"},
      {"POST", "/api/v1/keys", "{\"name\":\"a\\u2028b\",\"role\":\"admin\"}"},
      {"POST", "/api/v1/keys", "{\"name\":\"a\",\"role\":\"root\"}"},
      {"POST", "/api/v1/keys", "[]"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r =
          c[0].equals("PUT")
              ? s.putJson(c[1], s.adminKey, c[2])
              : s.postJson(c[1], s.adminKey, c[2]);
      assertThat(r.statusCode()).as(c[2] + " -> " + r.body()).isEqualTo(400);
      assertThat(r.body()).doesNotContain("Exception").doesNotContain("com.fasterxml");
    }
  }

  @Test
  void everythingElse_withoutValidCredentials_is401AndNothingElse() throws Exception {
    String[] paths = {
      "/v2",
      "/v2/models/credit-risk",
      "/v2/models/credit-risk/ready",
      "/v2/models/no-such-model",
      "/api/v1/models",
      "/api/v1/keys",
      "/api/v1/no-such-endpoint",
      "/no-such-path",
      "/v2/health"
    };
    String[] keys = {
      null, "", "bwk_0000000000000000_" + "A".repeat(43), s.adminKey + "x", "Basic YWRtaW46YWRtaW4="
    };
    for (String path : paths) {
      for (String key : keys) {
        HttpResponse<String> r = s.get(path, key);
        assertThat(r.statusCode()).as(path + " with " + key).isEqualTo(401);
        assertThat(r.body()).isEqualTo("{\"error\":\"invalid or missing credentials\"}");
        assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"bulwark\"");
      }
    }
    HttpResponse<String> infer =
        s.postJson("/v2/models/credit-risk/infer", null, demo.inferenceRequestJson());
    assertThat(infer.statusCode()).isEqualTo(401);
  }

  @Test
  void demo_inferWithConsumerKey_predictsSampleLabel() throws Exception {
    HttpResponse<String> r =
        s.postJson(
            "/v2/models/" + demo.modelName() + "/infer",
            demo.consumerApiKey(),
            demo.inferenceRequestJson());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = Jsons.parse(r.body());
    assertThat(body.get("model_name").asText()).isEqualTo(DemoModel.name());
    assertThat(body.get("model_version").asText()).isEqualTo(DemoModel.version());
    JsonNode out = body.get("outputs").get(0);
    assertThat(out.get("name").asText()).isEqualTo(DemoModel.outputName());
    assertThat(out.get("datatype").asText()).isEqualTo("FP32");
    int best = 0;
    for (int i = 1; i < out.get("data").size(); i++) {
      if (out.get("data").get(i).asDouble() > out.get("data").get(best).asDouble()) {
        best = i;
      }
    }
    assertThat(DemoModel.labels().get(best)).isEqualTo(DemoModel.sampleLabel());
  }

  @Test
  void infer_idIsEchoedAndVersionPathWorks() throws Exception {
    String body = demo.inferenceRequestJson().replaceFirst("\\{", "{\"id\":\"req-42\",");
    HttpResponse<String> r =
        s.postJson("/v2/models/credit-risk/versions/1/infer", demo.consumerApiKey(), body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(Jsons.parse(r.body()).get("id").asText()).isEqualTo("req-42");
    HttpResponse<String> wrongVersion =
        s.postJson("/v2/models/credit-risk/versions/9/infer", demo.consumerApiKey(), body);
    assertThat(wrongVersion.statusCode()).isEqualTo(404);
  }

  @Test
  void metadata_serverAndModel_followTheProtocol() throws Exception {
    JsonNode server = Jsons.parse(s.get("/v2", demo.consumerApiKey()).body());
    assertThat(server.get("name").asText()).isEqualTo("bulwark");
    assertThat(server.get("extensions").toString()).contains("binary_tensor_data");
    HttpResponse<String> m = s.get("/v2/models/credit-risk", demo.consumerApiKey());
    assertThat(m.statusCode()).isEqualTo(200);
    JsonNode meta = Jsons.parse(m.body());
    assertThat(meta.get("name").asText()).isEqualTo("credit-risk");
    assertThat(meta.get("inputs").get(0).get("name").asText()).isEqualTo(DemoModel.inputName());
    assertThat(meta.get("inputs").get(0).get("datatype").asText()).isEqualTo("FP32");
    assertThat(meta.get("inputs").get(0).get("shape").toString()).isEqualTo("[-1,4]");
    assertThat(s.get("/v2/models/credit-risk/ready", demo.consumerApiKey()).statusCode())
        .isEqualTo(200);
    assertThat(s.get("/v2/models/credit-risk/versions/1", demo.consumerApiKey()).statusCode())
        .isEqualTo(200);
  }

  @Test
  void consumer_ungrantedModel_looksExactlyLikeAMissingModel() throws Exception {
    s.publish("hidden-model", "1", DemoModel.onnxBytes());
    String consumer = s.createKey("consumer", "credit-risk");
    String[][] probes = {
      {"GET", "/v2/models/%s"},
      {"GET", "/v2/models/%s/ready"},
      {"GET", "/v2/models/%s/versions/1"},
      {"POST", "/v2/models/%s/infer"},
      {"GET", "/api/v1/models/%s"},
      {"GET", "/api/v1/models/%s/versions/1"},
    };
    for (String[] probe : probes) {
      HttpResponse<String> hidden = call(probe[0], probe[1].formatted("hidden-model"), consumer);
      HttpResponse<String> absent = call(probe[0], probe[1].formatted("absent-model"), consumer);
      assertThat(hidden.statusCode()).as(probe[1]).isEqualTo(404).isEqualTo(absent.statusCode());
      assertThat(hidden.body().replace("hidden-model", "X"))
          .as(probe[1])
          .isEqualTo(absent.body().replace("absent-model", "X"));
    }
    // The admin sees it; the consumer's model list does not show it.
    assertThat(s.get("/v2/models/hidden-model", s.adminKey).statusCode()).isEqualTo(200);
    assertThat(s.get("/api/v1/models", consumer).body()).doesNotContain("hidden-model");
    // and consumers cannot manage anything
    // The refusal arrives as a 403, not a reset stream: small bodies are read before refusing.
    assertThat(s.pushAs(consumer, "x", "1", DemoModel.onnxBytes()).statusCode()).isEqualTo(403);
    assertThat(s.get("/api/v1/models/x", s.adminKey).statusCode()).isEqualTo(404);
    assertThat(s.get("/api/v1/keys", consumer).statusCode()).isEqualTo(403);
  }

  private HttpResponse<String> call(String method, String path, String key) throws Exception {
    return method.equals("GET")
        ? s.get(path, key)
        : s.postJson(path, key, demo.inferenceRequestJson());
  }

  @Test
  void infer_binaryTensorData_roundTrips() throws Exception {
    float[] sample = DemoModel.sampleInput();
    ByteBuffer raw = ByteBuffer.allocate(sample.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : sample) {
      raw.putFloat(f);
    }
    String header =
        "{\"inputs\":[{\"name\":\""
            + DemoModel.inputName()
            + "\",\"shape\":[1,"
            + sample.length
            + "],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":"
            + raw.capacity()
            + "}}],\"outputs\":[{\"name\":\""
            + DemoModel.outputName()
            + "\",\"parameters\":{\"binary_data\":true}}]}";
    byte[] headerBytes = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] body = new byte[headerBytes.length + raw.capacity()];
    System.arraycopy(headerBytes, 0, body, 0, headerBytes.length);
    System.arraycopy(raw.array(), 0, body, headerBytes.length, raw.capacity());
    HttpResponse<byte[]> r =
        s.http.send(
            s.request("/v2/models/credit-risk/infer", demo.consumerApiKey())
                .header("Content-Type", "application/octet-stream")
                .header("Inference-Header-Content-Length", String.valueOf(headerBytes.length))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    int jsonLength =
        Integer.parseInt(r.headers().firstValue("inference-header-content-length").orElseThrow());
    JsonNode json =
        Jsons.parse(new String(r.body(), 0, jsonLength, java.nio.charset.StandardCharsets.UTF_8));
    JsonNode out = json.get("outputs").get(0);
    int size = out.get("parameters").get("binary_data_size").asInt();
    assertThat(r.body().length - jsonLength).isEqualTo(size);
    ByteBuffer scores = ByteBuffer.wrap(r.body(), jsonLength, size).order(ByteOrder.LITTLE_ENDIAN);
    float[] expected = DemoModel.sampleScores();
    for (float e : expected) {
      assertThat(scores.getFloat()).isCloseTo(e, org.assertj.core.data.Offset.offset(1e-4f));
    }
  }

  @Test
  void infer_requestedOutputsSubset_returnsOnlyThose() throws Exception {
    s.publish("add-sub", "1", OnnxModels.addAndSubtract());
    String req =
        "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]},"
            + "{\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[[10,20,30]]}],"
            + "\"outputs\":[{\"name\":\"difference\"}]}";
    HttpResponse<String> r = s.postJson("/v2/models/add-sub/infer", s.adminKey, req);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode outs = Jsons.parse(r.body()).get("outputs");
    assertThat(outs).hasSize(1);
    assertThat(outs.get(0).get("name").asText()).isEqualTo("difference");
    assertThat(outs.get(0).get("data").toString()).isEqualTo("[-9.0,-18.0,-27.0]");
    HttpResponse<String> all =
        s.postJson(
            "/v2/models/add-sub/infer", s.adminKey, req.replaceAll(",\"outputs\".*\\]\\}$", "}"));
    assertThat(Jsons.parse(all.body()).get("outputs")).hasSize(2);
    HttpResponse<String> unknown =
        s.postJson(
            "/v2/models/add-sub/infer", s.adminKey, req.replace("\"difference\"", "\"nope\""));
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("nope");
  }

  @Test
  void infer_wrongShapeDatatypeOrCount_is400WithClearMessage() throws Exception {
    String[][] cases = {
      {
        "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}",
        "shape"
      },
      {
        "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"INT64\",\"data\":[1,2,3,4]}]}",
        "datatype"
      },
      {
        "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}",
        "element"
      },
      {
        "{\"inputs\":[{\"name\":\"other\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}",
        "other"
      },
      {"{\"inputs\":[]}", "input"},
      {"not json", "JSON"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = s.postJson("/v2/models/credit-risk/infer", s.adminKey, c[0]);
      assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
      JsonNode err = Jsons.parse(r.body());
      assertThat(err.get("error").asText()).as(c[0]).containsIgnoringCase(c[1]);
      assertThat(r.body()).doesNotContain("Exception").doesNotContain("at io.");
    }
  }

  @Test
  void infer_everyServableDatatype_roundTrips() throws Exception {
    Object[][] types = {
      {OnnxElementType.BOOL, "BOOL", "[true,false,true]"},
      {OnnxElementType.UINT8, "UINT8", "[0,128,255]"},
      {OnnxElementType.INT8, "INT8", "[-128,0,127]"},
      {OnnxElementType.INT16, "INT16", "[-32768,0,32767]"},
      {OnnxElementType.INT32, "INT32", "[-2147483648,0,2147483647]"},
      {OnnxElementType.INT64, "INT64", "[-9223372036854775808,0,9223372036854775807]"},
      {OnnxElementType.FLOAT, "FP32", "[1.5,-2.25,3.0]"},
      {OnnxElementType.DOUBLE, "FP64", "[1.0E-300,-2.5,3.0E300]"},
      {OnnxElementType.STRING, "BYTES", "[\"a\",\"\",\"héllo\"]"},
    };
    for (Object[] t : types) {
      String name = ("id-" + t[1]).toLowerCase(java.util.Locale.ROOT);
      s.publish(name, "1", OnnxModels.identity((OnnxElementType) t[0], 1, 3));
      String req =
          "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\""
              + t[1]
              + "\",\"data\":"
              + t[2]
              + "}]}";
      HttpResponse<String> r = s.postJson("/v2/models/" + name + "/infer", s.adminKey, req);
      assertThat(r.statusCode()).as(name + ": " + r.body()).isEqualTo(200);
      JsonNode out = Jsons.parse(r.body()).get("outputs").get(0);
      assertThat(out.get("datatype").asText()).as(name).isEqualTo(t[1]);
      assertThat(out.get("shape").toString()).isEqualTo("[1,3]");
      assertThat(out.get("data")).as(name).isEqualTo(Jsons.parse((String) t[2]));
    }
  }

  @Test
  void infer_fp16AndBf16_roundTripAsBinaryData() throws Exception {
    for (Object[] t :
        new Object[][] {{OnnxElementType.FLOAT16, "FP16"}, {OnnxElementType.BFLOAT16, "BF16"}}) {
      String name = ("half-" + t[1]).toLowerCase(java.util.Locale.ROOT);
      s.publish(name, "1", OnnxModels.identity((OnnxElementType) t[0], 1, 4));
      byte[] raw = {0x00, 0x3c, 0x00, (byte) 0xc0, 0x55, 0x35, (byte) 0xff, 0x7b};
      String header =
          "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\""
              + t[1]
              + "\",\"parameters\":{\"binary_data_size\":8}}],"
              + "\"parameters\":{\"binary_data_output\":true}}";
      byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] body = java.util.Arrays.copyOf(h, h.length + raw.length);
      System.arraycopy(raw, 0, body, h.length, raw.length);
      HttpResponse<byte[]> r =
          s.http.send(
              s.request("/v2/models/" + name + "/infer", s.adminKey)
                  .header("Inference-Header-Content-Length", String.valueOf(h.length))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).as(name).isEqualTo(200);
      int jsonLength =
          Integer.parseInt(r.headers().firstValue("inference-header-content-length").orElseThrow());
      JsonNode out =
          Jsons.parse(new String(r.body(), 0, jsonLength, java.nio.charset.StandardCharsets.UTF_8))
              .get("outputs")
              .get(0);
      assertThat(out.get("datatype").asText()).isEqualTo(t[1]);
      assertThat(java.util.Arrays.copyOfRange(r.body(), jsonLength, r.body().length))
          .isEqualTo(raw);
    }
  }

  @Test
  void push_unsafeModel_isRefusedByTheAdmissionScan() throws Exception {
    Object[][] unsafe = {
      {"traversal", OnnxModels.externalDataPathTraversal(), "onnx.external-data"},
      {"custom-op", OnnxModels.customOperator(), "onnx.custom-domain"},
    };
    for (Object[] u : unsafe) {
      HttpResponse<String> r = s.pushModel("unsafe-" + u[0], "1", (byte[]) u[1]);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(Jsons.parse(r.body()).get("error").asText())
          .contains("admission scan")
          .contains((String) u[2]);
      assertThat(s.get("/api/v1/models/unsafe-" + u[0], s.adminKey).statusCode()).isEqualTo(404);
    }
    HttpResponse<String> safe = s.get("/api/v1/models/credit-risk/versions/1", s.adminKey);
    assertThat(Jsons.parse(safe.body()).get("scan_verdict").asText()).isEqualTo("safe");
  }

  @Test
  void governance_separationOfDutiesRollbackRetireAndEvents() throws Exception {
    byte[] model = DemoModel.onnxBytes();
    assertThat(s.pushModel("gov", "1", model).statusCode()).isEqualTo(201);
    assertThat(s.pushModel("gov", "2", model).statusCode()).isEqualTo(201);

    // a draft cannot be deployed, and its publisher cannot approve it
    HttpResponse<String> draft = s.deploy("gov", "1");
    assertThat(draft.statusCode()).isEqualTo(409);
    assertThat(draft.body()).contains("only approved versions");
    HttpResponse<String> self = s.postJson("/api/v1/models/gov/versions/1/approve", s.adminKey, "");
    assertThat(self.statusCode()).isEqualTo(403);
    assertThat(self.body()).contains("separation of duties");

    assertThat(s.approve("gov", "1").statusCode()).isEqualTo(200);
    assertThat(s.approve("gov", "2").statusCode()).isEqualTo(200);
    assertThat(s.approve("gov", "2").statusCode()).isEqualTo(409);
    JsonNode v1 = Jsons.parse(s.get("/api/v1/models/gov/versions/1", s.adminKey).body());
    assertThat(v1.get("state").asText()).isEqualTo("approved");
    assertThat(v1.get("approved_by").asText()).isNotEqualTo(v1.get("created_by").asText());

    assertThat(s.deploy("gov", "1").statusCode()).isEqualTo(200);
    assertThat(s.deploy("gov", "2").statusCode()).isEqualTo(200);
    HttpResponse<String> back =
        s.postJson("/api/v1/models/gov/rollback", s.adminKey, "{\"reason\":\"bad canary\"}");
    assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
    assertThat(Jsons.parse(back.body()).get("version").asText()).isEqualTo("1");
    HttpResponse<String> served =
        s.postJson("/v2/models/gov/infer", s.adminKey, demo.inferenceRequestJson());
    assertThat(Jsons.parse(served.body()).get("model_version").asText()).isEqualTo("1");

    // retire: a deployed version cannot be retired; a retired one can never be deployed again
    assertThat(s.postJson("/api/v1/models/gov/versions/1/retire", s.adminKey, "").statusCode())
        .isEqualTo(409);
    HttpResponse<String> retired =
        s.postJson("/api/v1/models/gov/versions/2/retire", s.adminKey, "{\"reason\":\"eol\"}");
    assertThat(retired.statusCode()).isEqualTo(200);
    assertThat(Jsons.parse(retired.body()).get("state").asText()).isEqualTo("retired");
    assertThat(s.deploy("gov", "2").statusCode()).isEqualTo(409);

    JsonNode events = Jsons.parse(s.get("/api/v1/models/gov/events", s.adminKey).body());
    java.util.List<String> actions = new java.util.ArrayList<>();
    events
        .get("events")
        .forEach(e -> actions.add(e.get("action").asText() + ":" + e.get("version").asText()));
    assertThat(actions)
        .containsExactly(
            "push:1",
            "push:2",
            "approve:1",
            "approve:2",
            "deploy:1",
            "deploy:2",
            "rollback:1",
            "retire:2");
    assertThat(events.get("events").get(6).get("reason").asText()).isEqualTo("bad canary");
  }
}
