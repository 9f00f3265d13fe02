package io.bulwark.audit;

import static io.bulwark.audit.AuditTesting.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditStreamTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void jsonLines_events_writtenAsOcsf() throws Exception {
    Path file = tmp.resolve("siem.jsonl");
    try (AuditStream s = AuditStream.start(SiemSinks.jsonLines(file), 100, Duration.ofSeconds(1))) {
      s.offer(event(1));
      s.offer(
          new AuditEvent(
              AuditEventType.AUTHENTICATION_FAILURE,
              AuditOutcome.FAILURE,
              "-",
              "api",
              "req-9",
              Instant.ofEpochSecond(1_767_225_600L),
              Map.of("password", "hunter2", "method", "api_key")));
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    JsonNode api = JSON.readTree(lines.get(0));
    assertThat(api.path("class_uid").asInt()).isEqualTo(6003);
    assertThat(api.path("activity_id").asInt()).isEqualTo(2);
    assertThat(api.path("type_uid").asLong()).isEqualTo(600302);
    assertThat(api.path("actor").path("user").path("uid").asText()).isEqualTo("consumer-1");
    assertThat(api.path("resources").get(0).path("uid").asText()).isEqualTo("model:fraud/1");
    JsonNode auth = JSON.readTree(lines.get(1));
    assertThat(auth.path("class_uid").asInt()).isEqualTo(3002);
    assertThat(auth.path("status_id").asInt()).isEqualTo(2);
    assertThat(auth.path("time").asLong()).isEqualTo(1_767_225_600_000L);
    assertThat(lines.get(1)).doesNotContain("hunter2").contains("<redacted>");
    assertThat(PosixPerms.of(file)).isEqualTo("rw-------");
  }

  /**
   * A sink that cannot deliver (a FIFO nobody reads yet: opening it blocks) makes the bounded
   * buffer overflow; the drops are counted and reported in the stream once it flows again.
   */
  @Test
  void offer_bufferFull_dropsCountedAndReported() throws Exception {
    Path fifo = tmp.resolve("siem.fifo");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(mk.waitFor() == 0, "mkfifo is not available");
    AuditStream s = AuditStream.start(SiemSinks.jsonLines(fifo), 4, Duration.ofMillis(100));
    for (int i = 0; i < 50; i++) {
      s.offer(event(i));
    }
    assertThat(s.dropped()).isGreaterThanOrEqualTo(50 - 4 - 1);
    long dropped = s.dropped();
    CompletableFuture<String> read =
        CompletableFuture.supplyAsync(
            () -> {
              try (InputStream in = Files.newInputStream(fifo)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(300);
    s.close();
    String all = read.get(10, TimeUnit.SECONDS);
    List<String> lines = all.lines().toList();
    assertThat(lines).hasSize((int) (50 - dropped) + 1);
    JsonNode report = JSON.readTree(lines.get(lines.size() - 1));
    assertThat(report.path("message").asText())
        .isEqualTo(
            "dropped " + dropped + " audit events (SIEM stream buffer full or sink failing)");
    assertThat(report.path("unmapped").path("dropped").asLong()).isEqualTo(dropped);
  }

  @Test
  void syslogTls_events_framedRfc5424OverTls() throws Exception {
    KeyPair key = KeyPairGenerator.getInstance("EC").generateKeyPair();
    X500Name name = new X500Name("CN=localhost");
    X509Certificate cert =
        new JcaX509CertificateConverter()
            .getCertificate(
                new JcaX509v3CertificateBuilder(
                        name,
                        BigInteger.ONE,
                        Date.from(Instant.now().minusSeconds(60)),
                        Date.from(Instant.now().plusSeconds(3600)),
                        name,
                        key.getPublic())
                    .addExtension(
                        Extension.subjectAlternativeName,
                        false,
                        new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")))
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    char[] pw = "test".toCharArray();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("server", key.getPrivate(), pw, new X509Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    SSLContext server = SSLContext.getInstance("TLS");
    server.init(kmf.getKeyManagers(), null, null);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, tmf.getTrustManagers(), null);

    try (SSLServerSocket ss =
        (SSLServerSocket)
            server
                .getServerSocketFactory()
                .createServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      CompletableFuture<List<String>> frames =
          CompletableFuture.supplyAsync(
              () -> {
                List<String> out = new ArrayList<>();
                try (SSLSocket s = (SSLSocket) ss.accept();
                    InputStream in = new BufferedInputStream(s.getInputStream())) {
                  for (int i = 0; i < 3; i++) {
                    out.add(readFrame(in));
                  }
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
                return out;
              });
      try (AuditStream stream =
          AuditStream.start(
              SiemSinks.syslogTls("localhost", ss.getLocalPort(), client),
              100,
              Duration.ofSeconds(1))) {
        stream.offer(event(1));
        stream.offer(event(2));
        stream.offer(
            new AuditEvent(
                AuditEventType.AUTHORIZATION_DENIED,
                AuditOutcome.DENIED,
                "consumer-3",
                "model:secret/1",
                "req-3",
                Instant.now(),
                Map.of()));
        List<String> got = frames.get(10, TimeUnit.SECONDS);
        assertThat(got.get(0)).matches("<110>1 \\S+ \\S+ bulwark \\d+ audit - \\{.*\\}");
        assertThat(got.get(2)).startsWith("<108>1 ");
        String json = got.get(0).substring(got.get(0).indexOf('{'));
        assertThat(JSON.readTree(json).path("api").path("request").path("uid").asText())
            .isEqualTo("req-1");
        assertThat(stream.delivered()).isGreaterThanOrEqualTo(3);
      }
    }
  }

  /** One RFC 6587 octet-counted frame: {@code MSG-LEN SP SYSLOG-MSG}. */
  private static String readFrame(InputStream in) throws IOException {
    ByteArrayOutputStream len = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != ' ') {
      if (c < '0' || c > '9' || len.size() > 9) {
        throw new IOException("bad frame length");
      }
      len.write(c);
    }
    int n = Integer.parseInt(len.toString(StandardCharsets.US_ASCII));
    return new String(in.readNBytes(n), StandardCharsets.UTF_8);
  }

  private static final class PosixPerms {
    static String of(Path p) throws IOException {
      return java.nio.file.attribute.PosixFilePermissions.toString(
          Files.getPosixFilePermissions(p));
    }
  }
}
