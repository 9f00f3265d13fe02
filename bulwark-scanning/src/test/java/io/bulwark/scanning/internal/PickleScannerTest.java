package io.bulwark.scanning.internal;

import static io.bulwark.scanning.internal.PickleOpcodes.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.scanning.Finding;
import io.bulwark.scanning.ScanLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PickleScannerTest {
  @TempDir Path dir;

  private final PickleScanner scanner = new PickleScanner();

  private static final byte[] BENIGN =
      PickleBytes.proto(2)
          .global("collections", "OrderedDict")
          .op(EMPTY_TUPLE)
          .op(REDUCE)
          .stop()
          .bytes();

  private static final byte[] MALICIOUS =
      PickleBytes.proto(2)
          .global("posix", "system")
          .shortUnicode("id")
          .op(TUPLE1)
          .op(REDUCE)
          .stop()
          .bytes();

  private static final byte[] TORCH_MAGIC =
      PickleBytes.proto(2)
          .op(LONG1)
          .raw(10)
          .raw(0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19)
          .stop()
          .bytes();

  private List<Finding> scan(String name, byte[] content) throws IOException {
    return scan(name, content, ScanLimits.defaults());
  }

  private List<Finding> scan(String name, byte[] content, ScanLimits limits) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, content);
    assertThat(scanner.recognises(file, Arrays.copyOf(content, Math.min(64, content.length))))
        .as("recognises " + name)
        .isTrue();
    return scanner.scan(dir, file, name, limits);
  }

  private static List<String> rules(List<Finding> findings) {
    return findings.stream().map(Finding::rule).distinct().toList();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static ScanLimits limits(long maxFileBytes, int maxArchiveEntries) {
    ScanLimits d = ScanLimits.defaults();
    return new ScanLimits(
        maxFileBytes,
        d.maxFiles(),
        d.maxOnnxNodes(),
        d.maxOnnxInitializers(),
        d.maxPickleOps(),
        maxArchiveEntries,
        d.maxSafetensorsHeaderBytes());
  }

  @Test
  void format_isPickle() {
    assertThat(scanner.format()).isEqualTo("pickle");
  }

  @Test
  void recognises_byNameAndContent() {
    byte[] pickleHead = {(byte) 0x80, 2, 'c'};
    byte[] other = {'7', 'z', (byte) 0xbc, (byte) 0xaf};
    assertThat(scanner.recognises(Path.of("m.pkl"), other)).isTrue();
    assertThat(scanner.recognises(Path.of("m.PT"), other)).isTrue();
    assertThat(scanner.recognises(Path.of("weights.bin"), pickleHead)).isTrue();
    assertThat(scanner.recognises(Path.of("weights.bin"), other)).isFalse();
    assertThat(scanner.recognises(Path.of("m.7z"), other)).isFalse();
    assertThat(scanner.recognises(Path.of("model.onnx"), pickleHead)).isFalse();
    assertThat(scanner.recognises(Path.of("a.zip"), new byte[] {'P', 'K', 3, 4})).isTrue();
  }

  @Test
  void scan_benignRawPickle_noFindings() throws IOException {
    assertThat(scan("model.pkl", BENIGN)).isEmpty();
  }

  @Test
  void scan_maliciousRawPickle_namesTheGlobal() throws IOException {
    List<Finding> findings = scan("model.pkl", MALICIOUS);
    assertThat(findings)
        .containsExactly(
            new Finding("model.pkl", "pickle.disallowed-global", "GLOBAL posix.system"));
  }

  @Test
  void scan_dataAfterStop_malformed() throws IOException {
    assertThat(rules(scan("model.pkl", concat(BENIGN, MALICIOUS))))
        .containsExactly("pickle.malformed");
  }

  @Test
  void scan_legacyTorchLayout_scansFivePicklesAndSkipsStorageBytes() throws IOException {
    byte[] version = PickleBytes.proto(2).op(BININT2).le(1001, 2).stop().bytes();
    byte[] sysInfo = PickleBytes.proto(2).op(EMPTY_DICT).stop().bytes();
    byte[] keys = PickleBytes.proto(2).op(EMPTY_LIST).stop().bytes();
    byte[] storage = {8, 0, 0, 0, 0, 0, 0, 0, (byte) 0xe2, 0x13, 0x55};
    assertThat(scan("model.pt", concat(TORCH_MAGIC, version, sysInfo, BENIGN, keys, storage)))
        .isEmpty();
    assertThat(rules(scan("bad.pt", concat(TORCH_MAGIC, version, sysInfo, MALICIOUS, keys))))
        .containsExactly("pickle.disallowed-global");
    assertThat(rules(scan("short.pt", concat(TORCH_MAGIC, version))))
        .containsExactly("pickle.malformed");
  }

  @Test
  void scan_notAPickleNamedPt_malformed() throws IOException {
    assertThat(rules(scan("model.pt", new byte[] {'7', 'z', (byte) 0xbc, (byte) 0xaf, 0x27})))
        .containsExactly("pickle.malformed");
  }

  @Test
  void scan_fileAboveMaxFileBytes_limit() throws IOException {
    assertThat(scan("model.pkl", BENIGN, limits(BENIGN.length, 10))).isEmpty();
    assertThat(rules(scan("model.pkl", BENIGN, limits(BENIGN.length - 1, 10))))
        .containsExactly("pickle.limit");
  }

  // --- NumPy ---

  private static byte[] npy(int major, String dict, int padTo, byte[] data) {
    int prefix = major == 1 ? 10 : 12;
    StringBuilder header = new StringBuilder(dict);
    while ((prefix + header.length() + 1) % padTo != 0) {
      header.append(' ');
    }
    header.append('\n');
    byte[] h = header.toString().getBytes(StandardCharsets.ISO_8859_1);
    PickleBytes out =
        new PickleBytes().raw(0x93).raw("NUMPY".getBytes(StandardCharsets.US_ASCII)).raw(major, 0);
    out.le(h.length, major == 1 ? 2 : 4);
    return out.raw(h).raw(data).bytes();
  }

  private static final byte[] NUMPY_OBJECT_PICKLE =
      PickleBytes.proto(3)
          .global("numpy.core.multiarray", "_reconstruct")
          .global("numpy", "ndarray")
          .op(BININT1)
          .raw(0)
          .op(TUPLE1)
          .op(SHORT_BINBYTES)
          .raw(1, 'b')
          .op(TUPLE3)
          .op(REDUCE)
          .op(MARK)
          .op(BININT1)
          .raw(1)
          .global("numpy", "dtype")
          .shortUnicode("O8")
          .op(NEWFALSE)
          .op(NEWTRUE)
          .op(TUPLE3)
          .op(REDUCE)
          .op(NEWFALSE)
          .op(EMPTY_LIST)
          .op(TUPLE)
          .op(BUILD)
          .stop()
          .bytes();

  @Test
  void scan_npyOfIntegers_noFindings() throws IOException {
    byte[] f =
        npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", 64, new byte[24]);
    assertThat(scan("a.npy", f)).isEmpty();
  }

  @Test
  void scan_npyOfObjects_scansThePickle() throws IOException {
    String dict = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }";
    assertThat(scan("ok.npy", npy(1, dict, 64, NUMPY_OBJECT_PICKLE))).isEmpty();
    assertThat(rules(scan("bad.npy", npy(1, dict, 64, MALICIOUS))))
        .containsExactly("pickle.disallowed-global");
  }

  @Test
  void scan_npyStructuredDtypeWithObjectField_scansThePickle() throws IOException {
    String dict =
        "{'descr': [('Oa', '<i4'), ('b', '|O')], 'fortran_order': False, 'shape': (1,), }";
    assertThat(rules(scan("s.npy", npy(1, dict, 64, MALICIOUS))))
        .containsExactly("pickle.disallowed-global");
  }

  @Test
  void scan_npyHeaderAtLimit_acceptedAndAboveLimit_refused() throws IOException {
    String dict = "{'descr': '<i1', 'fortran_order': False, 'shape': (0,), }";
    // version 2: 12-byte prefix; pad the header to exactly MAX_HEADER bytes, then one more
    byte[] atLimit = npy(2, dict, NpyHeader.MAX_HEADER + 12, new byte[0]);
    assertThat(atLimit.length).isEqualTo(NpyHeader.MAX_HEADER + 12);
    assertThat(scan("a.npy", atLimit)).isEmpty();
    byte[] above = npy(2, dict, NpyHeader.MAX_HEADER + 13, new byte[0]);
    assertThat(rules(scan("b.npy", above))).containsExactly("npy.malformed");
  }

  @Test
  void scan_npyMalformedHeader_refused() throws IOException {
    byte[] f = npy(1, "{'descr': '<i8', 'shape': (3,), }", 64, new byte[24]);
    assertThat(rules(scan("a.npy", f))).containsExactly("npy.malformed");
    byte[] g =
        npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }junk", 64, new byte[0]);
    assertThat(rules(scan("b.npy", g))).containsExactly("npy.malformed");
  }

  // --- zip archives ---

  private static byte[] zip(String... namesAndContents) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        z.putNextEntry(new ZipEntry(namesAndContents[i]));
        z.write(namesAndContents[i + 1].getBytes(StandardCharsets.ISO_8859_1));
        z.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static byte[] storedZip(String name, byte[] content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      ZipEntry e = new ZipEntry(name);
      e.setMethod(ZipEntry.STORED);
      e.setSize(content.length);
      CRC32 crc = new CRC32();
      crc.update(content);
      e.setCrc(crc.getValue());
      z.putNextEntry(e);
      z.write(content);
      z.closeEntry();
    }
    return bytes.toByteArray();
  }

  private static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void scan_torchZipBenign_noFindings() throws IOException {
    byte[] z =
        zip(
            "archive/data.pkl", latin1(BENIGN),
            "archive/data/0", "\u0080\u0002rawfloats",
            "archive/version", "3\n");
    assertThat(scan("model.pt", z)).isEmpty();
  }

  @Test
  void scan_torchZipMalicious_namesMember() throws IOException {
    byte[] z = zip("archive/data.pkl", latin1(MALICIOUS), "archive/version", "3\n");
    assertThat(scan("model.pt", z))
        .containsExactly(
            new Finding(
                "model.pt!archive/data.pkl", "pickle.disallowed-global", "GLOBAL posix.system"));
  }

  @Test
  void scan_pickleUnderAnotherName_stillScanned() throws IOException {
    assertThat(rules(scan("a.zip", zip("data.txt", latin1(MALICIOUS)))))
        .containsExactly("pickle.disallowed-global");
  }

  @Test
  void scan_npzOfIntegers_noFindings() throws IOException {
    byte[] a = npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", 64, new byte[8]);
    assertThat(scan("arrays.npz", zip("a.npy", latin1(a), "b.npy", latin1(a)))).isEmpty();
  }

  @Test
  void scan_zipWithoutModelContent_refused() throws IOException {
    assertThat(rules(scan("a.zip", zip("readme.txt", "hello"))))
        .containsExactly("pickle.unrecognised-archive");
  }

  @Test
  void scan_zipEntriesAtLimit_acceptedAndAboveLimit_refused() throws IOException {
    byte[] z = zip("a.pkl", latin1(BENIGN), "b.pkl", latin1(BENIGN));
    assertThat(scan("a.zip", z, limits(1 << 20, 2))).isEmpty();
    assertThat(rules(scan("b.zip", z, limits(1 << 20, 1)))).containsExactly("zip.limit");
  }

  @Test
  void scan_zipExpandingBeyondMaxFileBytes_refused() throws IOException {
    String zeros = "\0".repeat(9_000);
    byte[] z = zip("a.pkl", latin1(BENIGN), "data/0", zeros);
    assertThat(scan("a.zip", z, limits(10_000, 10))).isEmpty();
    assertThat(rules(scan("b.zip", z, limits(9_000, 10)))).containsExactly("zip.limit");
  }

  @Test
  void scan_zipSlipName_refused() throws IOException {
    assertThat(rules(scan("a.zip", zip("../evil.pkl", latin1(BENIGN)))))
        .containsExactly("zip.unsafe-name");
    assertThat(rules(scan("b.zip", zip("/abs.pkl", latin1(BENIGN)))))
        .containsExactly("zip.unsafe-name");
  }

  @Test
  void scan_duplicateNames_refused() throws IOException {
    byte[] z = zip("a.pkl", latin1(BENIGN), "b.pkl", latin1(BENIGN));
    String patched = latin1(z).replace("b.pkl", "a.pkl");
    assertThat(rules(scan("a.zip", patched.getBytes(StandardCharsets.ISO_8859_1))))
        .containsExactly("zip.duplicate-name");
  }

  @Test
  void scan_localHeaderNameDiffersFromCentral_refused() throws IOException {
    byte[] z = zip("data.pkl", latin1(BENIGN));
    int local = indexOf(z, "data.pkl".getBytes(StandardCharsets.US_ASCII), 0);
    z[local] = 'x'; // only the local header's copy
    assertThat(rules(scan("a.zip", z))).containsExactly("zip.mismatch");
  }

  @Test
  void scan_encryptedMember_refused() throws IOException {
    byte[] z = zip("data.pkl", latin1(BENIGN));
    z[6] |= 1; // local header flags
    int central = indexOf(z, new byte[] {'P', 'K', 1, 2}, 0);
    z[central + 8] |= 1;
    assertThat(rules(scan("a.zip", z))).containsExactly("zip.encrypted");
  }

  @Test
  void scan_badCrc_refused() throws IOException {
    byte[] z = storedZip("data.pkl", BENIGN);
    int at = indexOf(z, "OrderedDict".getBytes(StandardCharsets.US_ASCII), 0);
    z[at] = 'o'; // still a valid pickle, but no longer the bytes the CRC covers
    assertThat(rules(scan("a.zip", z))).contains("zip.corrupt");
  }

  @Test
  void scan_truncatedZip_refused() throws IOException {
    byte[] z = zip("data.pkl", latin1(BENIGN));
    assertThat(rules(scan("a.zip", Arrays.copyOf(z, z.length - 10))))
        .containsExactly("zip.malformed");
  }
}
