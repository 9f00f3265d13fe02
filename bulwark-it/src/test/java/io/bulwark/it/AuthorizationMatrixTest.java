package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.testing.OnnxElementType;
import io.bulwark.testing.OnnxModels;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every cell of {@code authorization-matrix.tsv} (endpoint × credential) against the real
 * server and reports every unexpected allow and deny at once; then probes path-normalisation
 * variants of admin routes with a consumer's credential.
 */
class AuthorizationMatrixTest {
  @TempDir Path tmp;

  private static final String INFER =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}";

  private static String accessToken(TestServer s, String key) throws Exception {
    HttpResponse<String> r =
        s.http.send(
            s.request("/oauth2/token", key)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return Jsons.parse(r.body()).get("access_token").asText();
  }

  @Test
  void everyCell_asExpected() throws Exception {
    TestIdp idp = TestIdp.create(tmp.resolve("idp-jwks.json"));
    try (TestServer s =
        TestServer.start(tmp.resolve("data"), b -> b.oidcIssuers(List.of(idp.config())))) {
      s.publish("m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      s.publish("other", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      Map<String, String> credentials = new LinkedHashMap<>();
      credentials.put("admin-key", s.adminKey);
      credentials.put("consumer-granted", s.createKey("consumer", "m"));
      credentials.put("consumer-other", s.createKey("consumer", "other"));
      credentials.put("admin-token", accessToken(s, s.adminKey));
      credentials.put("consumer-token", accessToken(s, credentials.get("consumer-granted")));
      String expiring =
          Jsons.parse(
                  s.postJson(
                          "/api/v1/keys",
                          s.adminKey,
                          "{\"name\":\"short\",\"role\":\"admin\",\"expires_at\":\""
                              + Instant.now().plusSeconds(2)
                              + "\"}")
                      .body())
              .get("key")
              .asText();
      credentials.put("expired-key", expiring);
      String revoked = s.createKey("admin");
      s.delete("/api/v1/keys/" + revoked.substring(4, 20), s.adminKey);
      credentials.put("revoked-key", revoked);
      credentials.put("no-credential", null);
      String token = credentials.get("admin-token");
      credentials.put("forged-token", token.substring(0, token.lastIndexOf('.') + 1) + "AAAA");
      long exp = Instant.now().getEpochSecond() + 600;
      credentials.put("wrong-audience", idp.token("another-api", exp, "[\"ml-admins\"]"));
      credentials.put(
          "missing-scope",
          key(s, "{\"name\":\"infer-only\",\"roles\":[\"admin\"],\"actions\":[\"infer\"]}"));
      Thread.sleep(2500); // let the short key expire

      List<String> rows = rows("/authorization-matrix.tsv");
      String[] header = rows.get(0).split("\t", -1);
      List<String> unexpected = new ArrayList<>();
      int cells = 0;
      for (String row : rows.subList(1, rows.size())) {
        String[] c = row.split("\t", -1);
        for (int i = 3; i < header.length; i++) {
          int status = call(s, c[0], c[1], c[2], credentials.get(header[i]));
          cells++;
          if (status != Integer.parseInt(c[i])) {
            unexpected.add(
                c[0] + " " + c[1] + " as " + header[i] + ": " + status + ", expected " + c[i]);
          }
        }
      }
      assertThat(unexpected).as("unexpected outcomes of " + cells + " cells").isEmpty();
      assertThat(cells).isGreaterThanOrEqualTo(250);
    }
  }

  /**
   * Every endpoint × built-in role × resource relation: a model in the role key's own namespace
   * ("fraud", which consumer keys are granted), in another namespace of the same tenant ("risk"),
   * and in another tenant ("acme").
   */
  @Test
  void everyRoleAndRelation_asExpected() throws Exception {
    try (TestServer s =
        TestServer.start(tmp.resolve("data"), b -> b.namespaceTenants(Map.of("acme", "acme")))) {
      for (String m : RELATIONS.values()) {
        s.publish(m, "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      }
      List<String> rows = rows("/authorization-roles.tsv");
      String[] header = rows.get(0).split("\t", -1);
      Map<String, String> keys = new LinkedHashMap<>();
      for (int i = 3; i < header.length; i++) {
        String grants = header[i].equals("admin") ? "" : ",\"namespaces\":[\"fraud\"]";
        keys.put(
            header[i], key(s, "{\"name\":\"r\",\"roles\":[\"" + header[i] + "\"]" + grants + "}"));
      }
      List<String> unexpected = new ArrayList<>();
      int cells = 0;
      for (String row : rows.subList(1, rows.size())) {
        String[] c = row.split("\t", -1);
        for (int i = 3; i < header.length; i++) {
          String[] expected = c[i].split("/", -1);
          int r = 0;
          for (Map.Entry<String, String> relation : RELATIONS.entrySet()) {
            String model = relation.getValue();
            String path =
                c[1].replace("{model}", model)
                    .replace("{ns}", model.substring(0, model.indexOf('.')));
            int status = call(s, c[0], path, c[2], keys.get(header[i]));
            String want = expected[expected.length == 1 ? 0 : r++];
            cells++;
            if (status != Integer.parseInt(want)) {
              unexpected.add(
                  c[0]
                      + " "
                      + path
                      + " as "
                      + header[i]
                      + " ("
                      + relation.getKey()
                      + "): "
                      + status
                      + ", expected "
                      + want);
            }
          }
        }
      }
      assertThat(unexpected).as("unexpected outcomes of " + cells + " cells").isEmpty();
      assertThat(cells).isGreaterThanOrEqualTo(500);
    }
  }

  private static final Map<String, String> RELATIONS = relations();

  private static Map<String, String> relations() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("own namespace", "fraud.m");
    m.put("other namespace", "risk.m");
    m.put("other tenant", "acme.m");
    return java.util.Collections.unmodifiableMap(m);
  }

  private static String key(TestServer s, String body) throws Exception {
    HttpResponse<String> r = s.postJson("/api/v1/keys", s.adminKey, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Jsons.parse(r.body()).get("key").asText();
  }

  @Test
  void pathNormalisationVariants_ofAdminRoutes_neverLetAConsumerIn() throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      String consumer = s.createKey("consumer");
      String[] variants = {
        "/api/v1/keys/",
        "//api/v1/keys",
        "/api/v1//keys",
        "/api/v1/%6Beys",
        "/API/v1/keys",
        "/api/v1/Keys",
        "/api/v1/models/../keys",
        "/api/v1/models/%2e%2e/keys",
        "/api/v1/models/%2E%2E/keys",
        "/api/v1/./keys",
        "/api/v1/keys;x=1",
        "/api/v1/keys%2f",
        "/api/v1/kek/",
        "/api/v1/models/x/../../kek",
      };
      for (String v : variants) {
        int asConsumer = call(s, "GET", v, "-", consumer);
        assertThat(asConsumer).as(v).isIn(400, 403, 404);
        assertThat(call(s, "GET", v, "-", null)).as(v + " without credentials").isIn(400, 401);
      }
    }
  }

  private static int call(TestServer s, String method, String path, String body, String cred)
      throws Exception {
    HttpRequest.Builder b = s.request(path, cred);
    switch (body) {
      case "-" -> b.method(method, HttpRequest.BodyPublishers.noBody());
      case "cedar" ->
          b.header("Content-Type", "text/plain")
              .method(method, HttpRequest.BodyPublishers.ofString("not cedar"));
      case "form" ->
          b.header("Content-Type", "application/x-www-form-urlencoded")
              .method(method, HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"));
      case "infer" ->
          b.header("Content-Type", "application/json")
              .method(method, HttpRequest.BodyPublishers.ofString(INFER));
      default ->
          b.header("Content-Type", "application/json")
              .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    // HTTP/1.1: an HTTP/2 server that answers before reading a request body resets the stream,
    // which the JDK client may report instead of the answer; the matrix wants exact statuses.
    return HTTP1
        .computeIfAbsent(s, t -> http1(t))
        .send(b.build(), HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  private static final Map<TestServer, java.net.http.HttpClient> HTTP1 =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static java.net.http.HttpClient http1(TestServer s) {
    try {
      return TestServer.client(s.server.caCertificate(), java.net.http.HttpClient.Version.HTTP_1_1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> rows(String resource) throws Exception {
    try (InputStream in = AuthorizationMatrixTest.class.getResourceAsStream(resource)) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<String> out = new ArrayList<>();
      for (String line : text.split("\n", -1)) {
        if (!line.isBlank() && !line.startsWith("#")) {
          out.add(line);
        }
      }
      return out;
    }
  }
}
