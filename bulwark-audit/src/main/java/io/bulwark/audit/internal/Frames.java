package io.bulwark.audit.internal;

import io.bulwark.core.IntegrityException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The record framing of the append-only files: an 8-byte file header, then records of {@code [u32
 * length][u32 CRC-32C of the payload][payload]}, big-endian. A crash can tear only the end of the
 * file, so an incomplete or damaged last record is dropped; a damaged record followed by data is
 * corruption and refused.
 */
public final class Frames {
  /** Header of the entries file. */
  public static final String ENTRIES_MAGIC = "BWAUDE1\n";

  /** Header of the checkpoints file. */
  public static final String CHECKPOINTS_MAGIC = "BWAUDC1\n";

  static final int HEADER_BYTES = 8;
  static final int FRAME_OVERHEAD = 8;

  /** Receives each intact record. */
  public interface Visitor {
    void record(long index, long offset, byte[] payload) throws IOException;
  }

  /** What a scan found. */
  public record Scan(long records, long validEnd, long fileSize) {
    /** Whether a torn tail follows the last intact record. */
    public boolean torn() {
      return validEnd < fileSize;
    }
  }

  private Frames() {}

  /** An integrity failure; the cause only records where it was detected. */
  static IntegrityException integrity(String message) {
    return new IntegrityException(message, new IOException(message));
  }

  /** The frame around {@code payload}. */
  static byte[] frame(byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(FRAME_OVERHEAD + payload.length);
    b.putInt(payload.length);
    b.putInt(crc(payload, 0, payload.length));
    b.put(payload);
    return b.array();
  }

  static int crc(byte[] bytes, int offset, int length) {
    CRC32C c = new CRC32C();
    c.update(bytes, offset, length);
    return (int) c.getValue();
  }

  static byte[] header(String magic) {
    return magic.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Reads every intact record of {@code file}. A missing file or one shorter than its header (a
   * crash during creation) scans as empty.
   *
   * @throws IntegrityException if the header is wrong or a damaged record is followed by data
   */
  public static Scan scan(Path file, String magic, int maxPayload, Visitor visitor)
      throws IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return new Scan(0, 0, 0);
    }
    long fileSize = Files.size(file);
    try (InputStream in =
        new BufferedInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), 1 << 16)) {
      byte[] header = in.readNBytes(HEADER_BYTES);
      if (header.length < HEADER_BYTES) {
        return new Scan(0, 0, fileSize);
      }
      if (!Arrays.equals(header, header(magic))) {
        throw integrity(file.getFileName() + " is not an audit log file");
      }
      long offset = HEADER_BYTES;
      long index = 0;
      byte[] head = new byte[FRAME_OVERHEAD];
      while (offset < fileSize) {
        int n = in.readNBytes(head, 0, FRAME_OVERHEAD);
        if (n < FRAME_OVERHEAD) {
          return new Scan(index, offset, fileSize); // torn inside the frame header
        }
        ByteBuffer hb = ByteBuffer.wrap(head);
        int length = hb.getInt();
        int crc = hb.getInt();
        long end = offset + FRAME_OVERHEAD + (long) length;
        if (length <= 0 || length > maxPayload) {
          checkTornTail(file, offset, fileSize, end);
          return new Scan(index, offset, fileSize);
        }
        if (end > fileSize) {
          return new Scan(index, offset, fileSize); // torn inside the payload
        }
        byte[] payload = in.readNBytes(length);
        if (payload.length < length) {
          return new Scan(index, offset, fileSize);
        }
        if (crc(payload, 0, length) != crc) {
          checkTornTail(file, offset, fileSize, end);
          return new Scan(index, offset, fileSize);
        }
        visitor.record(index, offset, payload);
        index++;
        offset = end;
      }
      return new Scan(index, offset, fileSize);
    }
  }

  /**
   * A damaged record is a torn write only if nothing but zeros (space the file system allocated but
   * never filled) or the record itself follows it.
   */
  private static void checkTornTail(Path file, long offset, long fileSize, long claimedEnd)
      throws IOException {
    if (claimedEnd >= fileSize && claimedEnd > offset) {
      return;
    }
    try (var ch = java.nio.channels.FileChannel.open(file)) {
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      long pos = offset;
      while (pos < fileSize) {
        buf.clear();
        int n = ch.read(buf, pos);
        if (n <= 0) {
          break;
        }
        for (int i = 0; i < n; i++) {
          if (buf.get(i) != 0) {
            throw integrity(
                file.getFileName()
                    + " has a damaged record at byte "
                    + offset
                    + " followed by more data: corruption or tampering; restore it from a backup");
          }
        }
        pos += n;
      }
    }
  }
}
