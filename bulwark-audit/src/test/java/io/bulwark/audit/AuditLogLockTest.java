package io.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer per log: a second open of the same directory is refused until the first closes. */
class AuditLogLockTest {
  @TempDir Path dir;

  @Test
  void open_sameDirectoryTwice_secondIsRefused_untilTheFirstCloses() throws Exception {
    AuditLog first = AuditLog.open(AuditLogConfig.of(dir));
    assertThatThrownBy(() -> AuditLog.open(AuditLogConfig.of(dir)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("in use by another audit log");
    first.append(AuditEvent.of(AuditEventType.SERVER_START, AuditOutcome.SUCCESS, "s", "-", "-"));
    first.close();
    try (AuditLog again = AuditLog.open(AuditLogConfig.of(dir))) {
      assertThat(again.size()).isEqualTo(1);
    }
  }
}
