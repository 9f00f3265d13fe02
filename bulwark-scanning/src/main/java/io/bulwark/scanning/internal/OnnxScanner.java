package io.bulwark.scanning.internal;

import io.bulwark.core.Strings;
import io.bulwark.scanning.Finding;
import io.bulwark.scanning.ScanLimits;
import io.bulwark.scanning.spi.FormatScanner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Scans an ONNX {@code ModelProto} with a hand-written wire-format reader, reading only the fields
 * the rules need.
 *
 * <p>Rules: every tensor with external data (initializers, sparse initializers, attribute tensors,
 * in subgraphs and model-local functions) must name a relative location that resolves, without
 * symbolic links, to a regular file inside the package; every operator domain and imported operator
 * set must be allowlisted, unless it is the domain of a model-local function the model itself
 * defines (whose nodes are checked by the same rules); {@code EPContext} nodes are refused; node,
 * initializer, size and nesting limits hold. A file that is not a well-formed protobuf message is
 * unsafe ({@code onnx.malformed}).
 */
public final class OnnxScanner implements FormatScanner {
  /** The operator domains allowed by default: the ONNX standard and ONNX-ML sets. */
  public static final Set<String> DEFAULT_DOMAINS = Set.of("", "ai.onnx", "ai.onnx.ml");

  static final int MAX_DEPTH = 64;
  private static final int MAX_FINDINGS = 100;
  private static final int EXTERNAL = 1;

  private final Set<String> allowedDomains;

  public OnnxScanner() {
    this(DEFAULT_DOMAINS);
  }

  /** A scanner that allows operators from {@code allowedDomains} ({@code ""} is ai.onnx). */
  public OnnxScanner(Set<String> allowedDomains) {
    this.allowedDomains = Set.copyOf(allowedDomains);
  }

  /**
   * What a scan found, and the files (absolute, normalised) that the model's external data
   * references resolved to, so a package scan can accept them as data.
   */
  public record Result(List<Finding> findings, Set<Path> externalDataFiles) {
    public Result {
      findings = List.copyOf(findings);
      externalDataFiles = Set.copyOf(externalDataFiles);
    }
  }

  @Override
  public String format() {
    return "onnx";
  }

  @Override
  public boolean recognises(Path file, byte[] head) {
    Path name = file.getFileName();
    return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
  }

  @Override
  public List<Finding> scan(Path root, Path file, String relativeName, ScanLimits limits)
      throws IOException {
    return scanFile(root, file, relativeName, limits).findings();
  }

  /** Scans {@code file} inside the package {@code root}. */
  public Result scanFile(Path root, Path file, String relativeName, ScanLimits limits)
      throws IOException {
    long size = Files.size(file);
    if (size > limits.maxFileBytes() || size > Integer.MAX_VALUE - 16) {
      // protobuf messages are limited to 2 GiB anyway
      return new Result(
          List.of(new Finding(relativeName, "onnx.limit", "file has " + size + " bytes")),
          Set.of());
    }
    byte[] model;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      // bounded by the size just checked, so a file growing meanwhile cannot exhaust memory
      model = in.readNBytes((int) size + 1);
    }
    if (model.length > size) {
      return new Result(
          List.of(new Finding(relativeName, "onnx.limit", "file grew while being scanned")),
          Set.of());
    }
    return scanModel(model, root, relativeName, limits);
  }

  /**
   * Scans a serialized model. With {@code root} null there is no package, so any external data
   * reference is a finding ({@code onnx.external-data.no-package}).
   */
  public Result scanModel(byte[] model, @Nullable Path root, String relativeName, ScanLimits limits)
      throws IOException {
    if (model.length > limits.maxFileBytes()) {
      return new Result(
          List.of(new Finding(relativeName, "onnx.limit", "file has " + model.length + " bytes")),
          Set.of());
    }
    Walk walk = new Walk(root, relativeName, limits);
    try {
      walk.model(new ProtobufReader(model));
      walk.checkDomains();
    } catch (ProtobufFormatException e) {
      walk.add("onnx.malformed", String.valueOf(e.getMessage()));
    } catch (StopScan e) {
      // a limit was reached; the finding is already recorded
    }
    return new Result(new ArrayList<>(walk.findings), walk.externalFiles);
  }

  /** Thrown inside a walk to stop at a limit without walking the rest. */
  private static final class StopScan extends Exception {
    private static final long serialVersionUID = 1L;

    StopScan() {
      super(null, null, false, false);
    }
  }

  private record OperatorRef(String domain, String opType) {}

  /** The state of one scan: counters, findings and what must be decided at the end. */
  private final class Walk {
    private final @Nullable Path root;
    private final String file;
    private final ScanLimits limits;
    private final Set<Finding> findings = new LinkedHashSet<>();
    private final Set<Path> externalFiles = new HashSet<>();
    private final Set<OperatorRef> localFunctions = new HashSet<>();
    private final Set<OperatorRef> foreignOperators = new LinkedHashSet<>();
    private final Set<String> foreignOpsets = new LinkedHashSet<>();
    private long nodes;
    private long initializers;

    Walk(@Nullable Path root, String file, ScanLimits limits) {
      this.root = root;
      this.file = file;
      this.limits = limits;
    }

    void add(String rule, String detail) {
      if (findings.size() < MAX_FINDINGS) {
        findings.add(new Finding(file, rule, detail));
      }
    }

    void model(ProtobufReader in) throws ProtobufFormatException, StopScan, IOException {
      while (in.hasMore()) {
        int tag = in.readTag();
        switch (ProtobufReader.fieldNumber(tag)) {
          case 7 -> graph(message(in, tag), 1);
          case 8 -> opsetImport(message(in, tag));
          case 25 -> function(message(in, tag), 1);
          default -> in.skip(tag);
        }
      }
    }

    private ProtobufReader message(ProtobufReader in, int tag) throws ProtobufFormatException {
      ProtobufReader.expect(tag, ProtobufReader.LENGTH_DELIMITED);
      return in.readMessage();
    }

    private String string(ProtobufReader in, int tag) throws ProtobufFormatException {
      ProtobufReader.expect(tag, ProtobufReader.LENGTH_DELIMITED);
      return in.readString();
    }

    private void depth(int depth) throws StopScan {
      if (depth > MAX_DEPTH) {
        add("onnx.limit", "nesting deeper than " + MAX_DEPTH);
        throw new StopScan();
      }
    }

    private void opsetImport(ProtobufReader in) throws ProtobufFormatException {
      String domain = "";
      while (in.hasMore()) {
        int tag = in.readTag();
        if (ProtobufReader.fieldNumber(tag) == 1) {
          domain = string(in, tag);
        } else {
          in.skip(tag);
        }
      }
      if (!allowedDomains.contains(domain)) {
        foreignOpsets.add(domain);
      }
    }

    private void function(ProtobufReader in, int depth)
        throws ProtobufFormatException, StopScan, IOException {
      depth(depth);
      String name = "";
      String domain = "";
      while (in.hasMore()) {
        int tag = in.readTag();
        switch (ProtobufReader.fieldNumber(tag)) {
          case 1 -> name = string(in, tag);
          case 10 -> domain = string(in, tag);
          case 7 -> node(message(in, tag), depth + 1);
          case 9 -> opsetImport(message(in, tag));
          default -> in.skip(tag);
        }
      }
      localFunctions.add(new OperatorRef(domain, name));
    }

    private void graph(ProtobufReader in, int depth)
        throws ProtobufFormatException, StopScan, IOException {
      depth(depth);
      while (in.hasMore()) {
        int tag = in.readTag();
        switch (ProtobufReader.fieldNumber(tag)) {
          case 1 -> node(message(in, tag), depth + 1);
          case 5 -> {
            countInitializer();
            tensor(message(in, tag));
          }
          case 15 -> {
            countInitializer();
            sparseTensor(message(in, tag));
          }
          default -> in.skip(tag);
        }
      }
    }

    private void countInitializer() throws StopScan {
      if (++initializers > limits.maxOnnxInitializers()) {
        add("onnx.limit", "more than " + limits.maxOnnxInitializers() + " initializers");
        throw new StopScan();
      }
    }

    private void node(ProtobufReader in, int depth)
        throws ProtobufFormatException, StopScan, IOException {
      depth(depth);
      if (++nodes > limits.maxOnnxNodes()) {
        add("onnx.limit", "more than " + limits.maxOnnxNodes() + " nodes");
        throw new StopScan();
      }
      String opType = "";
      String domain = "";
      while (in.hasMore()) {
        int tag = in.readTag();
        switch (ProtobufReader.fieldNumber(tag)) {
          case 4 -> opType = string(in, tag);
          case 7 -> domain = string(in, tag);
          case 5 -> attribute(message(in, tag), depth + 1);
          default -> in.skip(tag);
        }
      }
      if (opType.equals("EPContext")) {
        add(
            "onnx.epcontext",
            "EPContext node in domain '"
                + Strings.printable(domain)
                + "' refers to an execution-provider cache");
      }
      if (!allowedDomains.contains(domain)) {
        foreignOperators.add(new OperatorRef(domain, opType));
      }
    }

    private void attribute(ProtobufReader in, int depth)
        throws ProtobufFormatException, StopScan, IOException {
      depth(depth);
      while (in.hasMore()) {
        int tag = in.readTag();
        switch (ProtobufReader.fieldNumber(tag)) {
          case 5, 10 -> tensor(message(in, tag));
          case 6, 11 -> graph(message(in, tag), depth + 1);
          case 22, 23 -> sparseTensor(message(in, tag));
          default -> in.skip(tag);
        }
      }
    }

    private void sparseTensor(ProtobufReader in) throws ProtobufFormatException, IOException {
      while (in.hasMore()) {
        int tag = in.readTag();
        switch (ProtobufReader.fieldNumber(tag)) {
          case 1, 2 -> tensor(message(in, tag));
          default -> in.skip(tag);
        }
      }
    }

    private void tensor(ProtobufReader in) throws ProtobufFormatException, IOException {
      long dataLocation = 0;
      String location = null;
      String offset = null;
      String length = null;
      boolean hasExternalEntries = false;
      while (in.hasMore()) {
        int tag = in.readTag();
        switch (ProtobufReader.fieldNumber(tag)) {
          case 14 -> {
            ProtobufReader.expect(tag, ProtobufReader.VARINT);
            dataLocation = in.readVarint();
          }
          case 13 -> {
            hasExternalEntries = true;
            ProtobufReader entry = message(in, tag);
            String key = "";
            String value = "";
            while (entry.hasMore()) {
              int entryTag = entry.readTag();
              switch (ProtobufReader.fieldNumber(entryTag)) {
                case 1 -> key = string(entry, entryTag);
                case 2 -> value = string(entry, entryTag);
                default -> entry.skip(entryTag);
              }
            }
            switch (key) {
              case "location" -> {
                if (location != null) {
                  add("onnx.external-data.invalid", "external data names two locations");
                }
                location = value;
              }
              case "offset" -> offset = value;
              case "length" -> length = value;
              default -> {
                // checksum and future keys do not change where bytes are read from
              }
            }
          }
          default -> in.skip(tag);
        }
      }
      if (location != null) {
        externalData(location, offset, length);
      } else if (dataLocation == EXTERNAL || hasExternalEntries) {
        add("onnx.external-data.invalid", "external data without a location");
      }
    }

    private void externalData(String location, @Nullable String offset, @Nullable String length)
        throws IOException {
      String shown = "'" + Strings.printable(location) + "'";
      if (location.isEmpty()
          || location.indexOf('\0') >= 0
          || location.indexOf('\\') >= 0
          || (location.indexOf(':') >= 0 && !isDriveLetter(location))) {
        // backslashes and colons mean other things on Windows (separators, streams, devices)
        add("onnx.external-data.invalid", "location " + shown + " is not a plain relative path");
        return;
      }
      if (location.startsWith("/") || isDriveLetter(location)) {
        add("onnx.external-data.absolute", "location " + shown + " is absolute");
        return;
      }
      for (String segment : location.split("/", -1)) {
        if (segment.equals("..")) {
          // refused even where it would stay inside: nothing legitimate needs it
          add("onnx.external-data.traversal", "location " + shown + " contains '..'");
          return;
        }
      }
      if (root == null) {
        add(
            "onnx.external-data.no-package",
            "location " + shown + " refers to a file outside the uploaded model");
        return;
      }
      Path base = root.toAbsolutePath().normalize();
      Path target = base.resolve(location).normalize();
      if (!target.startsWith(base) || target.equals(base)) {
        add("onnx.external-data.traversal", "location " + shown + " leaves the package");
        return;
      }
      for (Path p = target; p != null && !p.equals(base); p = p.getParent()) {
        if (Files.isSymbolicLink(p)) {
          add("onnx.external-data.symlink", "location " + shown + " passes through a symlink");
          return;
        }
      }
      if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        add("onnx.external-data.missing", "location " + shown + " does not exist");
        return;
      }
      if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
        add("onnx.external-data.not-regular", "location " + shown + " is not a regular file");
        return;
      }
      if (!target.toRealPath().startsWith(base.toRealPath())) {
        add("onnx.external-data.traversal", "location " + shown + " resolves outside the package");
        return;
      }
      if (linkCount(target) > 1) {
        // a hard link may share its bytes with any file on the host
        add("onnx.external-data.hardlink", "location " + shown + " is a hard link");
        return;
      }
      checkRange(shown, offset, length, Files.size(target));
      externalFiles.add(target);
    }

    private void checkRange(
        String shown, @Nullable String offset, @Nullable String length, long size) {
      long start = offset == null ? 0 : parseNonNegative(offset);
      long count = length == null ? 0 : parseNonNegative(length);
      if (start < 0 || count < 0) {
        add("onnx.external-data.invalid", "location " + shown + " has an invalid offset or length");
      } else if (start > size || count > size - start) {
        add("onnx.external-data.range", "location " + shown + " is read beyond its end");
      }
    }

    void checkDomains() {
      for (String domain : foreignOpsets) {
        boolean local = localFunctions.stream().anyMatch(f -> f.domain().equals(domain));
        if (!local) {
          add(
              "onnx.custom-domain",
              "operator set '" + Strings.printable(domain) + "' is not allowlisted");
        }
      }
      for (OperatorRef op : foreignOperators) {
        if (!localFunctions.contains(op)) {
          add(
              "onnx.custom-domain",
              "operator '"
                  + Strings.printable(op.opType())
                  + "' from domain '"
                  + Strings.printable(op.domain())
                  + "' is not allowlisted");
        }
      }
    }
  }

  private static boolean isDriveLetter(String location) {
    return location.length() >= 2
        && location.charAt(1) == ':'
        && ((location.charAt(0) >= 'a' && location.charAt(0) <= 'z')
            || (location.charAt(0) >= 'A' && location.charAt(0) <= 'Z'));
  }

  private static long parseNonNegative(String value) {
    if (value.isEmpty() || value.length() > 19) {
      return -1;
    }
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') {
        return -1;
      }
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static long linkCount(Path file) throws IOException {
    try {
      Object count = Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
      return count instanceof Integer n ? n : 1;
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return 1;
    }
  }
}
