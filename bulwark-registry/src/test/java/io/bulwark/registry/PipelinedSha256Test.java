package io.bulwark.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PipelinedSha256Test {

  @Test
  void await_rangesOfOneArray_sha256OfTheirConcatenation() throws Exception {
    byte[] plaintext = new byte[3_000_001];
    new Random(40).nextBytes(plaintext);
    PipelinedSha256 pipeline = PipelinedSha256.start();

    for (int offset = 0; offset < plaintext.length; offset += 1 << 20) {
      pipeline.authenticated(plaintext, offset, Math.min(1 << 20, plaintext.length - offset));
    }
    pipeline.finish();

    assertThat(pipeline.await()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(plaintext));
  }

  @Test
  void await_nothingHandedOver_sha256OfEmpty() throws Exception {
    PipelinedSha256 pipeline = PipelinedSha256.start();
    pipeline.finish();

    assertThat(pipeline.await()).isEqualTo(MessageDigest.getInstance("SHA-256").digest());
  }

  @Test
  void await_beforeFinish_illegalState() {
    PipelinedSha256 pipeline = PipelinedSha256.start();
    try {
      assertThatThrownBy(pipeline::await).isInstanceOf(IllegalStateException.class);
    } finally {
      pipeline.finish();
    }
  }

  @Test
  void authenticated_afterFinish_illegalState() {
    PipelinedSha256 pipeline = PipelinedSha256.start();
    pipeline.finish();

    assertThatThrownBy(() -> pipeline.authenticated(new byte[1], 0, 1))
        .isInstanceOf(IllegalStateException.class);
  }
}
