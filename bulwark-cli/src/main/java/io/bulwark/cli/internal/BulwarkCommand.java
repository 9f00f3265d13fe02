package io.bulwark.cli.internal;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** The top-level {@code bulwark} command; on its own it only explains itself. */
@Command(
    name = "bulwark",
    mixinStandardHelpOptions = true,
    versionProvider = VersionInfo.class,
    description = "Bulwark: a secure model server, and the client for it.",
    subcommands = {
      ServeCommand.class,
      ModelCommands.class,
      KeyCommands.class,
      JwtCommands.class,
      PolicyCommands.class,
      AuditCommands.class
    },
    footerHeading = "%n",
    footer = {
      "Client commands find the server with --url (env BULWARK_URL), trust only the CA in --ca"
          + " (default ./bulwark-data/tls/ca.pem) and authenticate with --api-key-file or env"
          + " BULWARK_API_KEY.",
      "",
      "Exit codes: 0 success, 1 error (server, network, TLS, files), 2 bad usage,"
          + " 3 negative security verdict.",
      "Set BULWARK_DEBUG=1 to see stack traces of unexpected errors."
    })
final class BulwarkCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw CliException.usage("missing command: serve, model, key, jwt, policy or audit");
  }
}
