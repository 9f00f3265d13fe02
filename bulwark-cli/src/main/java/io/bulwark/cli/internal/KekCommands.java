package io.bulwark.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark key rotate|kek|disable}: the key-encryption key that wraps every model's data key.
 */
final class KekCommands {
  private KekCommands() {}

  /** The client options and output every key-encryption-key command shares. */
  abstract static class KekCommand implements Callable<Integer> {
    final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Mixin ClientOptions client = new ClientOptions();

    KekCommand(Console console) {
      this.console = console;
    }

    int print(JsonNode status, String headline) {
      if (client.json()) {
        Json.print(console.out(), status);
        return 0;
      }
      console.out().println(headline);
      Output.fieldTable(
          console.out(),
          status.path("versions"),
          "No key versions.",
          "KEY",
          "key_id",
          "STATUS",
          "status",
          "DATA KEYS",
          "data_keys");
      return 0;
    }
  }

  @Command(
      name = "rotate",
      description = {
        "Create a new key-encryption key version and re-wrap every model's data key under it,"
            + " online: models keep serving, payloads are not re-encrypted.",
        "With --disable-previous, older versions that no longer wrap any data key are disabled."
      })
  static final class Rotate extends KekCommand {
    @Option(
        names = "--disable-previous",
        description = "Disable the older key versions once nothing depends on them.")
    private boolean disablePrevious;

    Rotate(Console console) {
      super(console);
    }

    @Override
    public Integer call() {
      try (ApiClient api = client.connect(console)) {
        ObjectNode body = Json.object().put("disable_previous", disablePrevious);
        JsonNode r = api.post(ApiClient.path("kek", "rotate"), body);
        return print(
            r,
            "Rotated the key-encryption key from "
                + Output.field(r, "previous")
                + " to "
                + Output.field(r, "current")
                + "; re-wrapped "
                + Output.field(r, "rewrapped")
                + " data keys.");
      }
    }
  }

  @Command(
      name = "kek",
      description = "Show the key-encryption key's versions and how many data keys each wraps.")
  static final class Status extends KekCommand {
    Status(Console console) {
      super(console);
    }

    @Override
    public Integer call() {
      try (ApiClient api = client.connect(console)) {
        JsonNode r = api.get(ApiClient.path("kek"));
        return print(r, "Current key-encryption key: " + Output.field(r, "current"));
      }
    }
  }

  @Command(
      name = "disable",
      description =
          "Disable an old key-encryption key version (refused while it still wraps a data key)."
              + " In an HSM this destroys the key.")
  static final class Disable extends KekCommand {
    @Parameters(index = "0", paramLabel = "KEK_ID", description = "As listed by 'key kek'.")
    @SuppressWarnings("NullAway.Init")
    private String keyId;

    Disable(Console console) {
      super(console);
    }

    @Override
    public Integer call() {
      if (keyId.length() > 256) {
        throw CliException.usage("KEK_ID is longer than 256 characters");
      }
      try (ApiClient api = client.connect(console)) {
        JsonNode r = api.post(ApiClient.path("kek", "disable"), Json.object().put("key_id", keyId));
        return print(r, "Disabled " + Terminal.safe(keyId, 256));
      }
    }
  }
}
