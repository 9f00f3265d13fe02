package io.bulwark.audit.internal;

import io.bulwark.audit.SiemSink;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/**
 * RFC 5424 messages over TLS (RFC 5425) with octet counting ({@code MSG-LEN SP SYSLOG-MSG}, RFC
 * 6587 section 3.4.1). Connects on first use, verifies the server's certificate and host name, and
 * reconnects on the next send after a failure.
 */
public final class SyslogTlsSink implements SiemSink {
  /** Facility 13, log audit. */
  private static final int FACILITY = 13;

  private static final int CONNECT_TIMEOUT_MS = 5_000;

  private final String host;
  private final int port;
  private final SSLContext tls;
  private final String hostname;
  private @Nullable SSLSocket socket;
  private @Nullable OutputStream out;

  public SyslogTlsSink(String host, int port, SSLContext tls) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be in [1, 65535]");
    }
    this.host = host;
    this.port = port;
    this.tls = tls;
    this.hostname = localHostname();
  }

  @Override
  public void send(byte[] json) throws IOException {
    byte[] message = message(json);
    OutputStream o = out;
    if (o == null) {
      o = connect();
    }
    try {
      o.write((message.length + " ").getBytes(StandardCharsets.US_ASCII));
      o.write(message);
      o.flush();
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  /** The RFC 5424 message: severity informational, or warning when the record says failure. */
  byte[] message(byte[] json) {
    boolean failure = new String(json, StandardCharsets.UTF_8).contains("\"status_id\":2");
    int pri = FACILITY * 8 + (failure ? 4 : 6);
    String header =
        "<"
            + pri
            + ">1 "
            + Instant.now().truncatedTo(ChronoUnit.MICROS)
            + " "
            + hostname
            + " bulwark "
            + ProcessHandle.current().pid()
            + " audit - ";
    byte[] h = header.getBytes(StandardCharsets.US_ASCII);
    byte[] m = new byte[h.length + json.length];
    System.arraycopy(h, 0, m, 0, h.length);
    System.arraycopy(json, 0, m, h.length, json.length);
    return m;
  }

  private OutputStream connect() throws IOException {
    SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket();
    try {
      SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      s.setSSLParameters(p);
      s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
      // A receiver that accepts and then says nothing must not hold the stream's one thread.
      s.setSoTimeout(CONNECT_TIMEOUT_MS);
      s.startHandshake();
    } catch (IOException e) {
      s.close();
      throw e;
    }
    OutputStream o = new BufferedOutputStream(s.getOutputStream());
    socket = s;
    out = o;
    return o;
  }

  @Override
  public void close() throws IOException {
    SSLSocket s = socket;
    socket = null;
    out = null;
    if (s != null) {
      s.close();
    }
  }

  /** The HOSTNAME field: printable ASCII without spaces, at most 255 characters, or NILVALUE. */
  private static String localHostname() {
    String name;
    try {
      name = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "-";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < name.length() && b.length() < 255; i++) {
      char c = name.charAt(i);
      if (c > 32 && c < 127) {
        b.append(c);
      }
    }
    return b.isEmpty() ? "-" : b.toString();
  }
}
