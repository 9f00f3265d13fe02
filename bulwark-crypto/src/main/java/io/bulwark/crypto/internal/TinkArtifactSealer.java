package io.bulwark.crypto.internal;

import com.google.crypto.tink.Configuration;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Parameters;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig2026;
import io.bulwark.core.LimitExceededException;
import io.bulwark.crypto.ArtifactIntegrityException;
import io.bulwark.crypto.ArtifactSealer;
import io.bulwark.crypto.SealingOutputStream;
import io.bulwark.crypto.WrappedKey;
import io.bulwark.crypto.spi.KeyEncryptionKey;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Envelope encryption with Tink's {@link StreamingAead}: each artifact gets a fresh
 * AES256_GCM_HKDF_1MB keyset, serialised in Tink's binary format and wrapped by the {@link
 * KeyEncryptionKey}.
 *
 * <p>Why 1 MiB segments rather than 4 KiB: artifacts are megabytes to gigabytes and are always
 * opened whole, so large segments cost one 16-byte tag per MiB instead of per 4 KiB and far fewer
 * cipher initialisations. The price is about 1 MiB of buffering per open stream, which is small
 * next to the artifact itself.
 */
public final class TinkArtifactSealer implements ArtifactSealer {
  private static final Parameters SEALING_PARAMETERS =
      PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB;

  /**
   * Data keysets {@link #open} accepts. Bounding the segment size also bounds the memory one
   * segment can demand, should a wrapped keyset ever come from elsewhere.
   */
  private static final Set<Parameters> ACCEPTED_PARAMETERS =
      Set.of(
          PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB,
          PredefinedStreamingAeadParameters.AES256_GCM_HKDF_4KB);

  /**
   * Plaintext is read in chunks of this size: collected in chunks when its length is unknown, so no
   * buffer is ever copied to grow, and handed to the observer in chunks when it is known.
   */
  private static final int CHUNK_BYTES = 1 << 20;

  private final KeyEncryptionKey kek;

  private TinkArtifactSealer(KeyEncryptionKey kek) {
    this.kek = kek;
  }

  public static ArtifactSealer create(KeyEncryptionKey kek) {
    return new TinkArtifactSealer(Objects.requireNonNull(kek, "kek"));
  }

  @Override
  public SealingOutputStream seal(OutputStream ciphertextSink, byte[] artifactAssociatedData)
      throws IOException, GeneralSecurityException {
    Objects.requireNonNull(ciphertextSink, "ciphertextSink");
    Objects.requireNonNull(artifactAssociatedData, "artifactAssociatedData");
    Configuration config = StreamingAeadConfig2026.get();
    KeysetHandle dataKey = KeysetHandle.generateNew(SEALING_PARAMETERS, config);
    StreamingAead streamingAead = dataKey.getPrimitive(config, StreamingAead.class);
    OutputStream encrypting =
        streamingAead.newEncryptingStream(ciphertextSink, artifactAssociatedData);
    return new TinkSealingOutputStream(encrypting, ciphertextSink, dataKey, kek);
  }

  @Override
  public byte[] open(
      InputStream sealed,
      WrappedKey key,
      byte[] artifactAssociatedData,
      byte[] keyAssociatedData,
      long maxPlaintextBytes)
      throws ArtifactIntegrityException, IOException {
    if (maxPlaintextBytes < 0 || maxPlaintextBytes > MAX_PLAINTEXT_BYTES) {
      throw new IllegalArgumentException(
          "maxPlaintextBytes must be between 0 and " + MAX_PLAINTEXT_BYTES);
    }
    return decrypt(
        sealed,
        key,
        artifactAssociatedData,
        keyAssociatedData,
        plaintext -> readAll(plaintext, maxPlaintextBytes));
  }

  @Override
  public byte[] openExactly(
      InputStream sealed,
      WrappedKey key,
      byte[] artifactAssociatedData,
      byte[] keyAssociatedData,
      long plaintextBytes,
      PlaintextObserver observer)
      throws ArtifactIntegrityException, IOException {
    Objects.requireNonNull(observer, "observer");
    if (plaintextBytes < 0 || plaintextBytes > MAX_PLAINTEXT_BYTES) {
      throw new IllegalArgumentException(
          "plaintextBytes must be between 0 and " + MAX_PLAINTEXT_BYTES);
    }
    byte[] plaintext = new byte[(int) plaintextBytes];
    boolean complete = false;
    try {
      decrypt(
          sealed,
          key,
          artifactAssociatedData,
          keyAssociatedData,
          decrypting -> {
            readExactly(decrypting, plaintext, observer);
            return plaintext;
          });
      complete = true;
      return plaintext;
    } finally {
      if (!complete) {
        Arrays.fill(plaintext, (byte) 0);
      }
    }
  }

  /** Reads what a decrypting stream releases. */
  private interface PlaintextReader<T> {
    T read(InputStream decrypting) throws IOException, GeneralSecurityException;
  }

  /**
   * Unwraps the data key and has {@code reader} read the decrypted stream. A failure of the source
   * itself stays an I/O failure; an integrity verdict of the reader stays as it is; anything else
   * the decryption reports means the ciphertext is not authentic.
   */
  private <T> T decrypt(
      InputStream sealed,
      WrappedKey key,
      byte[] artifactAssociatedData,
      byte[] keyAssociatedData,
      PlaintextReader<T> reader)
      throws ArtifactIntegrityException, IOException {
    Objects.requireNonNull(sealed, "sealed");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(artifactAssociatedData, "artifactAssociatedData");
    Objects.requireNonNull(keyAssociatedData, "keyAssociatedData");
    StreamingAead streamingAead = unwrapDataKey(key, keyAssociatedData);
    SourceInputStream source = new SourceInputStream(sealed);
    try (InputStream decrypting =
        streamingAead.newDecryptingStream(source, artifactAssociatedData)) {
      return reader.read(decrypting);
    } catch (IOException | GeneralSecurityException e) {
      IOException sourceFailure = source.failure;
      if (sourceFailure != null) {
        throw sourceFailure;
      }
      if (e instanceof ArtifactIntegrityException verdict) {
        throw verdict;
      }
      throw new ArtifactIntegrityException(ArtifactIntegrityException.CIPHERTEXT_NOT_AUTHENTIC, e);
    }
  }

  /**
   * Fills {@code out} from {@code in} and checks that {@code in} then ends. Tink's decrypting
   * stream reports end-of-stream only after the final segment has been authenticated, so the end it
   * reports is the real one, and a stream that ends early or goes on is authentic but of another
   * length than recorded.
   */
  private static void readExactly(InputStream in, byte[] out, PlaintextObserver observer)
      throws IOException, ArtifactIntegrityException {
    int offset = 0;
    while (offset < out.length) {
      int read = in.readNBytes(out, offset, Math.min(CHUNK_BYTES, out.length - offset));
      if (read == 0) {
        throw ArtifactIntegrityException.lengthDiffers(false);
      }
      observer.authenticated(out, offset, read);
      offset += read;
    }
    if (in.read() != -1) {
      throw ArtifactIntegrityException.lengthDiffers(true);
    }
  }

  @Override
  public WrappedKey rewrap(WrappedKey wrapped, byte[] keyAssociatedData)
      throws GeneralSecurityException {
    Objects.requireNonNull(wrapped, "wrapped");
    Objects.requireNonNull(keyAssociatedData, "keyAssociatedData");
    byte[] serialized = kek.unwrap(wrapped, keyAssociatedData);
    try {
      // Only a data keyset this sealer could have made is carried over to the new primary.
      parseDataKey(serialized);
      return kek.wrap(serialized, keyAssociatedData);
    } finally {
      Arrays.fill(serialized, (byte) 0);
    }
  }

  private StreamingAead unwrapDataKey(WrappedKey key, byte[] keyAssociatedData)
      throws ArtifactIntegrityException {
    byte[] serialized;
    try {
      serialized = kek.unwrap(key, keyAssociatedData);
    } catch (GeneralSecurityException e) {
      throw new ArtifactIntegrityException(ArtifactIntegrityException.KEY_DOES_NOT_UNWRAP, e);
    }
    try {
      return parseDataKey(serialized)
          .getPrimitive(StreamingAeadConfig2026.get(), StreamingAead.class);
    } catch (GeneralSecurityException e) {
      throw new ArtifactIntegrityException(ArtifactIntegrityException.KEY_DOES_NOT_UNWRAP, e);
    } finally {
      Arrays.fill(serialized, (byte) 0);
    }
  }

  private static KeysetHandle parseDataKey(byte[] serialized) throws GeneralSecurityException {
    KeysetHandle dataKey =
        TinkProtoKeysetFormat.parseKeyset(
            serialized, InsecureSecretKeyAccess.get(), StreamingAeadConfig2026.get());
    if (dataKey.size() != 1
        || !ACCEPTED_PARAMETERS.contains(dataKey.getPrimary().getKey().getParameters())) {
      throw new GeneralSecurityException("unexpected data keyset");
    }
    return dataKey;
  }

  /**
   * Reads {@code in} to its end. Tink's decrypting stream reports end-of-stream only after the
   * final segment has been authenticated, so reaching it proves the stream complete.
   */
  private static byte[] readAll(InputStream in, long max) throws IOException {
    List<byte[]> chunks = new ArrayList<>();
    long total = 0;
    int lastLength = 0;
    try {
      while (true) {
        // Never ask for more than one byte past the limit.
        int want = (int) Math.min(CHUNK_BYTES, max + 1 - total);
        byte[] chunk = new byte[want];
        chunks.add(chunk);
        lastLength = in.readNBytes(chunk, 0, want);
        total += lastLength;
        if (total > max) {
          throw new LimitExceededException("limits.max_model_bytes", max, "model artifact");
        }
        if (lastLength < want) {
          break;
        }
      }
      byte[] result = new byte[(int) total];
      int offset = 0;
      for (int i = 0; i < chunks.size(); i++) {
        byte[] chunk = chunks.get(i);
        int length = i == chunks.size() - 1 ? lastLength : chunk.length;
        System.arraycopy(chunk, 0, result, offset, length);
        offset += length;
      }
      return result;
    } finally {
      for (byte[] chunk : chunks) {
        Arrays.fill(chunk, (byte) 0);
      }
    }
  }

  /**
   * The caller's ciphertext source, remembering whether it failed: Tink reports source failures and
   * authentication failures alike as {@link IOException}, and only the second is tampering. Does
   * not close the caller's stream.
   */
  private static final class SourceInputStream extends FilterInputStream {
    @Nullable IOException failure;

    SourceInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public long skip(long n) throws IOException {
      try {
        return super.skip(n);
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public int available() throws IOException {
      try {
        return super.available();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    // Tink rewinds through its own buffer; mark/reset must not reach the caller's stream.
    @Override
    public boolean markSupported() {
      return false;
    }

    @Override
    public synchronized void mark(int readlimit) {}

    @Override
    public synchronized void reset() throws IOException {
      throw new IOException("mark/reset not supported");
    }

    @Override
    public void close() {}
  }

  private static final class TinkSealingOutputStream extends SealingOutputStream {
    private enum State {
      OPEN,
      CLOSED,
      FAILED,
      WRAPPED
    }

    private final OutputStream encrypting;
    private final OutputStream sink;
    private final KeyEncryptionKey kek;
    private @Nullable KeysetHandle dataKey;
    private State state = State.OPEN;
    private boolean sinkClosed;

    TinkSealingOutputStream(
        OutputStream encrypting, OutputStream sink, KeysetHandle dataKey, KeyEncryptionKey kek) {
      this.encrypting = encrypting;
      this.sink = sink;
      this.dataKey = dataKey;
      this.kek = kek;
    }

    @Override
    public void write(int b) throws IOException {
      ensureOpen();
      try {
        encrypting.write(b);
      } catch (IOException | RuntimeException e) {
        fail();
        throw e;
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      ensureOpen();
      try {
        encrypting.write(b, off, len);
      } catch (IOException | RuntimeException e) {
        fail();
        throw e;
      }
    }

    @Override
    public void flush() throws IOException {
      ensureOpen();
      try {
        encrypting.flush();
      } catch (IOException | RuntimeException e) {
        fail();
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      switch (state) {
        case OPEN -> {
          try {
            encrypting.close();
            sinkClosed = true;
            state = State.CLOSED;
          } catch (IOException | RuntimeException e) {
            fail();
            closeSinkAfterFailure(e);
            throw e;
          }
        }
        case FAILED -> closeSinkAfterFailure(null);
        case CLOSED, WRAPPED -> {}
      }
    }

    /** A failed stream is never finished, but its sink is still released. */
    private void closeSinkAfterFailure(@Nullable Exception primary) throws IOException {
      if (sinkClosed) {
        return;
      }
      sinkClosed = true;
      try {
        sink.close();
      } catch (IOException | RuntimeException e) {
        if (primary == null) {
          throw e;
        }
        primary.addSuppressed(e);
      }
    }

    @Override
    public WrappedKey wrappedKey(byte[] keyAssociatedData) throws GeneralSecurityException {
      Objects.requireNonNull(keyAssociatedData, "keyAssociatedData");
      KeysetHandle key = dataKey;
      if (state != State.CLOSED || key == null) {
        throw new IllegalStateException(
            switch (state) {
              case OPEN -> "close the sealing stream before wrapping its key";
              case FAILED -> "sealing failed; its data key was discarded";
              case WRAPPED, CLOSED -> "the data key was already wrapped";
            });
      }
      byte[] serialized =
          TinkProtoKeysetFormat.serializeKeyset(
              key, InsecureSecretKeyAccess.get(), StreamingAeadConfig2026.get());
      try {
        WrappedKey wrapped = kek.wrap(serialized, keyAssociatedData);
        dataKey = null;
        state = State.WRAPPED;
        return wrapped;
      } finally {
        Arrays.fill(serialized, (byte) 0);
      }
    }

    private void ensureOpen() throws IOException {
      if (state != State.OPEN) {
        throw new IOException("sealing stream is closed");
      }
    }

    private void fail() {
      state = State.FAILED;
      dataKey = null;
    }

    @Override
    public String toString() {
      return "TinkSealingOutputStream[" + state + "]";
    }
  }
}
