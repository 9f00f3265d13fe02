package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whoever manages principals cannot use that to get more than they hold: not by issuing a key, not
 * by replacing someone else's key (the new secret goes to the caller), not by setting another
 * person's password, and not by shedding an action limit through a new credential.
 */
class CredentialEscalationEndToEndTest {
  @TempDir Path tmp;

  @Test
  void managePrincipals_neverYieldsMoreThanTheCallerHolds() throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      // An administrator's key limited to managing principals (as one might hand to a helpdesk).
      String limited =
          key(
              s,
              s.adminKey,
              "{\"name\":\"l\",\"roles\":[\"admin\",\"security-officer\"],"
                  + "\"actions\":[\"manage-principals\"]}");
      JsonNode admin =
          Jsons.parse(
              s.postJson("/api/v1/keys", s.adminKey, "{\"name\":\"a\",\"roles\":[\"admin\"]}")
                  .body());

      // Replacing an unlimited admin key would hand the caller an unlimited admin secret.
      HttpResponse<String> rotateAdmin =
          s.postJson("/api/v1/keys/" + admin.get("id").asText() + "/rotate", limited, "{}");
      assertThat(rotateAdmin.statusCode()).isEqualTo(403);
      assertThat(rotateAdmin.body()).contains("'admin' is not");

      // Nor may it issue a key without its own limit, or with a wider one.
      HttpResponse<String> unlimited =
          s.postJson("/api/v1/keys", limited, "{\"name\":\"x\",\"roles\":[\"security-officer\"]}");
      assertThat(unlimited.statusCode()).isEqualTo(403);
      assertThat(unlimited.body()).contains("limited to actions");
      assertThat(
              s.postJson(
                      "/api/v1/keys",
                      limited,
                      "{\"name\":\"w\",\"roles\":[\"security-officer\"],"
                          + "\"actions\":[\"manage-principals\",\"manage-policy\"]}")
                  .statusCode())
          .isEqualTo(403);
      JsonNode narrow =
          Jsons.parse(
              s.postJson(
                      "/api/v1/keys",
                      limited,
                      "{\"name\":\"y\",\"roles\":[\"security-officer\"],"
                          + "\"actions\":[\"manage-principals\"]}")
                  .body());
      assertThat(narrow.get("key").asText()).startsWith("bwk_");

      // A person's session has no action limit, so it may not create one, nor take over one by
      // setting the password of an administrator.
      assertThat(
              s.postJson(
                      "/api/v1/accounts",
                      limited,
                      "{\"username\":\"someone\",\"roles\":[\"security-officer\"]}")
                  .statusCode())
          .isEqualTo(403);
      assertThat(
              s.postJson(
                      "/api/v1/accounts",
                      s.adminKey,
                      "{\"username\":\"root-person\",\"roles\":[\"admin\"]}")
                  .statusCode())
          .isEqualTo(201);
      assertThat(
              s.putJson(
                      "/api/v1/accounts/root-person/password",
                      limited,
                      "{\"password\":\"a long passphrase 42\"}")
                  .statusCode())
          .isEqualTo(403);

      // What it could issue, it may also replace.
      assertThat(
              s.postJson("/api/v1/keys/" + narrow.get("id").asText() + "/rotate", limited, "{}")
                  .statusCode())
          .isEqualTo(201);
    }
  }

  private static String key(TestServer s, String creator, String body) throws Exception {
    HttpResponse<String> r = s.postJson("/api/v1/keys", creator, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Jsons.parse(r.body()).get("key").asText();
  }
}
