package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.core.InferenceConfig;
import io.bulwark.core.RateLimits;
import io.bulwark.testing.OnnxElementType;
import io.bulwark.testing.OnnxModels;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server whose configuration turns dynamic batching on for some models, called over HTTPS. */
class BatchingEndToEndTest {
  @TempDir static Path data;
  static TestServer s;

  @BeforeAll
  static void start() throws Exception {
    InferenceConfig.Session session = InferenceConfig.Session.defaults();
    // A delay long enough that concurrent clients share runs even on a busy machine.
    InferenceConfig.Model batched = new InferenceConfig.Model(session, 8, 20_000);
    s =
        TestServer.start(
            data.resolve("bulwark-data"),
            b ->
                b.rateLimits(RateLimits.unlimited())
                    .inference(
                        new InferenceConfig(
                            session, Map.of("add-sub", batched, "fixed-batch", batched))));
    s.publish("add-sub", "1", OnnxModels.addAndSubtract());
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  @Test
  void infer_concurrentClients_eachGetsItsOwnAnswer() throws Exception {
    int clients = 12;
    int callsEach = 5;
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        done.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < callsEach; i++) {
                    int id = client * 100 + i;
                    int rows = 1 + (id % 2);
                    StringBuilder a = new StringBuilder();
                    StringBuilder b = new StringBuilder();
                    for (int k = 0; k < rows * 3; k++) {
                      a.append(k == 0 ? "" : ",").append(id * 10 + k);
                      b.append(k == 0 ? "" : ",").append(k);
                    }
                    String req =
                        "{\"inputs\":[{\"name\":\"a\",\"shape\":["
                            + rows
                            + ",3],\"datatype\":\"FP32\",\"data\":["
                            + a
                            + "]},{\"name\":\"b\",\"shape\":["
                            + rows
                            + ",3],\"datatype\":\"FP32\",\"data\":["
                            + b
                            + "]}]}";
                    HttpResponse<String> r =
                        s.postJson("/v2/models/add-sub/infer", s.adminKey, req);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    JsonNode outputs = Jsons.parse(r.body()).get("outputs");
                    JsonNode sum = outputs.get(0);
                    JsonNode difference = outputs.get(1);
                    assertThat(sum.get("name").asText()).isEqualTo("sum");
                    assertThat(sum.get("shape").toString()).isEqualTo("[" + rows + ",3]");
                    for (int k = 0; k < rows * 3; k++) {
                      assertThat(sum.get("data").get(k).asDouble()).isEqualTo(id * 10 + 2 * k);
                      assertThat(difference.get("data").get(k).asDouble()).isEqualTo(id * 10);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void push_batchingOnAModelWithAFixedBatchDimension_refusedWithTheReason() throws Exception {
    byte[] model = OnnxModels.identity(OnnxElementType.FLOAT, 2, 3);

    // Admission loads the model with its configured settings, so the refusal comes at push.
    HttpResponse<String> pushed = s.pushModel("fixed-batch", "1", model);

    assertThat(pushed.statusCode()).isEqualTo(400);
    assertThat(pushed.body()).contains("fixed first dimension");
  }
}
