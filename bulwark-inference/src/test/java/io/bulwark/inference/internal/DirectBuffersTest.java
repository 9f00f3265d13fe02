package io.bulwark.inference.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirectBuffersTest {
  private final DirectBuffers buffers = new DirectBuffers();

  @Test
  void take_afterGive_reusesTheBufferWithTheNewLimit() {
    ByteBuffer first = buffers.take(3000);
    buffers.give(first);

    ByteBuffer second = buffers.take(2049);

    assertThat(second).isSameAs(first);
    assertThat(second.isDirect()).isTrue();
    assertThat(second.position()).isZero();
    assertThat(second.limit()).isEqualTo(2049);
    assertThat(second.capacity()).isEqualTo(4096);
    assertThat(second.order()).isEqualTo(ByteOrder.nativeOrder());
    assertThat(buffers.spareBuffers()).isZero();
  }

  @Test
  void take_smallAndExactSizes_roundUpToPowersOfTwoFromOneKibibyte() {
    assertThat(buffers.take(0).capacity()).isEqualTo(1024);
    assertThat(buffers.take(1).capacity()).isEqualTo(1024);
    assertThat(buffers.take(1024).capacity()).isEqualTo(1024);
    assertThat(buffers.take(1025).capacity()).isEqualTo(2048);
    assertThat(buffers.take(DirectBuffers.MAX_POOLED_BYTES).capacity())
        .isEqualTo(DirectBuffers.MAX_POOLED_BYTES);
  }

  @Test
  void give_aboveTheLargestPooledSize_isNotKept() {
    ByteBuffer large = buffers.take(DirectBuffers.MAX_POOLED_BYTES + 1);
    assertThat(large.capacity()).isEqualTo(DirectBuffers.MAX_POOLED_BYTES + 1);

    buffers.give(large);

    assertThat(buffers.spareBuffers()).isZero();
  }

  @Test
  void give_moreThanThePerSizeBound_keepsOnlyTheBound() {
    List<ByteBuffer> taken = new ArrayList<>();
    for (int i = 0; i < DirectBuffers.PER_SIZE + 5; i++) {
      taken.add(buffers.take(100));
    }

    taken.forEach(buffers::give);

    assertThat(buffers.spareBuffers()).isEqualTo(DirectBuffers.PER_SIZE);
  }

  @Test
  void give_beyondTheMemoryBound_keepsAtMostTheBound() {
    int largest = DirectBuffers.MAX_POOLED_BYTES;
    List<ByteBuffer> taken = new ArrayList<>();
    for (int i = 0; i < DirectBuffers.MAX_SPARE_BYTES / largest + 2; i++) {
      taken.add(buffers.take(largest));
    }

    taken.forEach(buffers::give);

    assertThat((long) buffers.spareBuffers() * largest).isEqualTo(DirectBuffers.MAX_SPARE_BYTES);
  }

  @Test
  void give_aBufferOfAnotherShape_isNotKept() {
    buffers.give(ByteBuffer.allocateDirect(1500));

    assertThat(buffers.spareBuffers()).isZero();
  }
}
