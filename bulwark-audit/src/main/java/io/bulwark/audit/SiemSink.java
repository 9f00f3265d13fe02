package io.bulwark.audit;

import java.io.IOException;

/**
 * Where an {@link AuditStream} delivers its records: one OCSF JSON object per call, without a line
 * terminator. Called from the stream's single delivery thread only.
 */
public interface SiemSink extends AutoCloseable {
  /**
   * Delivers one record. A sink that fails throws; the stream counts the record as dropped and
   * calls again with the next one (a sink reconnects or reopens by itself).
   */
  void send(byte[] json) throws IOException;

  @Override
  void close() throws IOException;
}
