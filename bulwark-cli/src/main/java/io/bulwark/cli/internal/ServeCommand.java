package io.bulwark.cli.internal;

import io.bulwark.core.BulwarkConfig;
import io.bulwark.server.BulwarkServer;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bulwark serve}: runs the server in this process until SIGTERM or SIGINT (or, in-process,
 * until the calling thread is interrupted), then shuts it down gracefully.
 */
@Command(
    name = "serve",
    description = {
      "Run the Bulwark server until SIGTERM or SIGINT (graceful shutdown).",
      "The first start creates the data directory: a local CA and server certificate, the"
          + " key-encryption keyset and a bootstrap admin API key, which is printed once and kept in"
          + " DATA/bootstrap-admin.key (mode 0600).",
      "Settings come from the embedded defaults, then --config FILE, then the flags."
    },
    footerHeading = "%nConfiguration file (JSON, every field optional):%n",
    footer = {
      "  {\"data_dir\": \"/var/lib/bulwark\",",
      "   \"listen\": {\"host\": \"127.0.0.1\", \"port\": 8443},",
      "   \"limits\": {\"max_request_bytes\": 33554432, \"max_model_bytes\": 1073741824,",
      "              \"max_tensor_elements\": 4194304, \"max_json_depth\": 32,",
      "              \"max_header_bytes\": 16384, \"max_concurrent_inferences\": 64},",
      "   \"graceful_shutdown_ms\": 10000}",
      "A relative data_dir is resolved against the directory of the configuration file."
    })
final class ServeCommand implements Callable<Integer> {
  static final String BOOTSTRAP_KEY_FILE = "bootstrap-admin.key";

  private final Console console;

  @SuppressWarnings("UnusedVariable") // picocli reads it
  @Mixin
  private HelpOption help = new HelpOption();

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Data directory (default: bulwark-data in the current directory).")
  private @Nullable Path data;

  @Option(names = "--config", paramLabel = "FILE", description = "JSON configuration file.")
  private @Nullable Path config;

  @Option(
      names = "--demo",
      description =
          "Also publish and deploy the demo model, and print a curl command that calls it.")
  private boolean demo;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description = "Address to listen on (default: 127.0.0.1).")
  private @Nullable String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "HTTPS port (default: 8443; 0 picks a free port).")
  private @Nullable Integer port;

  ServeCommand(Console console) {
    this.console = console;
  }

  @Override
  public Integer call() {
    BulwarkConfig settings =
        ServeConfiguration.resolve(new ServeConfiguration.Flags(config, data, host, port));
    BulwarkServer server;
    try {
      server = BulwarkServer.create(demo ? BulwarkServer.withDemoSigner(settings) : settings);
    } catch (RuntimeException e) {
      Optional<Throwable> file = Failures.find(e, FileSystemException.class);
      throw CliException.failure(
          file.isPresent() && ((FileSystemException) file.get()).getFile() != null
              ? "cannot prepare the data directory: " + reason(e)
              : "cannot prepare the data directory " + settings.dataDirectory() + ": " + reason(e),
          e);
    }
    AtomicBoolean closed = new AtomicBoolean();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              console.err().println("bulwark: shutting down");
              try {
                closeOnce(server, closed);
                console.err().println("bulwark: stopped");
              } catch (RuntimeException e) {
                console.err().println("bulwark: shutdown failed: " + Failures.describe(e));
              } finally {
                stopped.countDown();
              }
            },
            "bulwark-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      try {
        server.start();
      } catch (RuntimeException e) {
        throw CliException.failure(
            "cannot listen on " + settings.host() + ":" + settings.port() + ": " + reason(e), e);
      }
      printBanner(server, settings);
      if (demo) {
        printDemo(server, settings);
      }
      console.out().flush();
      stopped.await();
    } catch (InterruptedException e) {
      // In-process callers (tests) stop the server by interrupting the thread that runs it.
      Thread.currentThread().interrupt();
    } finally {
      if (stopped.getCount() > 0) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // The JVM is already shutting down; the hook closes the server.
        }
        closeOnce(server, closed);
      }
    }
    return 0;
  }

  private void printBanner(BulwarkServer server, BulwarkConfig settings) {
    console
        .out()
        .println("Bulwark listening on https://" + urlHost(settings.host()) + ":" + server.port());
    console.out().println("CA certificate: " + server.caCertificate().toAbsolutePath());
    Optional<String> key = server.bootstrapAdminKey();
    if (key.isPresent()) {
      Path keyFile = settings.dataDirectory().resolve(BOOTSTRAP_KEY_FILE).toAbsolutePath();
      console.out().println();
      console
          .out()
          .println(
              "Bootstrap admin API key. It is shown only this once; a copy is in "
                  + keyFile
                  + " (mode 0600):");
      console.out().println("  " + key.get());
      console
          .out()
          .println(
              "Anyone holding it controls this server: keep it secret, create personal keys with"
                  + " 'bulwark key create', and pass it with --api-key-file "
                  + Terminal.shellQuote(keyFile.toString()));
    }
  }

  private void printDemo(BulwarkServer server, BulwarkConfig settings) {
    var deployment = server.deployDemo();
    String url =
        "https://"
            + urlHost(clientHost(settings.host()))
            + ":"
            + server.port()
            + "/v2/models/"
            + deployment.modelName()
            + "/infer";
    console.out().println();
    console
        .out()
        .println(
            "Demo model "
                + deployment.modelName()
                + " version "
                + deployment.version()
                + " is deployed. Run an inference with:");
    console
        .out()
        .println(
            "  curl --cacert "
                + Terminal.shellQuote(server.caCertificate().toAbsolutePath().toString())
                + " -H \"Authorization: Bearer "
                + deployment.consumerApiKey()
                + "\" -H 'Content-Type: application/json' -d "
                + Terminal.shellQuote(deployment.inferenceRequestJson())
                + " "
                + url);
  }

  private static void closeOnce(BulwarkServer server, AtomicBoolean closed) {
    if (closed.compareAndSet(false, true)) {
      server.close();
    }
  }

  /** A wildcard listen address is not something a client can connect to; loopback is. */
  static String clientHost(String host) {
    return switch (host) {
      case "0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0", "::0" -> "127.0.0.1";
      default -> host;
    };
  }

  /** IPv6 literals need brackets in a URL. */
  static String urlHost(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /** The innermost I/O problem if there is one (it names the file), else the whole failure. */
  private static String reason(RuntimeException e) {
    return Failures.find(e, IOException.class)
        .map(io -> Failures.io((IOException) io))
        .orElseGet(() -> Failures.describe(e));
  }
}
