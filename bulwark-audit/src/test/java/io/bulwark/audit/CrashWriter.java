package io.bulwark.audit;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The process {@link AuditLogCrashTest} kills: appends from many threads and prints each index once
 * {@link AuditLog#append} has acknowledged it.
 */
public final class CrashWriter {
  private CrashWriter() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int threads = Integer.parseInt(args[1]);
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    AuditLog log = AuditLog.open(AuditLogConfig.of(dir));
    out.println("ready");
    out.flush();
    for (int t = 0; t < threads; t++) {
      int base = t * 1_000_000;
      Thread.ofPlatform()
          .start(
              () -> {
                for (int i = 0; ; i++) {
                  long index = log.append(AuditTesting.event(base + i));
                  synchronized (out) {
                    out.println(index);
                    out.flush();
                  }
                }
              });
    }
    Thread.sleep(Long.MAX_VALUE);
  }
}
