package io.bulwark.cli.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.cli.Bulwark;
import io.bulwark.core.Strings;
import io.bulwark.scanning.ArtifactScanner;
import io.bulwark.scanning.Finding;
import io.bulwark.scanning.ScanLimits;
import io.bulwark.scanning.ScanReport;
import io.bulwark.scanning.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark model scan PATH}: the admission scan the server runs on every push, offline. Exit
 * 0 when every file is recognised and safe, 3 when anything is unsafe or unrecognised.
 */
@Command(
    name = "scan",
    description =
        "Scan a model file or package directory (ONNX, pickle/PyTorch/NumPy, safetensors) without"
            + " loading it. Exit 0 safe, 3 unsafe.")
final class ScanCommand implements Callable<Integer> {
  private final Console console;

  @SuppressWarnings("UnusedVariable") // picocli reads it
  @Mixin
  private HelpOption help = new HelpOption();

  @Parameters(index = "0", paramLabel = "PATH", description = "A model file or directory.")
  @SuppressWarnings("NullAway.Init")
  private Path path;

  @Option(names = "--json", description = "Print the report as JSON.")
  private boolean json;

  ScanCommand(Console console) {
    this.console = console;
  }

  @Override
  public Integer call() {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      throw CliException.usage("no such file or directory: " + Strings.printable(path.toString()));
    }
    ScanReport report;
    try {
      report = ArtifactScanner.withDefaults(ScanLimits.defaults()).scan(path);
    } catch (IOException e) {
      throw CliException.failure("cannot read " + Strings.printable(path.toString()), e);
    }
    if (json) {
      Json.print(console.out(), toJson(report));
    } else {
      for (ScanReport.ScannedFile f : report.files()) {
        console.out().println("  " + Terminal.safe(f.path(), 256) + "  (" + f.format() + ")");
      }
      for (Finding f : report.findings()) {
        console
            .out()
            .println(
                "UNSAFE "
                    + Terminal.safe(f.file(), 256)
                    + ": "
                    + f.rule()
                    + ": "
                    + Terminal.safe(f.detail(), 512));
      }
      console.out().println(report.verdict() == Verdict.SAFE ? "SAFE" : "UNSAFE");
    }
    return report.verdict() == Verdict.SAFE ? Bulwark.EXIT_OK : Bulwark.EXIT_VERDICT;
  }

  static ObjectNode toJson(ScanReport report) {
    ObjectNode out =
        Json.object().put("verdict", report.verdict().name().toLowerCase(java.util.Locale.ROOT));
    ArrayNode files = out.putArray("files");
    for (ScanReport.ScannedFile f : report.files()) {
      files
          .addObject()
          .put("path", f.path())
          .put("format", f.format())
          .put("size_bytes", f.sizeBytes());
    }
    ArrayNode findings = out.putArray("findings");
    for (Finding f : report.findings()) {
      findings.addObject().put("file", f.file()).put("rule", f.rule()).put("detail", f.detail());
    }
    return out;
  }
}
