package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.core.BulwarkConfig;
import io.bulwark.core.ClientCertificateConfig;
import io.bulwark.core.ClientCertificateConfig.Client;
import io.bulwark.crypto.TlsMaterial;
import io.bulwark.server.BulwarkServer;
import io.bulwark.testing.OnnxElementType;
import io.bulwark.testing.OnnxModels;
import io.bulwark.testing.TestCertificates;
import io.bulwark.testing.TestCertificates.Authority;
import io.bulwark.testing.TestCertificates.ClientSpec;
import io.bulwark.testing.TestCertificates.Issued;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS against the real server over real TLS: certificates made here with BouncyCastle, the
 * JDK's HttpClient holding the client key.
 */
class MutualTlsEndToEndTest {
  private static final String SCORER = "spiffe://acme.example/ns/prod/sa/scorer";
  private static final String INFER =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}";

  private static final Authority CA = Authority.create("Bulwark Test Clients CA");
  private static final Authority WRONG_CA = Authority.create("Somebody Else's CA");

  private static Issued scorer;
  private static Issued legacy;
  private static Issued unmapped;
  private static Issued expired;
  private static Issued wrongCa;
  private static Issued noClientAuth;
  private static Issued revoked;

  @TempDir Path tmp;

  @BeforeAll
  static void certificates() {
    Instant now = Instant.now();
    scorer = CA.issue(ClientSpec.of("CN=scorer", SCORER));
    legacy = CA.issue(ClientSpec.of("CN=legacy,O=Acme"));
    unmapped = CA.issue(ClientSpec.of("CN=stranger", "spiffe://acme.example/ns/dev/sa/other"));
    expired =
        CA.issue(
            ClientSpec.of("CN=expired", SCORER)
                .validity(now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1))));
    wrongCa = WRONG_CA.issue(ClientSpec.of("CN=scorer", SCORER));
    noClientAuth = CA.issue(ClientSpec.of("CN=server-only", SCORER).withoutClientAuth());
    revoked = CA.issue(ClientSpec.of("CN=revoked", SCORER));
  }

  private ClientCertificateConfig config(ClientCertificateConfig.Mode mode, Instant crlNextUpdate)
      throws Exception {
    Path anchors =
        TestCertificates.writeCertificates(tmp.resolve("clients-ca.pem"), CA.certificate());
    Path crl =
        TestCertificates.writeCrl(
            tmp.resolve("clients-ca.crl"), CA.crl(crlNextUpdate, revoked.certificate()));
    return new ClientCertificateConfig(
        mode,
        anchors,
        List.of(crl),
        List.of(
            Client.spiffe(SCORER, Set.of("consumer"), "default").withModels(Set.of("m")),
            Client.subject("CN=legacy,O=Acme", Set.of("consumer"), "default")
                .withModels(Set.of("secret"))));
  }

  private TestServer start(ClientCertificateConfig mtls) throws Exception {
    return TestServer.start(tmp.resolve("data"), b -> b.clientCertificates(mtls));
  }

  @Test
  void optional_certificatesAuthenticate_badOnesFailTheHandshake() throws Exception {
    try (TestServer s =
        start(
            config(
                ClientCertificateConfig.Mode.OPTIONAL, Instant.now().plus(Duration.ofDays(1))))) {
      s.publish("m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      s.publish("secret", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      HttpClient asScorer = client(s, scorer);

      // A SPIFFE-named client sees exactly its grants: its model, nothing else.
      assertThat(post(s, asScorer, "/v2/models/m/infer", null, INFER).statusCode()).isEqualTo(200);
      assertThat(post(s, asScorer, "/v2/models/secret/infer", null, INFER).statusCode())
          .isEqualTo(404);
      assertThat(get(s, asScorer, "/api/v1/keys", null).statusCode()).isEqualTo(403);

      // A subject-named client gets its own grants.
      HttpClient asLegacy = client(s, legacy);
      assertThat(post(s, asLegacy, "/v2/models/secret/infer", null, INFER).statusCode())
          .isEqualTo(200);
      assertThat(post(s, asLegacy, "/v2/models/m/infer", null, INFER).statusCode()).isEqualTo(404);

      // Valid, but named by no client entry: authenticated by TLS, yet no principal.
      HttpResponse<String> stranger =
          post(s, client(s, unmapped), "/v2/models/m/infer", null, INFER);
      assertThat(stranger.statusCode()).isEqualTo(401);
      assertThat(stranger.body()).isEqualTo("{\"error\":\"invalid or missing credentials\"}");

      // Without a certificate, API keys still work; with neither, 401.
      String key = s.createKey("consumer", "m");
      assertThat(post(s, client(s, null), "/v2/models/m/infer", key, INFER).statusCode())
          .isEqualTo(200);
      assertThat(post(s, client(s, null), "/v2/models/m/infer", null, INFER).statusCode())
          .isEqualTo(401);

      // Bad certificates fail the handshake, even with a valid admin key in the request: the key
      // creation below never reaches the service.
      int keysBefore = keyCount(s);
      for (Issued bad : List.of(expired, wrongCa, noClientAuth, revoked)) {
        HttpClient c = client(s, bad);
        assertThatThrownBy(
                () ->
                    post(
                        s,
                        c,
                        "/api/v1/keys",
                        s.adminKey,
                        "{\"name\":\"sneaky\",\"role\":\"admin\",\"models\":[]}"))
            .as(bad.certificate().getSubjectX500Principal().getName())
            .isInstanceOf(IOException.class);
      }
      assertThat(keyCount(s)).isEqualTo(keysBefore);
    }
  }

  @Test
  void certificateToken_removingTheClientFromTheConfiguration_stopsIt() throws Exception {
    String token;
    try (TestServer s =
        start(
            config(
                ClientCertificateConfig.Mode.OPTIONAL, Instant.now().plus(Duration.ofDays(1))))) {
      s.publish("m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      HttpResponse<String> issued =
          post(s, client(s, scorer), "/oauth2/token", null, "grant_type=client_credentials", true);
      token = Jsons.parse(issued.body()).get("access_token").asText();
      assertThat(post(s, client(s, scorer), "/v2/models/m/infer", token, INFER).statusCode())
          .isEqualTo(200);
    }
    ClientCertificateConfig withoutScorer =
        config(ClientCertificateConfig.Mode.OPTIONAL, Instant.now().plus(Duration.ofDays(1)));
    withoutScorer =
        new ClientCertificateConfig(
            withoutScorer.mode(),
            withoutScorer.trustAnchors(),
            withoutScorer.crlFiles(),
            withoutScorer.clients().subList(1, 2));
    // Same data directory, so the same token signing keys: only the configuration changed.
    try (TestServer s = start(withoutScorer)) {
      assertThat(post(s, client(s, scorer), "/v2/models/m/infer", token, INFER).statusCode())
          .isEqualTo(401);
    }
  }

  @Test
  void boundTokens_workOnlyWithTheirCertificate() throws Exception {
    try (TestServer s =
        start(
            config(
                ClientCertificateConfig.Mode.OPTIONAL, Instant.now().plus(Duration.ofDays(1))))) {
      s.publish("m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      HttpClient asScorer = client(s, scorer);

      HttpResponse<String> issued =
          post(s, asScorer, "/oauth2/token", null, "grant_type=client_credentials", true);
      assertThat(issued.statusCode()).isEqualTo(200);
      String token = Jsons.parse(issued.body()).get("access_token").asText();
      JsonNode claims = claims(token);
      assertThat(claims.get("sub").asText()).isEqualTo("cert:" + SCORER);
      assertThat(claims.at("/cnf/x5t#S256").asText()).isEqualTo(thumbprint(scorer));

      assertThat(post(s, asScorer, "/v2/models/m/infer", token, INFER).statusCode()).isEqualTo(200);
      assertThat(post(s, client(s, null), "/v2/models/m/infer", token, INFER).statusCode())
          .isEqualTo(401);
      assertThat(post(s, client(s, legacy), "/v2/models/m/infer", token, INFER).statusCode())
          .isEqualTo(401);

      // An API-key caller that also presents a certificate gets a token bound to it.
      String key = s.createKey("consumer", "m");
      HttpResponse<String> viaKey =
          post(s, asScorer, "/oauth2/token", key, "grant_type=client_credentials", true);
      assertThat(viaKey.statusCode()).isEqualTo(200);
      String keyToken = Jsons.parse(viaKey.body()).get("access_token").asText();
      assertThat(claims(keyToken).at("/cnf/x5t#S256").asText()).isEqualTo(thumbprint(scorer));
      assertThat(post(s, asScorer, "/v2/models/m/infer", keyToken, INFER).statusCode())
          .isEqualTo(200);
      assertThat(post(s, client(s, null), "/v2/models/m/infer", keyToken, INFER).statusCode())
          .isEqualTo(401);

      // Without a certificate, an API key's token stays unbound.
      HttpResponse<String> plain =
          post(s, client(s, null), "/oauth2/token", key, "grant_type=client_credentials", true);
      assertThat(claims(Jsons.parse(plain.body()).get("access_token").asText()).has("cnf"))
          .isFalse();
    }
  }

  @Test
  void required_noCertificateFailsTheHandshake_aValidOneWorks() throws Exception {
    // Not TestServer: it creates keys over a connection without a certificate.
    try (BulwarkServer server =
        BulwarkServer.create(
            BulwarkConfig.builder()
                .dataDirectory(tmp.resolve("data"))
                .port(0)
                .gracefulShutdownMillis(5000)
                .clientCertificates(
                    config(
                        ClientCertificateConfig.Mode.REQUIRED,
                        Instant.now().plus(Duration.ofDays(1))))
                .build())) {
      server.start();
      String admin =
          java.nio.file.Files.readString(
                  tmp.resolve("data").resolve(BulwarkServer.BOOTSTRAP_KEY_FILE))
              .strip();
      java.net.URI keys =
          java.net.URI.create("https://127.0.0.1:" + server.port() + "/api/v1/keys");
      HttpResponse<String> withCertificate =
          client(server.caCertificate(), scorer)
              .send(
                  HttpRequest.newBuilder(keys).header("Authorization", "Bearer " + admin).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(withCertificate.statusCode()).isEqualTo(200);
      // Load-balancer health checks need a certificate too in this mode.
      HttpClient anonymous = client(server.caCertificate(), null);
      for (String path : List.of("/api/v1/keys", "/v2/health/live")) {
        java.net.URI uri = java.net.URI.create("https://127.0.0.1:" + server.port() + path);
        assertThatThrownBy(
                () ->
                    anonymous.send(
                        HttpRequest.newBuilder(uri)
                            .header("Authorization", "Bearer " + admin)
                            .build(),
                        HttpResponse.BodyHandlers.ofString()))
            .isInstanceOf(IOException.class);
      }
    }
  }

  @Test
  void staleCrl_refusesEveryCertificate_apiKeysStillWork() throws Exception {
    try (TestServer s =
        start(
            config(
                ClientCertificateConfig.Mode.OPTIONAL,
                Instant.now().minus(Duration.ofMinutes(1))))) {
      HttpClient asScorer = client(s, scorer);
      assertThatThrownBy(() -> get(s, asScorer, "/v2/health/live", null))
          .isInstanceOf(IOException.class);
      assertThat(get(s, client(s, null), "/api/v1/keys", s.adminKey).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void off_aPresentedCertificateIsIgnored() throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      HttpClient asScorer = client(s, scorer);
      assertThat(get(s, asScorer, "/api/v1/keys", null).statusCode()).isEqualTo(401);
      assertThat(get(s, asScorer, "/api/v1/keys", s.adminKey).statusCode()).isEqualTo(200);
      // Not even a certificate from an unknown CA disturbs the handshake: none is asked for.
      assertThat(get(s, client(s, wrongCa), "/api/v1/keys", s.adminKey).statusCode())
          .isEqualTo(200);
    }
  }

  // ---- helpers ----

  private static int keyCount(TestServer s) throws Exception {
    HttpResponse<String> r = s.get("/api/v1/keys", s.adminKey);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = Jsons.parse(r.body());
    JsonNode list = body.isArray() ? body : body.path("keys");
    return list.size();
  }

  private static JsonNode claims(String token) {
    return Jsons.parse(
        new String(
            Base64.getUrlDecoder().decode(token.split("\\.", -1)[1]), StandardCharsets.UTF_8));
  }

  private static String thumbprint(Issued c) throws Exception {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(MessageDigest.getInstance("SHA-256").digest(c.certificate().getEncoded()));
  }

  private static HttpResponse<String> get(
      TestServer s, HttpClient c, String path, @Nullable String credential) throws Exception {
    return c.send(s.request(path, credential).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(
      TestServer s, HttpClient c, String path, @Nullable String credential, String body)
      throws Exception {
    return post(s, c, path, credential, body, false);
  }

  private static HttpResponse<String> post(
      TestServer s,
      HttpClient c,
      String path,
      @Nullable String credential,
      String body,
      boolean form)
      throws Exception {
    return c.send(
        s.request(path, credential)
            .header("Content-Type", form ? "application/x-www-form-urlencoded" : "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A client that trusts the server's CA and, if {@code certificate} is given, presents it whatever
   * CAs the server names (the JDK's own key manager would withhold one from an unnamed CA).
   */
  private static HttpClient client(TestServer s, @Nullable Issued certificate) throws Exception {
    return client(s.server.caCertificate(), certificate);
  }

  private static HttpClient client(Path serverCa, @Nullable Issued certificate) throws Exception {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(TlsMaterial.trustStore(serverCa));
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(
        certificate == null ? null : new javax.net.ssl.KeyManager[] {new Presenting(certificate)},
        tmf.getTrustManagers(),
        null);
    return HttpClient.newBuilder()
        .sslContext(ssl)
        .version(HttpClient.Version.HTTP_2)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  private static final class Presenting extends X509ExtendedKeyManager {
    private static final String ALIAS = "client";
    private final Issued issued;

    Presenting(Issued issued) {
      this.issued = issued;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine e) {
      return ALIAS;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return ALIAS;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {ALIAS};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return new X509Certificate[] {issued.certificate()};
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return issued.key();
    }

    @Override
    public String @Nullable [] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public @Nullable String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }
}
