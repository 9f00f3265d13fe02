package io.bulwark.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.ModelNames;
import io.bulwark.core.SecureFiles;
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
      ModelCommands.Pull.class,
      ModelCommands.Deploy.class,
      ModelCommands.Undeploy.class,
      ScanCommand.class,
      SignCommands.Sign.class,
      SignCommands.Verify.class,
      GovernanceCommands.Approve.class,
      GovernanceCommands.Rollback.class,
      GovernanceCommands.Promote.class,
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
        "missing subcommand: push, list, show, pull, approve, deploy, undeploy, rollback, retire,"
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
          "Upload a model file as a new version, with its model card and, unless its namespace"
              + " allows unsigned models, an OpenSSF Model Signing bundle. The file is streamed,"
              + " not loaded. Only ONNX versions can be deployed; the other formats are scanned,"
              + " signed and kept for download.")
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

    @Option(
        names = "--card",
        required = true,
        paramLabel = "CARD.json",
        description =
            "The model card: owner, description, intended_use, licence, risk_tier (low, medium,"
                + " high, critical); optional limitations, training_data, data_classification,"
                + " parent_version.")
    @SuppressWarnings("NullAway.Init")
    private Path card;

    @Option(
        names = "--signature",
        paramLabel = "SIG",
        description = "OMS signature bundle over the file (see 'bulwark model sign').")
    private @Nullable Path signature;

    @Option(
        names = "--format",
        paramLabel = "FORMAT",
        description =
            "The file's format: onnx (default), safetensors, pytorch (zip checkpoint), pickle"
                + " (raw pickle or legacy PyTorch checkpoint) or numpy (.npy).")
    private @Nullable String format;

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
      byte[] cardBytes = readSmall(card, CARD_MAX_BYTES, "--card");
      Path sig = signature;
      byte[] signatureBytes =
          sig == null ? null : readSmall(sig, SIGNATURE_MAX_BYTES, "--signature");
      try (ApiClient api = client.connect(console)) {
        JsonNode created =
            api.push(
                ApiClient.path("models", name, "versions", version),
                cardBytes,
                signatureBytes,
                format,
                file);
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
          console.out().println("Signer: " + signerText(created));
          printTensors(console, created);
        }
      }
      return 0;
    }
  }

  @Command(
      name = "pull",
      description =
          "Download a version's artifact as it was pushed, verified against the digest the server"
              + " recorded. Needs the read-model permission. Never overwrites a file.")
  static final class Pull implements Callable<Integer> {
    private final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Mixin private ClientOptions client = new ClientOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "Model name.")
    @SuppressWarnings("NullAway.Init")
    private String name;

    @Parameters(index = "1", paramLabel = "VERSION", description = "Version label.")
    @SuppressWarnings("NullAway.Init")
    private String version;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where to write the artifact (mode 0600); must not exist.")
    @SuppressWarnings("NullAway.Init")
    private Path out;

    Pull(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      checkName(name);
      checkVersion(version);
      Path target = out.toAbsolutePath().normalize();
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        throw CliException.failure(target + " exists; refusing to overwrite it");
      }
      Path parent = target.getParent();
      if (parent == null || !Files.isDirectory(parent)) {
        throw CliException.failure(target + ": the directory does not exist");
      }
      String[] sha256 = new String[1];
      try {
        // The digest is checked while downloading; the file gets its name only once it passed.
        SecureFiles.writePrivate(
            target,
            partial -> {
              try (ApiClient api = client.connect(console)) {
                sha256[0] =
                    api.download(
                        ApiClient.path("models", name, "versions", version, "artifact"), partial);
              }
            },
            false);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        throw CliException.failure(target + " exists; refusing to overwrite it", e);
      } catch (java.io.IOException | UnsupportedOperationException e) {
        throw CliException.failure("cannot create " + target + ": " + Failures.describe(e), e);
      }
      try {
        long size = Files.size(target);
        if (client.json()) {
          Json.print(
              console.out(),
              Json.object()
                  .put("name", name)
                  .put("version", version)
                  .put("sha256", sha256[0])
                  .put("size_bytes", size)
                  .put("file", target.toString()));
        } else {
          console
              .out()
              .println(
                  "Pulled "
                      + name
                      + " "
                      + version
                      + " to "
                      + Terminal.safe(target.toString())
                      + " ("
                      + Output.bytes(size)
                      + ", sha256 "
                      + sha256[0]
                      + ", verified)");
        }
        return 0;
      } catch (java.io.IOException e) {
        throw CliException.failure("cannot read " + target + ": " + Failures.describe(e), e);
      }
    }
  }

  /** As the server allows; checked here too so that a wrong file fails before the upload. */
  static final int CARD_MAX_BYTES = 64 * 1024;

  static final int SIGNATURE_MAX_BYTES = 1024 * 1024;

  private static byte[] readSmall(Path file, int max, String option) {
    try (java.io.InputStream in = Files.newInputStream(file)) {
      byte[] b = in.readNBytes(max + 1);
      if (b.length > max) {
        throw CliException.usage(option + ": " + file + " is larger than " + max + " bytes");
      }
      return b;
    } catch (java.io.IOException e) {
      throw CliException.failure("cannot read " + file + ": " + Failures.describe(e), e);
    }
  }

  static String signerText(JsonNode v) {
    JsonNode signer = v.path("signer");
    return signer.isTextual()
        ? Terminal.safe(signer.asText(), 256)
        : "UNSIGNED (admitted because its namespace allows unsigned models)";
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

    @Parameters(
        index = "1",
        arity = "0..1",
        paramLabel = "VERSION",
        description = "Show this version with its chain of custody.")
    private @Nullable String positionalVersion;

    @Option(names = "--version", paramLabel = "VERSION", description = "Same as VERSION.")
    private @Nullable String version;

    Show(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      checkName(name);
      if (version != null && positionalVersion != null && !version.equals(positionalVersion)) {
        throw CliException.usage("give the version once");
      }
      String wanted = version != null ? version : positionalVersion;
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
        JsonNode canary = model.path("canary");
        if (canary.isObject()) {
          console
              .out()
              .println(
                  "Canary:   "
                      + Output.field(canary, "version")
                      + " for "
                      + Output.field(canary, "percent")
                      + "% of callers since "
                      + Output.field(canary, "since"));
        }
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

    @Option(
        names = "--canary",
        paramLabel = "PERCENT",
        description =
            "Serve the version to this share of callers (1-99, the same callers every time) beside"
                + " the deployed one; then 'model promote' or 'model rollback'.")
    private @Nullable Integer canary;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why; recorded with the event.")
    private @Nullable String reason;

    Deploy(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      checkName(name);
      checkVersion(version);
      try (ApiClient api = client.connect(console)) {
        ObjectNode body = Json.object().put("version", version);
        Integer share = canary;
        if (share != null) {
          if (share < 1 || share > 99) {
            throw CliException.usage("--canary must be 1-99");
          }
          body.put("canary_percent", share);
        }
        if (reason != null) {
          body.put("reason", reason);
        }
        JsonNode deployed = api.put(ApiClient.path("models", name, "deployment"), body);
        if (client.json()) {
          Json.print(console.out(), deployed);
        } else if (share != null) {
          console
              .out()
              .println(
                  "Canary "
                      + Output.field(deployed, "name")
                      + " "
                      + version
                      + " serves "
                      + share
                      + "% of callers; "
                      + Output.field(deployed, "version")
                      + " serves the rest");
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
    console.out().println("State:      " + Output.field(v, "state"));
    console.out().println("Signer:     " + signerText(v));
    console.out().println("Scan:       " + Output.field(v, "scan_verdict"));
    JsonNode card = v.path("card");
    if (card.isObject()) {
      console.out().println("Owner:      " + Output.field(card, "owner"));
      console.out().println("Risk tier:  " + Output.field(card, "risk_tier"));
      console.out().println("Data class: " + Output.field(card, "data_classification"));
      console.out().println("Licence:    " + Output.field(card, "licence"));
      console.out().println("Intended:   " + Output.field(card, "intended_use"));
      if (card.path("parent_version").isTextual()) {
        console.out().println("Parent:     " + Output.field(card, "parent_version"));
      }
    }
    printTensors(console, v);
    JsonNode custody = v.path("custody");
    if (custody.isObject()) {
      console.out().println("Serving:    " + Output.field(custody, "serving"));
      console.out().println("Chain of custody:");
      Output.fieldTable(
          console.out(),
          custody.path("events"),
          "  (no events)",
          "TIME",
          "time",
          "ACTION",
          "action",
          "BY",
          "actor",
          "DETAIL",
          "reason");
    }
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
