package io.bulwark.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServeCommandTest {
  @Test
  void clientHost_wildcardAddress_becomesLoopback() {
    assertThat(ServeCommand.clientHost("0.0.0.0")).isEqualTo("127.0.0.1");
    assertThat(ServeCommand.clientHost("::")).isEqualTo("127.0.0.1");
    assertThat(ServeCommand.clientHost("10.0.0.5")).isEqualTo("10.0.0.5");
  }

  @Test
  void urlHost_ipv6Literal_isBracketed() {
    assertThat(ServeCommand.urlHost("::1")).isEqualTo("[::1]");
    assertThat(ServeCommand.urlHost("[::1]")).isEqualTo("[::1]");
    assertThat(ServeCommand.urlHost("localhost")).isEqualTo("localhost");
  }
}
