package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** People log in with a password (and TOTP for admin-class roles) and act through a session. */
class PeopleEndToEndTest {
  @TempDir Path tmp;

  private static final String COOKIE = "__Host-bulwark_session";

  private static HttpResponse<String> login(TestServer s, String user, String pw, String totp)
      throws Exception {
    String body =
        "{\"username\":\""
            + user
            + "\",\"password\":\""
            + pw
            + "\""
            + (totp == null ? "" : ",\"totp\":\"" + totp + "\"")
            + "}";
    return s.postJson("/api/v1/session", null, body);
  }

  private static HttpResponse<String> withSession(
      TestServer s, String method, String path, String cookie, @Nullable String csrf, String body)
      throws Exception {
    HttpRequest.Builder b =
        s.request(path, null)
            .header("Cookie", COOKIE + "=" + cookie)
            .header("Content-Type", "application/json")
            .method(
                method,
                body.isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (csrf != null) {
      b.header("X-CSRF-Token", csrf);
    }
    return s.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String cookieValue(HttpResponse<?> r) {
    String set = r.headers().firstValue("set-cookie").orElseThrow();
    return set.substring(set.indexOf('=') + 1, set.indexOf(';'));
  }

  @Test
  void session_passwordLogin_cookieAttributes_csrf_throttling_logout() throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      assertThat(
              s.postJson(
                      "/api/v1/accounts",
                      s.adminKey,
                      "{\"username\":\"alice\",\"roles\":[\"deployer\"]}")
                  .statusCode())
          .isEqualTo(201);
      assertThat(
              s.putJson(
                      "/api/v1/accounts/alice/password",
                      s.adminKey,
                      "{\"password\":\"correct horse battery staple\"}")
                  .statusCode())
          .isEqualTo(204);

      HttpResponse<String> ok = login(s, "alice", "correct horse battery staple", null);
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      String setCookie = ok.headers().firstValue("set-cookie").orElseThrow();
      assertThat(setCookie)
          .startsWith(COOKIE + "=")
          .contains("Secure")
          .contains("HttpOnly")
          .contains("SameSite=Strict")
          .contains("Path=/");
      String cookie = cookieValue(ok);
      String csrf = Jsons.parse(ok.body()).get("csrf_token").asText();

      JsonNode me = Jsons.parse(withSession(s, "GET", "/api/v1/session", cookie, null, "").body());
      assertThat(me.get("username").asText()).isEqualTo("alice");
      assertThat(withSession(s, "GET", "/api/v1/models", cookie, null, "").statusCode())
          .isEqualTo(200);
      // State changes need the CSRF token; with it, the deployer's call reaches validation.
      assertThat(
              withSession(s, "PUT", "/api/v1/models/m/deployment", cookie, null, "{}").statusCode())
          .isEqualTo(403);
      assertThat(
              withSession(s, "PUT", "/api/v1/models/m/deployment", cookie, "wrong", "{}")
                  .statusCode())
          .isEqualTo(403);
      assertThat(
              withSession(s, "PUT", "/api/v1/models/m/deployment", cookie, csrf, "{}").statusCode())
          .isEqualTo(400);
      // A deployer cannot manage people.
      assertThat(withSession(s, "GET", "/api/v1/accounts", cookie, null, "").statusCode())
          .isEqualTo(403);

      // Wrong password and unknown user look alike; repeated failures are throttled.
      HttpResponse<String> wrong = login(s, "alice", "not the password at all", null);
      HttpResponse<String> unknown = login(s, "nobody", "not the password at all", null);
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(unknown.statusCode()).isEqualTo(401);
      assertThat(wrong.body()).isEqualTo(unknown.body());
      int status = 0;
      for (int i = 0; i < 10 && status != 429; i++) {
        status = login(s, "alice", "not the password at all", null).statusCode();
      }
      assertThat(status).isEqualTo(429);

      // Logout ends the session on the server, not just in the browser.
      HttpResponse<String> out = withSession(s, "DELETE", "/api/v1/session", cookie, csrf, "");
      assertThat(out.statusCode()).isEqualTo(204);
      assertThat(out.headers().firstValue("set-cookie").orElseThrow()).contains("Max-Age=0");
      assertThat(withSession(s, "GET", "/api/v1/session", cookie, null, "").statusCode())
          .isEqualTo(401);
      assertThat(withSession(s, "GET", "/api/v1/models", "forged", null, "").statusCode())
          .isEqualTo(401);
    }
  }

  @Test
  void adminClassRole_needsAConfirmedSecondFactor_andCodesAreSingleUse() throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      s.postJson(
          "/api/v1/accounts",
          s.adminKey,
          "{\"username\":\"bob\",\"roles\":[\"security-officer\"]}");
      s.putJson(
          "/api/v1/accounts/bob/password", s.adminKey, "{\"password\":\"a long passphrase 42\"}");
      assertThat(login(s, "bob", "a long passphrase 42", null).statusCode()).isEqualTo(401);

      JsonNode enrolment =
          Jsons.parse(s.postJson("/api/v1/accounts/bob/totp", s.adminKey, "").body());
      assertThat(enrolment.get("otpauth_uri").asText()).startsWith("otpauth://totp/");
      byte[] secret = base32(enrolment.get("secret").asText());
      long step = System.currentTimeMillis() / 1000 / 30;
      assertThat(
              s.postJson(
                      "/api/v1/accounts/bob/totp/confirm",
                      s.adminKey,
                      "{\"code\":\"" + totp(secret, step) + "\"}")
                  .statusCode())
          .isEqualTo(204);
      // The confirming code's step is spent; without a code, or with it again, no login.
      assertThat(login(s, "bob", "a long passphrase 42", null).statusCode()).isEqualTo(401);
      assertThat(login(s, "bob", "a long passphrase 42", totp(secret, step)).statusCode())
          .isEqualTo(401);
      HttpResponse<String> ok = login(s, "bob", "a long passphrase 42", totp(secret, step + 1));
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      String cookie = cookieValue(ok);
      assertThat(withSession(s, "GET", "/api/v1/policies", cookie, null, "").statusCode())
          .isEqualTo(200);
      // Resetting the second factor ends the sessions.
      assertThat(s.delete("/api/v1/accounts/bob/totp", s.adminKey).statusCode()).isEqualTo(204);
      assertThat(withSession(s, "GET", "/api/v1/policies", cookie, null, "").statusCode())
          .isEqualTo(401);
    }
  }

  private static String totp(byte[] secret, long step) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(secret, "HmacSHA1"));
    byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
    int o = h[h.length - 1] & 0x0f;
    int bin =
        ((h[o] & 0x7f) << 24)
            | ((h[o + 1] & 0xff) << 16)
            | ((h[o + 2] & 0xff) << 8)
            | (h[o + 3] & 0xff);
    return String.format("%06d", bin % 1_000_000);
  }

  private static byte[] base32(String text) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int buffer = 0;
    int bits = 0;
    for (char c : text.replace("=", "").toUpperCase(java.util.Locale.ROOT).toCharArray()) {
      buffer = (buffer << 5) | alphabet.indexOf(c);
      bits += 5;
      if (bits >= 8) {
        out.write((buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return out.toByteArray();
  }
}
