package io.bulwark.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.cli.Bulwark;
import io.bulwark.core.BulwarkConfig;
import io.bulwark.core.ClientCertificateConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code client_certificates} section of the configuration file. */
class ServeConfigurationClientCertificatesTest {
  @TempDir Path dir;

  private BulwarkConfig resolve(String json) throws Exception {
    Path file = Files.writeString(dir.resolve("bulwark.json"), json, StandardCharsets.UTF_8);
    return ServeConfiguration.resolve(new ServeConfiguration.Flags(file, null, null, null));
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertUsageError(String json) {
    return assertThatThrownBy(() -> resolve(json))
        .isInstanceOfSatisfying(
            CliException.class, e -> assertThat(e.exitCode()).isEqualTo(Bulwark.EXIT_USAGE));
  }

  @Test
  void resolve_noSection_isOff() throws Exception {
    assertThat(resolve("{}").clientCertificates()).isEqualTo(ClientCertificateConfig.off());
  }

  @Test
  void resolve_fullSection_setsEveryField() throws Exception {
    ClientCertificateConfig c =
        resolve(
                """
                {"client_certificates": {"mode": "required", "trust_anchors": "clients-ca.pem",
                  "crl_files": ["ca.crl"],
                  "clients": [
                    {"spiffe_id": "spiffe://acme.example/ns/prod/sa/scorer", "roles": ["consumer"],
                     "tenant": "acme", "models": ["fraud.score"], "actions": ["infer"]},
                    {"spiffe_id": "spiffe://acme.example/ns/batch/*", "roles": ["consumer"],
                     "namespaces": ["batch"]},
                    {"subject": "CN=legacy,O=Acme", "roles": ["auditor"]}]}}
                """)
            .clientCertificates();
    assertThat(c.mode()).isEqualTo(ClientCertificateConfig.Mode.REQUIRED);
    assertThat(c.trustAnchors()).isEqualTo(dir.toAbsolutePath().resolve("clients-ca.pem"));
    assertThat(c.crlFiles()).containsExactly(dir.toAbsolutePath().resolve("ca.crl"));
    assertThat(c.clients()).hasSize(3);
    assertThat(c.clients().get(0).models()).containsExactly("fraud.score");
    assertThat(c.clients().get(0).actions()).containsExactly("infer");
    assertThat(c.clients().get(1).tenant()).isEqualTo(BulwarkConfig.DEFAULT_TENANT);
    assertThat(c.clients().get(2).subject()).isEqualTo("CN=legacy,O=Acme");
    assertThat(c.clients().get(2).roles()).isEqualTo(Set.of("auditor"));
  }

  @Test
  void resolve_unknownMode_namesField() {
    assertUsageError("{\"client_certificates\": {\"mode\": \"sometimes\"}}")
        .hasMessageContaining("client_certificates.mode");
  }

  @Test
  void resolve_optionalWithoutTrustAnchors_isRejected() {
    assertUsageError("{\"client_certificates\": {\"mode\": \"optional\"}}")
        .hasMessageContaining("trust_anchors");
  }

  @Test
  void resolve_clientWithBothNames_namesEntry() {
    assertUsageError(
            "{\"client_certificates\": {\"mode\": \"optional\", \"trust_anchors\": \"a.pem\","
                + " \"clients\": [{\"spiffe_id\": \"spiffe://a/b\", \"subject\": \"CN=x\","
                + " \"roles\": [\"consumer\"]}]}}")
        .hasMessageContaining("clients[0]")
        .hasMessageContaining("exactly one of spiffe_id and subject");
  }

  @Test
  void resolve_spiffeWildcardInTheMiddle_isRejected() {
    assertUsageError(
            "{\"client_certificates\": {\"mode\": \"optional\", \"trust_anchors\": \"a.pem\","
                + " \"clients\": [{\"spiffe_id\": \"spiffe://a/*/b\", \"roles\": [\"consumer\"]}]}}")
        .hasMessageContaining("clients[0]");
  }

  @Test
  void resolve_unknownRole_isRejected() {
    assertUsageError(
            "{\"client_certificates\": {\"mode\": \"optional\", \"trust_anchors\": \"a.pem\","
                + " \"clients\": [{\"subject\": \"CN=x\", \"roles\": [\"root\"]}]}}")
        .hasMessageContaining("roles");
  }

  @Test
  void resolve_clientsAtLimit_areAccepted_andAboveAreRejected() throws Exception {
    int max = ClientCertificateConfig.MAX_CLIENTS;
    assertThat(resolve(clients(max)).clientCertificates().clients()).hasSize(max);
    assertUsageError(clients(max + 1)).hasMessageContaining("more than " + max);
  }

  private static String clients(int n) {
    StringBuilder b =
        new StringBuilder(
            "{\"client_certificates\": {\"mode\": \"optional\", \"trust_anchors\": \"a.pem\","
                + " \"clients\": [");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",")
          .append("{\"spiffe_id\":\"spiffe://t/")
          .append(i)
          .append("\",\"roles\":[\"consumer\"]}");
    }
    return b.append("]}}").toString();
  }
}
