package io.bulwark.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OnnxOptionsTest {

  @Test
  void defaults_letOnnxRuntimeChooseThreadsAndOptimizeFully() {
    OnnxOptions options = OnnxOptions.defaults();

    assertThat(options.intraOpThreads()).isZero();
    assertThat(options.interOpThreads()).isZero();
    assertThat(options.graphOptimization()).isEqualTo(OnnxOptions.GraphOptimization.ALL);
    assertThat(options.memoryArena()).isTrue();
  }

  @Test
  void builder_setsEveryOption() {
    OnnxOptions options =
        OnnxOptions.builder()
            .intraOpThreads(2)
            .interOpThreads(3)
            .graphOptimization(OnnxOptions.GraphOptimization.NONE)
            .memoryArena(false)
            .build();

    assertThat(options).isEqualTo(new OnnxOptions(2, 3, OnnxOptions.GraphOptimization.NONE, false));
    assertThat(options.toBuilder().build()).isEqualTo(options);
  }

  @Test
  void threads_atMaximum_accepted() {
    assertThat(
            OnnxOptions.builder().intraOpThreads(OnnxOptions.MAX_THREADS).build().intraOpThreads())
        .isEqualTo(1024);
  }

  @Test
  void threads_aboveMaximum_throws() {
    assertThatThrownBy(() -> OnnxOptions.builder().interOpThreads(1025).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("interOpThreads");
  }

  @Test
  void threads_negative_throws() {
    assertThatThrownBy(() -> OnnxOptions.builder().intraOpThreads(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("intraOpThreads");
  }
}
