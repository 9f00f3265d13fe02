package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.KekConfig;
import io.bulwark.core.SecureFiles;
import io.bulwark.demo.DemoModel;
import io.bulwark.server.DemoDeployment;
import io.bulwark.testing.SoftHsm;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server with its key-encryption key in a real PKCS#11 token (SoftHSM2): models are sealed
 * under data keys the token wraps, and still load after a restart.
 */
class Pkcs11EndToEndTest {
  @TempDir Path tmp;

  @BeforeEach
  void requireToken() {
    SoftHsm.require();
  }

  @Test
  void serverWithHsmKek_sealsLoadsAndReloadsModels() throws Exception {
    long slot = SoftHsm.initToken("bulwark-it");
    Path pin = tmp.resolve("pin");
    SecureFiles.writePrivate(
        pin, (SoftHsm.USER_PIN + "\n").getBytes(StandardCharsets.US_ASCII), false);
    KekConfig kek = new KekConfig.Pkcs11(SoftHsm.LIBRARY, slot, pin, "bulwark-kek");
    Path dir = tmp.resolve("data");

    DemoDeployment demo;
    try (TestServer s = TestServer.start(dir, b -> b.kek(kek))) {
      demo = s.server.deployDemo();
      s.publish("hsm-model", "1", DemoModel.onnxBytes());
      HttpResponse<String> r =
          s.postJson("/v2/models/hsm-model/infer", s.adminKey, demo.inferenceRequestJson());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    assertThat(dir.resolve("keys/kek.json")).doesNotExist();

    try (TestServer again = TestServer.start(dir, b -> b.kek(kek))) {
      HttpResponse<String> r =
          again.postJson("/v2/models/hsm-model/infer", again.adminKey, demo.inferenceRequestJson());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
  }
}
