package io.bulwark.audit;

import io.bulwark.audit.internal.FileSiemSink;
import io.bulwark.audit.internal.SyslogTlsSink;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/** The sinks an {@link AuditStream} can deliver to. */
public final class SiemSinks {
  private SiemSinks() {}

  /** JSON lines appended to {@code file} (created 0600 if absent, opened on first use). */
  public static SiemSink jsonLines(Path file) {
    return new FileSiemSink(file);
  }

  /**
   * RFC 5424 syslog over TLS (RFC 5425) with octet-counting framing (RFC 6587), facility log audit
   * (13), APP-NAME {@code bulwark}, MSGID {@code audit}, the OCSF JSON as MSG. The server
   * certificate is checked against {@code tls} and {@code host} (HTTPS-style endpoint
   * identification). Connects on first use and reconnects after a failure.
   */
  public static SiemSink syslogTls(String host, int port, SSLContext tls) {
    return new SyslogTlsSink(host, port, tls);
  }
}
