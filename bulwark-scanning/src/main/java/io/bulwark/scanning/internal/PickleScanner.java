package io.bulwark.scanning.internal;

import io.bulwark.core.Strings;
import io.bulwark.scanning.Finding;
import io.bulwark.scanning.ScanLimits;
import io.bulwark.scanning.spi.FormatScanner;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.zip.ZipException;

/**
 * Scans Python pickles without unpickling them: raw pickles ({@code .pkl}, {@code .pickle}),
 * PyTorch checkpoints in the legacy layout (five consecutive pickles, then raw storage bytes) and
 * the zip layout (every pickle member, e.g. {@code archive/data.pkl}), NumPy {@code .npy} files
 * whose dtype holds objects (the array data is then a pickle) and {@code .npz} archives of them.
 *
 * <p>Guarantees: a file is reported safe only if every pickle in it parses completely, imports only
 * globals on a weights-only allowlist (OrderedDict, torch tensor rebuilders, storages, dtypes,
 * devices, sizes, numpy array reconstruction, a few plain builtins), calls only such globals, and,
 * for archives, the zip structure is consistent (central directory and local headers agree, no
 * encryption, no unsafe or duplicate names, no overlapping members, sizes and CRC-32 as declared,
 * total size within {@link ScanLimits#maxFileBytes()}). Anything malformed, truncated or over a
 * limit is a finding, never a pass.
 *
 * <p>Recognition: names ending {@code .pkl .pickle .pt .pth .ckpt .npy .npz} always; {@code .bin
 * .zip .joblib} and names without an extension only when the first bytes are a pickle PROTO, a zip
 * local header or the npy magic. Other archive formats (7z, tar) are not recognised here and so are
 * refused by the aggregate scanner as unrecognised.
 */
public final class PickleScanner implements FormatScanner {
  private static final Pattern TORCH_STORAGE = Pattern.compile("(.*/)?data/[0-9]+");
  private static final List<String> ALWAYS =
      List.of(".pkl", ".pickle", ".pt", ".pth", ".ckpt", ".npy", ".npz");
  private static final List<String> BY_CONTENT = List.of(".bin", ".zip", ".joblib");
  private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
  private static final int LEGACY_TORCH_PICKLES = 5;

  public PickleScanner() {}

  @Override
  public String format() {
    return "pickle";
  }

  @Override
  public boolean recognises(Path file, byte[] head) {
    Path fileName = file.getFileName();
    String name = fileName == null ? "" : fileName.toString().toLowerCase(Locale.ROOT);
    if (ALWAYS.stream().anyMatch(name::endsWith)) {
      return true;
    }
    boolean byContent = BY_CONTENT.stream().anyMatch(name::endsWith) || name.indexOf('.') < 0;
    return byContent
        && (PickleOpcodes.startsWithProto(head) || isZip(head) || NpyHeader.hasMagic(head));
  }

  @Override
  public List<Finding> scan(Path root, Path file, String relativeName, ScanLimits limits)
      throws IOException {
    List<Finding> out = new ArrayList<>();
    String label = Strings.printable(relativeName);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > limits.maxFileBytes()) {
        out.add(new Finding(label, "pickle.limit", "file larger than " + limits.maxFileBytes()));
        return out;
      }
      ByteBuffer headBuffer = ByteBuffer.allocate((int) Math.min(size, 8));
      while (headBuffer.hasRemaining() && ch.read(headBuffer, headBuffer.position()) >= 0) {
        // read the first bytes without moving the channel's position
      }
      byte[] head = headBuffer.array();
      if (isZip(head)) {
        scanZip(ch, label, limits, out);
      } else {
        InputStream in = new BufferedInputStream(Channels.newInputStream(ch.position(0)), 1 << 16);
        if (NpyHeader.hasMagic(head)) {
          scanNpy(in, size, label, limits, out);
        } else {
          scanPickles(in, size, label, limits, out);
        }
      }
    }
    return out;
  }

  private static boolean isZip(byte[] head) {
    if (head.length < ZIP_MAGIC.length) {
      return false;
    }
    for (int i = 0; i < ZIP_MAGIC.length; i++) {
      if (head[i] != ZIP_MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * One pickle that must end exactly at the end of the data, or PyTorch's legacy layout: a pickled
   * magic number, then four more pickles, then raw storage bytes that no unpickler reads.
   */
  private static void scanPickles(
      InputStream in, long length, String label, ScanLimits limits, List<Finding> out)
      throws IOException {
    PickleInput pickle = new PickleInput(in, length);
    PickleMachine.Result first = PickleMachine.run(pickle, limits.maxPickleOps());
    add(out, label, first.problems());
    if (!first.stopped() || pickle.remaining() == 0) {
      return;
    }
    if (!first.torchLegacyMagic()) {
      out.add(
          new Finding(label, "pickle.malformed", "data after STOP at byte " + pickle.position()));
      return;
    }
    for (int i = 1; i < LEGACY_TORCH_PICKLES; i++) {
      if (pickle.remaining() == 0) {
        out.add(new Finding(label, "pickle.malformed", "legacy PyTorch file ends early"));
        return;
      }
      PickleMachine.Result next = PickleMachine.run(pickle, limits.maxPickleOps());
      add(out, label, next.problems());
      if (!next.stopped()) {
        return;
      }
    }
  }

  private static void scanNpy(
      InputStream in, long length, String label, ScanLimits limits, List<Finding> out)
      throws IOException {
    NpyHeader header;
    try {
      header = NpyHeader.read(in, length);
    } catch (NpyHeader.MalformedException e) {
      out.add(
          new Finding(label, "npy.malformed", Strings.printable(String.valueOf(e.getMessage()))));
      return;
    }
    if (header.objectDtype()) {
      PickleInput pickle = new PickleInput(in, length - header.headerBytes());
      PickleMachine.Result result = PickleMachine.run(pickle, limits.maxPickleOps());
      add(out, label, result.problems());
      if (result.stopped() && pickle.remaining() != 0) {
        out.add(
            new Finding(
                label,
                "pickle.malformed",
                "data after STOP at byte " + (header.headerBytes() + pickle.position())));
      }
    }
    // any other dtype is plain numbers that NumPy copies without interpreting
  }

  private static void scanZip(FileChannel ch, String label, ScanLimits limits, List<Finding> out)
      throws IOException {
    ZipReader zip = ZipReader.open(ch, limits.maxArchiveEntries(), limits.maxFileBytes());
    if (!zip.problems().isEmpty()) {
      add(out, label, zip.problems());
      return;
    }
    int scanned = 0;
    for (ZipReader.Entry entry : zip.entries()) {
      if (entry.isDirectory()) {
        continue;
      }
      String member = label + "!" + Strings.printable(entry.name());
      String lower = entry.name().toLowerCase(Locale.ROOT);
      try (InputStream in = new BufferedInputStream(zip.open(entry), 1 << 16)) {
        in.mark(2);
        byte[] head = in.readNBytes(2);
        in.reset();
        if (lower.endsWith(".npy")) {
          scanNpy(in, entry.size(), member, limits, out);
          scanned++;
        } else if (lower.endsWith(".pkl")
            || lower.endsWith(".pickle")
            || (!TORCH_STORAGE.matcher(entry.name()).matches()
                && PickleOpcodes.startsWithProto(head))) {
          // a pickle under another name is still a pickle to whoever loads it
          scanPickles(in, entry.size(), member, limits, out);
          scanned++;
        }
        in.transferTo(OutputStream.nullOutputStream()); // size and CRC-32 are checked at the end
      } catch (ZipException e) {
        out.add(
            new Finding(member, "zip.corrupt", Strings.printable(String.valueOf(e.getMessage()))));
      }
    }
    if (scanned == 0) {
      out.add(
          new Finding(label, "pickle.unrecognised-archive", "zip holds no pickle or npy member"));
    }
  }

  private static void add(List<Finding> out, String label, List<PickleMachine.Problem> problems) {
    for (PickleMachine.Problem p : problems) {
      out.add(new Finding(label, p.rule(), p.detail()));
    }
  }
}
