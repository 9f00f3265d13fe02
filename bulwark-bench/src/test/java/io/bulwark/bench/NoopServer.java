package io.bulwark.bench;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.TlsKeyPair;
import com.linecorp.armeria.server.Server;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The transport limit: Armeria with Bulwark's TLS setup (its certificate and key, TLS 1.3 and 1.2,
 * the same request size limit) that reads each request body in full and answers with a fixed body,
 * on the event loop, with no authentication and no work.
 */
final class NoopServer implements AutoCloseable {
  private final Server server;

  /**
   * Serves {@code POST /noop/{name}} with {@code responses.get(name)}.
   *
   * @param tls Bulwark's {@code DATA/tls} directory
   */
  NoopServer(Path tls, Map<String, byte[]> responses) throws UnknownHostException {
    Map<String, byte[]> bodies = Map.copyOf(responses);
    server =
        Server.builder()
            .https(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0))
            .tls(
                TlsKeyPair.of(
                    tls.resolve("server.key").toFile(), tls.resolve("server.pem").toFile()))
            .tlsCustomizer(ssl -> ssl.protocols("TLSv1.3", "TLSv1.2"))
            .maxRequestLength(32L * 1024 * 1024)
            .service(
                "/noop/{name}",
                (ctx, req) ->
                    HttpResponse.of(
                        req.aggregate()
                            .thenApply(
                                r ->
                                    HttpResponse.of(
                                        HttpStatus.OK,
                                        MediaType.JSON,
                                        HttpData.wrap(bodies.get(ctx.pathParam("name")))))))
            .build();
    server.start().join();
  }

  String url(String name) {
    return "https://127.0.0.1:" + server.activeLocalPort() + "/noop/" + name;
  }

  @Override
  public void close() {
    server.stop().join();
  }
}
