package io.bulwark.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.ModelNames;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bulwark model ...}: publish, inspect and deploy model versions. */
@Command(
    name = "model",
    description =
        "Push, list, show, approve, deploy, roll back, retire models; scan, sign and verify model"
            + " files offline.",
    subcommands = {
      ModelCommands.Push.class,
      ModelCommands.ListModels.class,
      ModelCommands.Show.class,
      ModelCommands.Deploy.class,
      ModelCommands.Undeploy.class,
      ScanCommand.class,
      SignCommands.Sign.class,
      SignCommands.Verify.class,
      GovernanceCommands.Approve.class,
      GovernanceCommands.Rollback.class,
      GovernanceCommands.Retire.class,
      GovernanceCommands.History.class
    })
final class ModelCommands implements Callable<Integer> {
  @SuppressWarnings("UnusedVariable") // picocli reads it
  @Mixin
  private HelpOption help = new HelpOption();

  @Override
  public Integer call() {
    throw CliException.usage(
        "missing subcommand: push, list, show, approve, deploy, undeploy, rollback, retire,"
            + " history, scan, sign or verify");
  }

  static String checkName(String name) {
    try {
      return ModelNames.checkName(name);
    } catch (InvalidRequestException e) {
      throw CliException.usage(String.valueOf(e.getMessage()));
    }
  }

  static String checkVersion(String version) {
    try {
      return ModelNames.checkVersion(version);
    } catch (InvalidRequestException e) {
      throw CliException.usage(String.valueOf(e.getMessage()));
    }
  }

  @Command(
      name = "push",
      description =
          "Upload a model file (ONNX) as a new version. The file is streamed, not loaded.")
  static final class Push implements Callable<Integer> {
    private final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Mixin private ClientOptions client = new ClientOptions();

    @Parameters(index = "0", paramLabel = "FILE", description = "The model file.")
    @SuppressWarnings("NullAway.Init")
    private Path file;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Model name.")
    @SuppressWarnings("NullAway.Init")
    private String name;

    @Option(
        names = "--version",
        required = true,
        paramLabel = "VERSION",
        description = "Version label, unique within the model.")
    @SuppressWarnings("NullAway.Init")
    private String version;

    Push(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      checkName(name);
      checkVersion(version);
      if (!Files.isRegularFile(file)) {
        throw CliException.failure(
            Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                ? file + " is not a regular file"
                : file + ": no such file");
      }
      if (!Files.isReadable(file)) {
        throw CliException.failure(file + ": permission denied");
      }
      try (ApiClient api = client.connect(console)) {
        JsonNode created = api.upload(ApiClient.path("models", name, "versions", version), file);
        if (client.json()) {
          Json.print(console.out(), created);
        } else {
          console
              .out()
              .println(
                  "Pushed "
                      + Output.field(created, "name")
                      + " "
                      + Output.field(created, "version")
                      + " ("
                      + Output.field(created, "format")
                      + ", "
                      + Output.size(created, "size_bytes")
                      + ", sha256 "
                      + Output.field(created, "sha256")
                      + ")");
          printTensors(console, created);
        }
      }
      return 0;
    }
  }

  @Command(name = "list", description = "List models with their deployed version.")
  static final class ListModels implements Callable<Integer> {
    private final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Mixin private ClientOptions client = new ClientOptions();

    ListModels(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      try (ApiClient api = client.connect(console)) {
        JsonNode response = api.get(ApiClient.path("models"));
        if (client.json()) {
          Json.print(console.out(), response);
          return 0;
        }
        Output.fieldTable(
            console.out(),
            response.path("models"),
            "No models.",
            "NAME",
            "name",
            "DEPLOYED",
            "deployed_version",
            "VERSIONS",
            "version_count");
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      description = "Show a model and its versions, or one version with its inputs and outputs.")
  static final class Show implements Callable<Integer> {
    private final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Mixin private ClientOptions client = new ClientOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "Model name.")
    @SuppressWarnings("NullAway.Init")
    private String name;

    @Option(names = "--version", paramLabel = "VERSION", description = "Show only this version.")
    private @Nullable String version;

    Show(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      checkName(name);
      String wanted = version;
      if (wanted != null) {
        checkVersion(wanted);
      }
      try (ApiClient api = client.connect(console)) {
        if (wanted != null) {
          JsonNode v = api.get(ApiClient.path("models", name, "versions", wanted));
          if (client.json()) {
            Json.print(console.out(), v);
          } else {
            printVersion(console, v);
          }
          return 0;
        }
        JsonNode model = api.get(ApiClient.path("models", name));
        if (client.json()) {
          Json.print(console.out(), model);
          return 0;
        }
        String deployed = Output.field(model, "deployed_version");
        console.out().println("Model:    " + Output.field(model, "name"));
        console.out().println("Deployed: " + deployed);
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode v : model.path("versions")) {
          String label = Output.field(v, "version");
          rows.add(
              List.of(
                  label.equals(deployed) ? "*" : " ",
                  label,
                  Output.field(v, "format"),
                  Output.size(v, "size_bytes"),
                  shortDigest(Output.field(v, "sha256")),
                  Output.field(v, "created_at"),
                  Output.field(v, "created_by")));
        }
        if (rows.isEmpty()) {
          console.out().println("No versions.");
        } else {
          console.out().println();
          Output.table(
              console.out(),
              List.of(" ", "VERSION", "FORMAT", "SIZE", "SHA256", "CREATED", "BY"),
              rows);
        }
      }
      return 0;
    }
  }

  @Command(
      name = "deploy",
      description = "Serve a version of a model (replacing the deployed one).")
  static final class Deploy implements Callable<Integer> {
    private final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Mixin private ClientOptions client = new ClientOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "Model name.")
    @SuppressWarnings("NullAway.Init")
    private String name;

    @Option(
        names = "--version",
        required = true,
        paramLabel = "VERSION",
        description = "The version to serve.")
    @SuppressWarnings("NullAway.Init")
    private String version;

    Deploy(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      checkName(name);
      checkVersion(version);
      try (ApiClient api = client.connect(console)) {
        JsonNode body = Json.object().put("version", version);
        JsonNode deployed = api.put(ApiClient.path("models", name, "deployment"), body);
        if (client.json()) {
          Json.print(console.out(), deployed);
        } else {
          console
              .out()
              .println(
                  "Deployed "
                      + Output.field(deployed, "name")
                      + " "
                      + Output.field(deployed, "version")
                      + " at "
                      + Output.field(deployed, "deployed_at"));
        }
      }
      return 0;
    }
  }

  @Command(name = "undeploy", description = "Stop serving a model; its versions are kept.")
  static final class Undeploy implements Callable<Integer> {
    private final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Mixin private ClientOptions client = new ClientOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "Model name.")
    @SuppressWarnings("NullAway.Init")
    private String name;

    Undeploy(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      checkName(name);
      try (ApiClient api = client.connect(console)) {
        JsonNode undeployed = api.delete(ApiClient.path("models", name, "deployment"));
        if (client.json()) {
          Json.print(console.out(), undeployed);
        } else {
          console
              .out()
              .println(
                  "Undeployed "
                      + Output.field(undeployed, "name")
                      + " (was "
                      + Output.field(undeployed, "undeployed_version")
                      + ")");
        }
      }
      return 0;
    }
  }

  private static void printVersion(Console console, JsonNode v) {
    console.out().println("Model:      " + Output.field(v, "name"));
    console.out().println("Version:    " + Output.field(v, "version"));
    console.out().println("Format:     " + Output.field(v, "format"));
    console.out().println("Size:       " + Output.size(v, "size_bytes"));
    console.out().println("SHA-256:    " + Output.field(v, "sha256"));
    console.out().println("Created:    " + Output.field(v, "created_at"));
    console.out().println("Created by: " + Output.field(v, "created_by"));
    printTensors(console, v);
  }

  /** Prints the model's declared inputs and outputs, as {@code name DATATYPE [d0,d1]}. */
  private static void printTensors(Console console, JsonNode v) {
    for (String kind : List.of("inputs", "outputs")) {
      JsonNode tensors = v.path(kind);
      if (!tensors.isArray() || tensors.isEmpty()) {
        continue;
      }
      console.out().println(Character.toUpperCase(kind.charAt(0)) + kind.substring(1) + ":");
      for (JsonNode t : tensors) {
        console
            .out()
            .println(
                "  "
                    + Output.field(t, "name")
                    + " "
                    + Output.field(t, "datatype")
                    + " ["
                    + Output.field(t, "shape")
                    + "]");
      }
    }
  }

  private static String shortDigest(String digest) {
    return digest.length() > 12 ? digest.substring(0, 12) : digest;
  }
}
