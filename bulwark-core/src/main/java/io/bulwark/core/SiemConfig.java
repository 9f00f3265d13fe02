package io.bulwark.core;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Where audit events are streamed for a SIEM, besides the audit log itself: OCSF-shaped JSON lines
 * to a file, and RFC 5424 syslog over TLS. Either, both or neither.
 *
 * @param file the JSON-lines file, or null for none
 * @param syslogHost the syslog receiver, or null for none
 * @param syslogPort its TLS port (RFC 5425 uses 6514)
 * @param syslogCa PEM certificates the receiver's certificate must chain to; null for the JDK's
 *     default trust store
 * @param bufferEvents events held for a slow or absent receiver before they are dropped (and the
 *     drop reported in the stream)
 */
public record SiemConfig(
    @Nullable Path file,
    @Nullable String syslogHost,
    int syslogPort,
    @Nullable Path syslogCa,
    int bufferEvents) {
  public static final int DEFAULT_BUFFER_EVENTS = 10_000;

  public SiemConfig {
    if (syslogHost != null && (syslogHost.isBlank() || syslogPort < 1 || syslogPort > 65535)) {
      throw new IllegalArgumentException("syslog needs a host and a port 1-65535");
    }
    if (bufferEvents < 1 || bufferEvents > 1_000_000) {
      throw new IllegalArgumentException("buffer_events must be 1-1000000");
    }
  }

  /** No streaming. */
  public static SiemConfig none() {
    return new SiemConfig(null, null, 0, null, DEFAULT_BUFFER_EVENTS);
  }
}
