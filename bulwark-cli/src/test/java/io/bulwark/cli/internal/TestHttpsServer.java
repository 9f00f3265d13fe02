package io.bulwark.cli.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;

/**
 * A loopback HTTPS endpoint that answers every request with one canned response and records what it
 * received. It stands in for the network, not for our server: it checks what the client sends and
 * how it treats what comes back.
 */
final class TestHttpsServer implements AutoCloseable {
  /** What the client sent. */
  static final class Received {
    private final String method;
    private final String path;
    private final Map<String, List<String>> headers;
    private final byte[] body;

    Received(String method, String path, Map<String, List<String>> headers, byte[] body) {
      this.method = method;
      this.path = path;
      this.headers = headers;
      this.body = body.clone();
    }

    String method() {
      return method;
    }

    /** The raw (still percent-encoded) path. */
    String path() {
      return path;
    }

    byte[] body() {
      return body.clone();
    }

    String header(String name) {
      for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
        if (entry.getKey().equalsIgnoreCase(name) && !entry.getValue().isEmpty()) {
          return entry.getValue().get(0);
        }
      }
      return "";
    }
  }

  private final HttpsServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private volatile byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
  private volatile String contentType = "application/json";
  private volatile Map<String, String> extraHeaders = Map.of();
  private final Map<String, Canned> routes = new ConcurrentHashMap<>();

  @SuppressWarnings("ArrayRecordComponent") // test-only, never compared
  private record Canned(int status, String contentType, byte[] body) {}

  private TestHttpsServer(SSLContext tls) throws IOException {
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext("/", this::handle);
    server.start();
  }

  static TestHttpsServer start(SSLContext tls) throws IOException {
    return new TestHttpsServer(tls);
  }

  /** The URL by IP address; the test certificate must name 127.0.0.1. */
  String url() {
    return "https://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The URL by name; the test certificate must name localhost. */
  String urlByName() {
    return "https://localhost:" + server.getAddress().getPort();
  }

  TestHttpsServer respond(int status, String json) {
    return respond(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  TestHttpsServer respond(int status, String contentType, byte[] body) {
    this.status = status;
    this.contentType = contentType;
    this.body = body.clone();
    return this;
  }

  /**
   * Answers requests for {@code pathAndQuery} (the raw path, with {@code ?query} if the route is
   * for one query only) with this response instead of the default one.
   */
  TestHttpsServer route(String pathAndQuery, int status, String contentType, String body) {
    routes.put(
        pathAndQuery, new Canned(status, contentType, body.getBytes(StandardCharsets.UTF_8)));
    return this;
  }

  TestHttpsServer withHeader(String name, String value) {
    this.extraHeaders = Map.of(name, value);
    return this;
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  Received last() {
    return received.get(received.size() - 1);
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] requestBody;
    try (InputStream in = exchange.getRequestBody()) {
      requestBody = in.readAllBytes();
    }
    received.add(
        new Received(
            exchange.getRequestMethod(),
            exchange.getRequestURI().getRawPath(),
            Map.copyOf(exchange.getRequestHeaders()),
            requestBody));
    String path = exchange.getRequestURI().getRawPath();
    String query = exchange.getRequestURI().getRawQuery();
    Canned canned = routes.get(query == null ? path : path + "?" + query);
    if (canned == null) {
      canned = routes.getOrDefault(path, new Canned(status, contentType, body));
    }
    exchange.getResponseHeaders().set("Content-Type", canned.contentType());
    extraHeaders.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    byte[] response = canned.body();
    exchange.sendResponseHeaders(canned.status(), response.length == 0 ? -1 : response.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(response);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
