package io.bulwark.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark model approve|promote|rollback|retire|history}: the lifecycle of model versions.
 */
final class GovernanceCommands {
  private GovernanceCommands() {}

  /** What every lifecycle command shares: the client, the model name and a reason. */
  abstract static class LifecycleCommand implements Callable<Integer> {
    final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Mixin ClientOptions client = new ClientOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "Model name.")
    @SuppressWarnings("NullAway.Init")
    String name;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why; recorded with the event.")
    @Nullable String reason;

    LifecycleCommand(Console console) {
      this.console = console;
    }

    ObjectNode reasonBody() {
      ObjectNode body = Json.object();
      if (reason != null) {
        body.put("reason", reason);
      }
      return body;
    }

    /** Prints {@code response} as JSON or as one line. */
    int print(JsonNode response, String line) {
      if (client.json()) {
        Json.print(console.out(), response);
      } else {
        console.out().println(line);
      }
      return 0;
    }
  }

  @Command(
      name = "approve",
      description = "Approve a draft version (someone other than its publisher must do this).")
  static final class Approve extends LifecycleCommand {
    @Option(names = "--version", required = true, paramLabel = "VERSION")
    @SuppressWarnings("NullAway.Init")
    private String version;

    Approve(Console console) {
      super(console);
    }

    @Override
    public Integer call() {
      ModelCommands.checkName(name);
      ModelCommands.checkVersion(version);
      try (ApiClient api = client.connect(console)) {
        JsonNode v =
            api.post(ApiClient.path("models", name, "versions", version, "approve"), reasonBody());
        return print(v, "Approved " + name + " " + version);
      }
    }
  }

  @Command(name = "promote", description = "Make the canary the deployed version for every caller.")
  static final class Promote extends LifecycleCommand {
    Promote(Console console) {
      super(console);
    }

    @Override
    public Integer call() {
      ModelCommands.checkName(name);
      try (ApiClient api = client.connect(console)) {
        JsonNode d = api.post(ApiClient.path("models", name, "promote"), reasonBody());
        return print(d, "Promoted " + name + " " + Output.field(d, "version") + " to every caller");
      }
    }
  }

  @Command(
      name = "rollback",
      description =
          "End a running canary; without one, serve the version that was deployed before.")
  static final class Rollback extends LifecycleCommand {
    Rollback(Console console) {
      super(console);
    }

    @Override
    public Integer call() {
      ModelCommands.checkName(name);
      try (ApiClient api = client.connect(console)) {
        JsonNode d = api.post(ApiClient.path("models", name, "rollback"), reasonBody());
        return print(
            d, "Rolled back " + name + "; " + Output.field(d, "version") + " serves every caller");
      }
    }
  }

  @Command(
      name = "retire",
      description =
          "Retire a version for good: its data key is destroyed (crypto-shredding), so its bytes"
              + " can never be read again.")
  static final class Retire extends LifecycleCommand {
    @Option(names = "--version", required = true, paramLabel = "VERSION")
    @SuppressWarnings("NullAway.Init")
    private String version;

    Retire(Console console) {
      super(console);
    }

    @Override
    public Integer call() {
      ModelCommands.checkName(name);
      ModelCommands.checkVersion(version);
      try (ApiClient api = client.connect(console)) {
        JsonNode v =
            api.post(ApiClient.path("models", name, "versions", version, "retire"), reasonBody());
        return print(v, "Retired " + name + " " + version + "; its data key is destroyed");
      }
    }
  }

  @Command(name = "history", description = "Show who pushed, approved, deployed and retired what.")
  static final class History extends LifecycleCommand {
    History(Console console) {
      super(console);
    }

    @Override
    public Integer call() {
      ModelCommands.checkName(name);
      try (ApiClient api = client.connect(console)) {
        JsonNode events = api.get(ApiClient.path("models", name, "events"));
        if (client.json()) {
          Json.print(console.out(), events);
          return 0;
        }
        Output.fieldTable(
            console.out(),
            events.path("events"),
            "No events.",
            "TIME",
            "time",
            "ACTION",
            "action",
            "VERSION",
            "version",
            "BY",
            "actor",
            "REASON",
            "reason");
        return 0;
      }
    }
  }
}
