package io.bulwark.scanning.internal;

import io.bulwark.core.Strings;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.jspecify.annotations.Nullable;

/**
 * Reads a zip archive (PyTorch checkpoint, NumPy npz) through its central directory and checks
 * every local header against it, so that a file cannot show one member to a streaming reader and
 * another to a central-directory reader. Refuses encryption, compression methods other than stored
 * and deflate, multi-disk archives, unsafe or duplicate names, overlapping members, declared sizes
 * beyond the limits, and members whose size or CRC-32 do not match.
 *
 * <p>{@link #open} never throws for a malformed archive: structural problems are returned in {@link
 * #problems()}, and an archive with problems has no entries to read.
 */
final class ZipReader {
  private static final int LOCAL_SIG = 0x04034b50;
  private static final int CENTRAL_SIG = 0x02014b50;
  private static final int EOCD_SIG = 0x06054b50;
  private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
  private static final int ZIP64_EOCD_SIG = 0x06064b50;
  private static final int EOCD_SIZE = 22;
  private static final long MAX_CENTRAL_DIRECTORY = 64L * 1024 * 1024;
  // flag bits: 0 encrypted, 5 patched data, 6 strong encryption, 13 masked central directory
  private static final int FORBIDDEN_FLAGS = 1 | (1 << 5) | (1 << 6) | (1 << 13);

  /** A member as the central directory describes it, after its local header was checked. */
  record Entry(
      String name,
      int method,
      long crc,
      long compressedSize,
      long size,
      long headerOffset,
      long dataOffset) {
    boolean isDirectory() {
      return name.endsWith("/");
    }
  }

  private final FileChannel channel;
  private final List<Entry> entries;
  private final List<PickleMachine.Problem> problems;

  private ZipReader(
      FileChannel channel, List<Entry> entries, List<PickleMachine.Problem> problems) {
    this.channel = channel;
    this.entries = List.copyOf(entries);
    this.problems = List.copyOf(problems);
  }

  /** The members in central-directory order; empty if there are {@link #problems()}. */
  List<Entry> entries() {
    return entries;
  }

  List<PickleMachine.Problem> problems() {
    return problems;
  }

  /**
   * Reads the directory of the zip in {@code channel}; the caller keeps ownership of the channel.
   */
  static ZipReader open(FileChannel channel, int maxEntries, long maxTotalBytes)
      throws IOException {
    List<PickleMachine.Problem> problems = new ArrayList<>();
    List<Entry> entries = new ArrayList<>();
    try {
      read(channel, maxEntries, maxTotalBytes, entries, problems);
    } catch (BadZip e) {
      problems.add(
          new PickleMachine.Problem(e.rule, Strings.printable(String.valueOf(e.getMessage()))));
    }
    return new ZipReader(channel, problems.isEmpty() ? entries : List.of(), problems);
  }

  private static final class BadZip extends Exception {
    private static final long serialVersionUID = 1L;
    private final String rule;

    BadZip(String rule, String message) {
      super(message);
      this.rule = rule;
    }
  }

  private static void read(
      FileChannel ch,
      int maxEntries,
      long maxTotalBytes,
      List<Entry> entries,
      List<PickleMachine.Problem> problems)
      throws IOException, BadZip {
    long size = ch.size();
    int tailLength = (int) Math.min(size, EOCD_SIZE + 0xffff);
    ByteBuffer tail = readAt(ch, size - tailLength, tailLength);
    int eocd = -1;
    for (int i = tailLength - EOCD_SIZE; i >= 0; i--) {
      if (tail.getInt(i) == EOCD_SIG
          && i + EOCD_SIZE + (tail.getShort(i + 20) & 0xffff) == tailLength) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) {
      throw new BadZip("zip.malformed", "no end of central directory record");
    }
    long eocdPos = size - tailLength + eocd;
    int disk = tail.getShort(eocd + 4) & 0xffff;
    int cdDisk = tail.getShort(eocd + 6) & 0xffff;
    long diskEntries = tail.getShort(eocd + 8) & 0xffff;
    long count = tail.getShort(eocd + 10) & 0xffff;
    long cdSize = tail.getInt(eocd + 12) & 0xffffffffL;
    long cdOffset = tail.getInt(eocd + 16) & 0xffffffffL;
    long cdEnd = eocdPos;
    boolean saturated = count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL;
    ByteBuffer loc = eocdPos >= 20 ? readAt(ch, eocdPos - 20, 20) : null;
    // PyTorch writes the zip64 records even for small archives; when present they govern
    if (loc != null && loc.getInt(0) == ZIP64_LOCATOR_SIG) {
      long z64Pos = loc.getLong(8);
      if (z64Pos < 0 || z64Pos > eocdPos - 20 - 56) {
        throw new BadZip("zip.malformed", "zip64 end record out of range");
      }
      ByteBuffer z = readAt(ch, z64Pos, 56);
      if (z.getInt(0) != ZIP64_EOCD_SIG || z.getLong(4) + 12 != eocdPos - 20 - z64Pos) {
        throw new BadZip("zip.malformed", "zip64 end record missing or mis-sized");
      }
      long z64Count = z.getLong(32);
      long z64CdSize = z.getLong(40);
      long z64CdOffset = z.getLong(48);
      if ((count != 0xffff && count != z64Count)
          || (cdSize != 0xffffffffL && cdSize != z64CdSize)
          || (cdOffset != 0xffffffffL && cdOffset != z64CdOffset)) {
        throw new BadZip("zip.mismatch", "zip64 and classic end records disagree");
      }
      disk = z.getInt(16);
      cdDisk = z.getInt(20);
      diskEntries = z.getLong(24);
      count = z64Count;
      cdSize = z64CdSize;
      cdOffset = z64CdOffset;
      cdEnd = z64Pos;
    } else if (saturated) {
      throw new BadZip("zip.malformed", "zip64 locator missing");
    }
    if (disk != 0 || cdDisk != 0 || diskEntries != count) {
      throw new BadZip("zip.malformed", "multi-disk archives are not supported");
    }
    if (count < 0 || count > maxEntries) {
      throw new BadZip("zip.limit", "more than " + maxEntries + " entries");
    }
    if (cdSize < 0
        || cdOffset < 0
        || cdSize > MAX_CENTRAL_DIRECTORY
        || cdOffset + cdSize != cdEnd) {
      throw new BadZip("zip.malformed", "central directory does not end where the end record is");
    }
    ByteBuffer cd = readAt(ch, cdOffset, (int) cdSize);
    Set<String> names = new HashSet<>();
    long total = 0;
    int p = 0;
    for (long i = 0; i < count; i++) {
      if (p + 46 > cdSize || cd.getInt(p) != CENTRAL_SIG) {
        throw new BadZip("zip.malformed", "central directory entry " + i + " is malformed");
      }
      int flags = cd.getShort(p + 8) & 0xffff;
      int method = cd.getShort(p + 10) & 0xffff;
      long crc = cd.getInt(p + 16) & 0xffffffffL;
      long csize = cd.getInt(p + 20) & 0xffffffffL;
      long usize = cd.getInt(p + 24) & 0xffffffffL;
      int nameLen = cd.getShort(p + 28) & 0xffff;
      int extraLen = cd.getShort(p + 30) & 0xffff;
      int commentLen = cd.getShort(p + 32) & 0xffff;
      int startDisk = cd.getShort(p + 34) & 0xffff;
      long offset = cd.getInt(p + 42) & 0xffffffffL;
      int next = p + 46 + nameLen + extraLen + commentLen;
      if (next > cdSize) {
        throw new BadZip("zip.malformed", "central directory entry " + i + " is truncated");
      }
      byte[] nameBytes = new byte[nameLen];
      cd.get(p + 46, nameBytes);
      String name = new String(nameBytes, StandardCharsets.UTF_8);
      // zip64 extended information replaces the saturated fields, in this order
      int e = p + 46 + nameLen;
      int extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        int id = cd.getShort(e) & 0xffff;
        int len = cd.getShort(e + 2) & 0xffff;
        if (e + 4 + len > extraEnd) {
          throw new BadZip("zip.malformed", "extra field of " + name + " is truncated");
        }
        if (id == 1) {
          int q = e + 4;
          if (usize == 0xffffffffL && q + 8 <= e + 4 + len) {
            usize = cd.getLong(q);
            q += 8;
          }
          if (csize == 0xffffffffL && q + 8 <= e + 4 + len) {
            csize = cd.getLong(q);
            q += 8;
          }
          if (offset == 0xffffffffL && q + 8 <= e + 4 + len) {
            offset = cd.getLong(q);
          }
        }
        e += 4 + len;
      }
      p = next;
      if ((flags & FORBIDDEN_FLAGS) != 0) {
        problems.add(
            problem(
                "zip.encrypted",
                name,
                "is encrypted or patched (flags 0x" + Integer.toHexString(flags) + ")"));
        continue;
      }
      if (method != 0 && method != 8) {
        problems.add(problem("zip.unsupported", name, "uses compression method " + method));
        continue;
      }
      if (startDisk != 0) {
        throw new BadZip("zip.malformed", "multi-disk archives are not supported");
      }
      if (!safeName(name)) {
        problems.add(problem("zip.unsafe-name", name, "has an unsafe name"));
        continue;
      }
      if (!names.add(name)) {
        problems.add(problem("zip.duplicate-name", name, "appears more than once"));
        continue;
      }
      if (usize < 0 || csize < 0 || offset < 0 || (method == 0 && csize != usize)) {
        problems.add(problem("zip.malformed", name, "has inconsistent sizes"));
        continue;
      }
      // deflate cannot expand by more than about 1032:1; a larger claim is a lie or a bomb
      if (method == 8 && usize > 1100 * Math.max(csize, 1)) {
        problems.add(problem("zip.limit", name, "declares an impossible compression ratio"));
        continue;
      }
      total += usize;
      if (usize > maxTotalBytes || total > maxTotalBytes) {
        throw new BadZip("zip.limit", "members expand to more than " + maxTotalBytes + " bytes");
      }
      entries.add(
          checkLocalHeader(
              ch, name, nameBytes, flags, method, crc, csize, usize, offset, cdOffset));
    }
    if (p != cdSize) {
      throw new BadZip("zip.malformed", "central directory size does not match its entries");
    }
    List<Entry> byOffset = new ArrayList<>(entries);
    byOffset.sort(Comparator.comparingLong(Entry::headerOffset));
    if (problems.isEmpty() && (byOffset.isEmpty() || byOffset.get(0).headerOffset() != 0)) {
      // the file starts with a local header: it must be one the directory lists, not a hidden one
      throw new BadZip("zip.mismatch", "the first local header is not in the central directory");
    }
    for (int i = 1; i < byOffset.size(); i++) {
      Entry prev = byOffset.get(i - 1);
      if (prev.dataOffset() + prev.compressedSize() > byOffset.get(i).headerOffset()) {
        throw new BadZip("zip.malformed", "members overlap: " + byOffset.get(i).name());
      }
    }
  }

  private static Entry checkLocalHeader(
      FileChannel ch,
      String name,
      byte[] nameBytes,
      int flags,
      int method,
      long crc,
      long csize,
      long usize,
      long offset,
      long cdOffset)
      throws IOException, BadZip {
    if (offset + 30 > cdOffset) {
      throw new BadZip("zip.malformed", "local header of " + name + " lies outside the data");
    }
    ByteBuffer h = readAt(ch, offset, 30);
    if (h.getInt(0) != LOCAL_SIG) {
      throw new BadZip("zip.malformed", "local header of " + name + " is missing");
    }
    int lflags = h.getShort(6) & 0xffff;
    int lmethod = h.getShort(8) & 0xffff;
    long lcrc = h.getInt(14) & 0xffffffffL;
    long lcsize = h.getInt(18) & 0xffffffffL;
    long lusize = h.getInt(22) & 0xffffffffL;
    int nameLen = h.getShort(26) & 0xffff;
    int extraLen = h.getShort(28) & 0xffff;
    long dataOffset = offset + 30 + nameLen + extraLen;
    if (dataOffset + csize > cdOffset) {
      throw new BadZip("zip.malformed", "data of " + name + " runs into the central directory");
    }
    byte[] localName = new byte[nameLen];
    readAt(ch, offset + 30, nameLen).get(localName);
    if (!java.util.Arrays.equals(localName, nameBytes)) {
      throw new BadZip("zip.mismatch", "local and central names of " + name + " differ");
    }
    if (lflags != flags || lmethod != method) {
      throw new BadZip("zip.mismatch", "local and central headers of " + name + " differ");
    }
    if ((flags & 8) == 0) {
      boolean sizesAgree =
          (lcsize == csize && lusize == usize)
              || (lcsize == 0xffffffffL && lusize == 0xffffffffL); // zip64: sizes in the extra
      if (lcrc != crc || !sizesAgree) {
        throw new BadZip("zip.mismatch", "local and central headers of " + name + " differ");
      }
    }
    return new Entry(name, method, crc, csize, usize, offset, dataOffset);
  }

  private static PickleMachine.Problem problem(String rule, String name, String what) {
    return new PickleMachine.Problem(rule, Strings.printable("member " + name + " " + what));
  }

  static boolean safeName(String name) {
    if (name.isEmpty()
        || name.startsWith("/")
        || name.indexOf('\\') >= 0
        || name.indexOf('\0') >= 0
        || name.indexOf('\uFFFD') >= 0
        || (name.length() >= 2 && name.charAt(1) == ':')) {
      return false;
    }
    for (String part : name.split("/", -1)) {
      if (part.equals("..") || part.equals(".")) {
        return false;
      }
    }
    return true;
  }

  private static ByteBuffer readAt(FileChannel ch, long position, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (ch.read(b, position + b.position()) < 0) {
        throw new java.io.EOFException("zip shorter than its directory says");
      }
    }
    return b.flip().order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Opens a member's uncompressed bytes. The stream yields exactly {@code entry.size()} bytes and
   * throws {@link java.util.zip.ZipException} if the data is longer, shorter or fails its CRC-32;
   * read it to the end to have it checked.
   */
  InputStream open(Entry entry) throws IOException {
    InputStream raw = new Region(channel, entry.dataOffset(), entry.compressedSize());
    if (entry.method() != 8) {
      return new Checked(raw, entry, null);
    }
    Inflater inflater = new Inflater(true);
    return new Checked(new InflaterInputStream(raw, inflater, 8192), entry, inflater);
  }

  /** A window on the file that reads without moving the channel's position. */
  private static final class Region extends InputStream {
    private final FileChannel channel;
    private long position;
    private final long end;

    Region(FileChannel channel, long start, long length) {
      this.channel = channel;
      this.position = start;
      this.end = start + length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (position >= end) {
        return -1;
      }
      int n = (int) Math.min(len, end - position);
      int r = channel.read(ByteBuffer.wrap(b, off, n), position);
      if (r < 0) {
        return -1;
      }
      position += r;
      return r;
    }
  }

  /** Counts and checksums what it passes on; enforces the declared size and CRC. */
  private static final class Checked extends FilterInputStream {
    private final Entry entry;
    private final @Nullable Inflater inflater;
    private final CRC32 crc = new CRC32();
    private long count;

    Checked(InputStream in, Entry entry, @Nullable Inflater inflater) {
      super(in);
      this.entry = entry;
      this.inflater = inflater;
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } finally {
        if (inflater != null) {
          inflater.end(); // a caller-supplied inflater is not ended by InflaterInputStream
        }
      }
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      long left = entry.size() - count;
      // ask for one byte more than declared at the end, to detect excess data
      int want = (int) Math.min(len, Math.max(left, 1));
      int r;
      try {
        r = in.read(b, off, want);
      } catch (java.io.EOFException | java.util.zip.ZipException e) {
        throw new java.util.zip.ZipException("corrupt data in " + entry.name());
      }
      if (r < 0) {
        if (count != entry.size()) {
          throw new java.util.zip.ZipException(
              "member " + entry.name() + " is shorter than declared");
        }
        if (crc.getValue() != entry.crc()) {
          throw new java.util.zip.ZipException("member " + entry.name() + " fails its CRC-32");
        }
        return -1;
      }
      if (count + r > entry.size()) {
        throw new java.util.zip.ZipException("member " + entry.name() + " is longer than declared");
      }
      crc.update(b, off, r);
      count += r;
      return r;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] buf = new byte[8192];
      long done = 0;
      while (done < n) {
        int r = read(buf, 0, (int) Math.min(buf.length, n - done));
        if (r < 0) {
          break;
        }
        done += r;
      }
      return done;
    }
  }
}
