package io.bulwark.crypto.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig2026;
import io.bulwark.core.LimitExceededException;
import io.bulwark.core.UnavailableException;
import io.bulwark.crypto.ArtifactIntegrityException;
import io.bulwark.crypto.ArtifactSealer;
import io.bulwark.crypto.ArtifactSealers;
import io.bulwark.crypto.KeyEncryptionKeys;
import io.bulwark.crypto.KeyVersion;
import io.bulwark.crypto.SealingOutputStream;
import io.bulwark.crypto.WrappedKey;
import io.bulwark.crypto.spi.KeyEncryptionKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TinkArtifactSealerTest {
  /** AES256_GCM_HKDF_1MB: ciphertext segments of 1 MiB, each with a 16-byte tag. */
  private static final int SEGMENT = 1 << 20;

  private static final int TAG = 16;

  /** Header: one length byte, a 32-byte salt and a 7-byte nonce prefix. */
  private static final int HEADER = 1 + 32 + 7;

  /** Plaintext that fills exactly one segment (the first segment also carries the header). */
  private static final int ONE_SEGMENT = SEGMENT - TAG - HEADER;

  private static final int SECOND_SEGMENT = SEGMENT - TAG;

  private static final byte[] ARTIFACT_AAD = "model=fraud;version=3".getBytes(UTF_8);
  private static final byte[] KEY_AAD = "model=fraud;version=3;sha256=ab12".getBytes(UTF_8);
  private static final long MAX = 64L << 20;

  @TempDir Path dir;

  private KeyEncryptionKey kek;
  private ArtifactSealer sealer;

  @SuppressWarnings("ArrayRecordComponent") // a test holder, never compared
  private record Sealed(byte[] ciphertext, WrappedKey key) {}

  @BeforeEach
  void setUp() throws Exception {
    kek = KeyEncryptionKeys.localKeyset(dir.resolve("kek.json"));
    sealer = ArtifactSealers.tinkStreaming(kek);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 4096, ONE_SEGMENT, ONE_SEGMENT + 1, (3 << 20) + 12345})
  void open_sealedArtifact_returnsPlaintext(int size) throws Exception {
    byte[] plaintext = randomBytes(size, size);
    Sealed sealed = seal(plaintext, ARTIFACT_AAD, KEY_AAD);

    byte[] opened = open(sealed.ciphertext(), sealed.key(), ARTIFACT_AAD, KEY_AAD, MAX);

    assertThat(opened).isEqualTo(plaintext);
  }

  @Test
  void seal_plaintextFillingOneSegment_ciphertextHasOneTag() throws Exception {
    assertThat(seal(new byte[ONE_SEGMENT], ARTIFACT_AAD, KEY_AAD).ciphertext())
        .hasSize(HEADER + ONE_SEGMENT + TAG)
        .hasSize(SEGMENT);
    assertThat(seal(new byte[ONE_SEGMENT + 1], ARTIFACT_AAD, KEY_AAD).ciphertext())
        .hasSize(HEADER + ONE_SEGMENT + 1 + 2 * TAG);
  }

  @Test
  void seal_writtenByteByByte_opensToSamePlaintext() throws Exception {
    byte[] plaintext = randomBytes(3000, 1);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    SealingOutputStream out = sealer.seal(sink, ARTIFACT_AAD);
    for (byte b : plaintext) {
      out.write(b);
    }
    out.close();
    WrappedKey key = out.wrappedKey(KEY_AAD);

    assertThat(open(sink.toByteArray(), key, ARTIFACT_AAD, KEY_AAD, MAX)).isEqualTo(plaintext);
  }

  @Test
  void seal_samePlaintextTwice_differentDataKeysAndCiphertexts() throws Exception {
    byte[] plaintext = randomBytes(10_000, 2);
    Sealed a = seal(plaintext, ARTIFACT_AAD, KEY_AAD);
    Sealed b = seal(plaintext, ARTIFACT_AAD, KEY_AAD);

    assertThat(a.ciphertext()).isNotEqualTo(b.ciphertext());
    assertThat(kek.unwrap(a.key(), KEY_AAD)).isNotEqualTo(kek.unwrap(b.key(), KEY_AAD));
    assertThat(a.key().kekId()).isEqualTo(kek.keyId());
  }

  @Test
  void open_differentArtifactAssociatedData_failsAuthentication() throws Exception {
    Sealed sealed = seal(randomBytes(1000, 3), ARTIFACT_AAD, KEY_AAD);

    assertThatThrownBy(
            () ->
                open(
                    sealed.ciphertext(),
                    sealed.key(),
                    "model=fraud;version=4".getBytes(UTF_8),
                    KEY_AAD,
                    MAX))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessage("artifact ciphertext failed authentication");
  }

  @Test
  void open_differentKeyAssociatedData_keyDoesNotUnwrap() throws Exception {
    Sealed sealed = seal(randomBytes(1000, 4), ARTIFACT_AAD, KEY_AAD);

    assertThatThrownBy(
            () ->
                open(
                    sealed.ciphertext(),
                    sealed.key(),
                    ARTIFACT_AAD,
                    "model=fraud;version=3;sha256=ab13".getBytes(UTF_8),
                    MAX))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessage("artifact key does not unwrap for this model version");
  }

  @Test
  void open_keyFromAnotherKek_keyDoesNotUnwrap() throws Exception {
    ArtifactSealer other =
        ArtifactSealers.tinkStreaming(KeyEncryptionKeys.localKeyset(dir.resolve("other.json")));
    Sealed sealed = seal(randomBytes(1000, 5), ARTIFACT_AAD, KEY_AAD);

    assertThatThrownBy(
            () ->
                other.open(
                    new ByteArrayInputStream(sealed.ciphertext()),
                    sealed.key(),
                    ARTIFACT_AAD,
                    KEY_AAD,
                    MAX))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessage(ArtifactIntegrityException.KEY_DOES_NOT_UNWRAP);
  }

  @Test
  void open_anyFlippedByteInWrappedKey_keyDoesNotUnwrap() throws Exception {
    Sealed sealed = seal(randomBytes(100, 6), ARTIFACT_AAD, KEY_AAD);
    byte[] wrapped = sealed.key().bytes();

    for (int i = 0; i < wrapped.length; i++) {
      byte[] tampered = wrapped.clone();
      tampered[i] ^= 0x01;
      WrappedKey key = new WrappedKey(sealed.key().kekId(), tampered);
      assertThatThrownBy(() -> open(sealed.ciphertext(), key, ARTIFACT_AAD, KEY_AAD, MAX))
          .as("byte %d", i)
          .isInstanceOf(ArtifactIntegrityException.class)
          .hasMessage(ArtifactIntegrityException.KEY_DOES_NOT_UNWRAP);
    }
  }

  @Test
  void open_anyFlippedByteInSmallCiphertext_failsAuthentication() throws Exception {
    Sealed sealed = seal(randomBytes(200, 7), ARTIFACT_AAD, KEY_AAD);

    for (int i = 0; i < sealed.ciphertext().length; i++) {
      for (int bit : new int[] {0x01, 0x80}) {
        byte[] tampered = sealed.ciphertext().clone();
        tampered[i] ^= (byte) bit;
        assertThatThrownBy(() -> open(tampered, sealed.key(), ARTIFACT_AAD, KEY_AAD, MAX))
            .as("byte %d bit %x", i, bit)
            .isInstanceOf(ArtifactIntegrityException.class)
            .hasMessage(ArtifactIntegrityException.CIPHERTEXT_NOT_AUTHENTIC);
      }
    }
  }

  @Test
  void open_flippedByteInAnySegmentOfLargeCiphertext_failsAuthentication() throws Exception {
    Sealed sealed =
        seal(randomBytes(ONE_SEGMENT + 2 * SECOND_SEGMENT + 500, 8), ARTIFACT_AAD, KEY_AAD);
    int length = sealed.ciphertext().length;
    int[] positions = {
      0,
      HEADER - 1,
      HEADER,
      SEGMENT - 1,
      SEGMENT,
      SEGMENT + 1,
      SEGMENT + SEGMENT / 2,
      2 * SEGMENT - 1,
      2 * SEGMENT,
      length - TAG - 1,
      length - TAG,
      length - 1
    };

    for (int position : positions) {
      byte[] tampered = sealed.ciphertext().clone();
      tampered[position] ^= 0x20;
      assertThatThrownBy(() -> open(tampered, sealed.key(), ARTIFACT_AAD, KEY_AAD, MAX))
          .as("position %d", position)
          .isInstanceOf(ArtifactIntegrityException.class)
          .hasMessage(ArtifactIntegrityException.CIPHERTEXT_NOT_AUTHENTIC);
    }
  }

  @Test
  void open_truncatedCiphertext_failsAuthentication() throws Exception {
    Sealed sealed = seal(randomBytes(ONE_SEGMENT + SECOND_SEGMENT + 100, 9), ARTIFACT_AAD, KEY_AAD);
    int length = sealed.ciphertext().length;
    // Cuts at segment boundaries are the dangerous ones: every remaining segment is intact.
    int[] lengths = {
      0,
      1,
      HEADER - 1,
      HEADER,
      HEADER + 1,
      SEGMENT - 1,
      SEGMENT,
      SEGMENT + 1,
      2 * SEGMENT,
      length - 1
    };

    for (int cut : lengths) {
      byte[] truncated = Arrays.copyOf(sealed.ciphertext(), cut);
      assertThatThrownBy(() -> open(truncated, sealed.key(), ARTIFACT_AAD, KEY_AAD, MAX))
          .as("length %d", cut)
          .isInstanceOf(ArtifactIntegrityException.class)
          .hasMessage(ArtifactIntegrityException.CIPHERTEXT_NOT_AUTHENTIC);
    }
  }

  @Test
  void open_ciphertextEndingAtSegmentBoundaryTruncated_failsAuthentication() throws Exception {
    // Two full segments; dropping the whole second one leaves a valid-looking first segment.
    Sealed sealed = seal(randomBytes(ONE_SEGMENT + SECOND_SEGMENT, 10), ARTIFACT_AAD, KEY_AAD);
    assertThat(sealed.ciphertext()).hasSize(2 * SEGMENT);

    byte[] firstSegmentOnly = Arrays.copyOf(sealed.ciphertext(), SEGMENT);

    assertThatThrownBy(() -> open(firstSegmentOnly, sealed.key(), ARTIFACT_AAD, KEY_AAD, MAX))
        .isInstanceOf(ArtifactIntegrityException.class);
  }

  @Test
  void open_bytesAppended_failsAuthentication() throws Exception {
    for (int size : new int[] {10, ONE_SEGMENT}) {
      Sealed sealed = seal(randomBytes(size, 11), ARTIFACT_AAD, KEY_AAD);
      for (int extra : new int[] {1, TAG, SEGMENT}) {
        byte[] extended = Arrays.copyOf(sealed.ciphertext(), sealed.ciphertext().length + extra);
        assertThatThrownBy(() -> open(extended, sealed.key(), ARTIFACT_AAD, KEY_AAD, MAX))
            .as("size %d, %d extra bytes", size, extra)
            .isInstanceOf(ArtifactIntegrityException.class)
            .hasMessage(ArtifactIntegrityException.CIPHERTEXT_NOT_AUTHENTIC);
      }
    }
  }

  @Test
  void open_ciphertextOfAnotherArtifactWithItsOwnKey_failsAuthentication() throws Exception {
    byte[] keyAadB = "model=fraud;version=3;sha256=cd34".getBytes(UTF_8);
    Sealed a = seal(randomBytes(5000, 12), ARTIFACT_AAD, KEY_AAD);
    Sealed b = seal(randomBytes(5000, 13), ARTIFACT_AAD, keyAadB);

    assertThatThrownBy(() -> open(a.ciphertext(), b.key(), ARTIFACT_AAD, keyAadB, MAX))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessage(ArtifactIntegrityException.CIPHERTEXT_NOT_AUTHENTIC);
    assertThatThrownBy(() -> open(a.ciphertext(), b.key(), ARTIFACT_AAD, KEY_AAD, MAX))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessage(ArtifactIntegrityException.KEY_DOES_NOT_UNWRAP);
  }

  @Test
  void open_plaintextAtLimit_returned() throws Exception {
    byte[] plaintext = randomBytes(ONE_SEGMENT + 10, 14);
    Sealed sealed = seal(plaintext, ARTIFACT_AAD, KEY_AAD);

    assertThat(open(sealed.ciphertext(), sealed.key(), ARTIFACT_AAD, KEY_AAD, plaintext.length))
        .isEqualTo(plaintext);
  }

  @Test
  void open_plaintextOneByteAboveLimit_limitExceeded() throws Exception {
    byte[] plaintext = randomBytes(ONE_SEGMENT + 10, 15);
    Sealed sealed = seal(plaintext, ARTIFACT_AAD, KEY_AAD);

    assertThatThrownBy(
            () ->
                open(
                    sealed.ciphertext(), sealed.key(), ARTIFACT_AAD, KEY_AAD, plaintext.length - 1))
        .isInstanceOfSatisfying(
            LimitExceededException.class,
            e -> {
              assertThat(e.limit()).isEqualTo("limits.max_model_bytes");
              assertThat(e.max()).isEqualTo(plaintext.length - 1);
            })
        .hasMessageContaining("model artifact");
  }

  @Test
  void open_emptyPlaintextWithZeroLimit_returnedButOneByteIsTooMany() throws Exception {
    Sealed empty = seal(new byte[0], ARTIFACT_AAD, KEY_AAD);
    Sealed one = seal(new byte[1], ARTIFACT_AAD, KEY_AAD);

    assertThat(open(empty.ciphertext(), empty.key(), ARTIFACT_AAD, KEY_AAD, 0)).isEmpty();
    assertThatThrownBy(() -> open(one.ciphertext(), one.key(), ARTIFACT_AAD, KEY_AAD, 0))
        .isInstanceOf(LimitExceededException.class);
  }

  @Test
  void open_limitOutOfRange_rejected() throws Exception {
    Sealed sealed = seal(new byte[1], ARTIFACT_AAD, KEY_AAD);

    for (long max : new long[] {-1, ArtifactSealer.MAX_PLAINTEXT_BYTES + 1}) {
      assertThatThrownBy(() -> open(sealed.ciphertext(), sealed.key(), ARTIFACT_AAD, KEY_AAD, max))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void open_sourceFails_reportsIoErrorNotTampering() throws Exception {
    Sealed sealed = seal(randomBytes(ONE_SEGMENT + 1000, 16), ARTIFACT_AAD, KEY_AAD);
    for (int failAt : new int[] {0, 20, SEGMENT + 10}) {
      InputStream failing = new FailingInputStream(sealed.ciphertext(), failAt);

      assertThatThrownBy(() -> sealer.open(failing, sealed.key(), ARTIFACT_AAD, KEY_AAD, MAX))
          .as("fail at %d", failAt)
          .isInstanceOf(IOException.class)
          .hasMessage("disk on fire");
    }
  }

  @Test
  void open_any_leavesSourceOpen() throws Exception {
    Sealed sealed = seal(randomBytes(100, 17), ARTIFACT_AAD, KEY_AAD);
    AtomicBoolean closed = new AtomicBoolean();
    InputStream source =
        new ByteArrayInputStream(sealed.ciphertext()) {
          @Override
          public void close() {
            closed.set(true);
          }
        };

    sealer.open(source, sealed.key(), ARTIFACT_AAD, KEY_AAD, MAX);

    assertThat(closed).isFalse();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 4096, ONE_SEGMENT, ONE_SEGMENT + 1, (3 << 20) + 12345})
  void openExactly_recordedLength_returnsPlaintextAndObservesEveryByteInOrder(int size)
      throws Exception {
    byte[] plaintext = randomBytes(size, size + 100L);
    Sealed sealed = seal(plaintext, ARTIFACT_AAD, KEY_AAD);
    ByteArrayOutputStream observed = new ByteArrayOutputStream();

    byte[] opened =
        sealer.openExactly(
            new ByteArrayInputStream(sealed.ciphertext()),
            sealed.key(),
            ARTIFACT_AAD,
            KEY_AAD,
            size,
            observed::write);

    assertThat(opened).isEqualTo(plaintext);
    assertThat(observed.toByteArray()).isEqualTo(plaintext);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, ONE_SEGMENT, ONE_SEGMENT + 1, 2 * ONE_SEGMENT + 7})
  void openExactly_recordedLengthOneByteShort_longerThanRecordedAndZeroed(int size)
      throws Exception {
    Sealed sealed = seal(randomBytes(size, 20), ARTIFACT_AAD, KEY_AAD);
    List<byte[]> seen = new java.util.ArrayList<>();

    assertThatThrownBy(() -> openExactly(sealed, size - 1, seen))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessage(ArtifactIntegrityException.PLAINTEXT_LONGER_THAN_RECORDED);
    assertThat(seen).allSatisfy(array -> assertThat(array).containsOnly(0));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, ONE_SEGMENT - 1, ONE_SEGMENT, 2 * ONE_SEGMENT + 7})
  void openExactly_recordedLengthOneByteLong_shorterThanRecordedAndZeroed(int size)
      throws Exception {
    Sealed sealed = seal(randomBytes(size, 21), ARTIFACT_AAD, KEY_AAD);
    List<byte[]> seen = new java.util.ArrayList<>();

    assertThatThrownBy(() -> openExactly(sealed, size + 1, seen))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessage(ArtifactIntegrityException.PLAINTEXT_SHORTER_THAN_RECORDED);
    assertThat(seen).allSatisfy(array -> assertThat(array).containsOnly(0));
  }

  @Test
  void openExactly_alteredOrTruncatedCiphertext_failsAuthenticationAndZeroes() throws Exception {
    int size = ONE_SEGMENT + SECOND_SEGMENT + 100;
    Sealed sealed = seal(randomBytes(size, 22), ARTIFACT_AAD, KEY_AAD);
    byte[] flippedInLastSegment = sealed.ciphertext().clone();
    flippedInLastSegment[2 * SEGMENT + 5] ^= 0x01;
    byte[] lastSegmentDropped = Arrays.copyOf(sealed.ciphertext(), 2 * SEGMENT);

    for (boolean flipped : new boolean[] {true, false}) {
      byte[] bad = flipped ? flippedInLastSegment : lastSegmentDropped;
      List<byte[]> seen = new java.util.ArrayList<>();
      assertThatThrownBy(() -> openExactly(new Sealed(bad, sealed.key()), size, seen))
          .isInstanceOf(ArtifactIntegrityException.class)
          .hasMessage(ArtifactIntegrityException.CIPHERTEXT_NOT_AUTHENTIC);
      assertThat(seen).allSatisfy(array -> assertThat(array).containsOnly(0));
      if (flipped) {
        // The first chunk came from authentic segments and was observed, then wiped.
        assertThat(seen).isNotEmpty();
      }
    }
  }

  @Test
  void openExactly_otherAssociatedData_failsAsOpenDoes() throws Exception {
    Sealed sealed = seal(randomBytes(5000, 23), ARTIFACT_AAD, KEY_AAD);
    byte[] other = "model=fraud;version=4".getBytes(UTF_8);

    assertThatThrownBy(
            () ->
                sealer.openExactly(
                    new ByteArrayInputStream(sealed.ciphertext()),
                    sealed.key(),
                    other,
                    KEY_AAD,
                    5000,
                    (b, off, len) -> {}))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessage(ArtifactIntegrityException.CIPHERTEXT_NOT_AUTHENTIC);
    assertThatThrownBy(
            () ->
                sealer.openExactly(
                    new ByteArrayInputStream(sealed.ciphertext()),
                    sealed.key(),
                    ARTIFACT_AAD,
                    other,
                    5000,
                    (b, off, len) -> {}))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessage(ArtifactIntegrityException.KEY_DOES_NOT_UNWRAP);
  }

  @Test
  void openExactly_sourceFails_reportsIoErrorNotTampering() throws Exception {
    int size = ONE_SEGMENT + 1000;
    Sealed sealed = seal(randomBytes(size, 24), ARTIFACT_AAD, KEY_AAD);
    for (int failAt : new int[] {0, 20, SEGMENT + 10}) {
      InputStream failing = new FailingInputStream(sealed.ciphertext(), failAt);

      assertThatThrownBy(
              () ->
                  sealer.openExactly(
                      failing, sealed.key(), ARTIFACT_AAD, KEY_AAD, size, (b, off, len) -> {}))
          .as("fail at %d", failAt)
          .isInstanceOf(IOException.class)
          .hasMessage("disk on fire");
    }
  }

  @Test
  void openExactly_observerThrows_propagatesAndZeroes() throws Exception {
    int size = ONE_SEGMENT + 1000;
    Sealed sealed = seal(randomBytes(size, 25), ARTIFACT_AAD, KEY_AAD);
    List<byte[]> seen = new java.util.ArrayList<>();

    assertThatThrownBy(
            () ->
                sealer.openExactly(
                    new ByteArrayInputStream(sealed.ciphertext()),
                    sealed.key(),
                    ARTIFACT_AAD,
                    KEY_AAD,
                    size,
                    (b, off, len) -> {
                      seen.add(b);
                      throw new IllegalStateException("observer gave up");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("observer gave up");
    assertThat(seen).singleElement().satisfies(array -> assertThat(array).containsOnly(0));
  }

  @Test
  void openExactly_lengthOutOfRange_rejected() throws Exception {
    Sealed sealed = seal(new byte[1], ARTIFACT_AAD, KEY_AAD);

    for (long length : new long[] {-1, ArtifactSealer.MAX_PLAINTEXT_BYTES + 1}) {
      assertThatThrownBy(
              () ->
                  sealer.openExactly(
                      new ByteArrayInputStream(sealed.ciphertext()),
                      sealed.key(),
                      ARTIFACT_AAD,
                      KEY_AAD,
                      length,
                      (b, off, len) -> {}))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** Opens with {@code length}, remembering the array every observed range was written into. */
  private byte[] openExactly(Sealed sealed, long length, List<byte[]> seen) throws Exception {
    return sealer.openExactly(
        new ByteArrayInputStream(sealed.ciphertext()),
        sealed.key(),
        ARTIFACT_AAD,
        KEY_AAD,
        length,
        (b, off, len) -> {
          if (seen.isEmpty()) {
            seen.add(b);
          }
        });
  }

  @Test
  void open_wrappedKeysetWithUnacceptedParameters_keyDoesNotUnwrap() throws Exception {
    Sealed sealed = seal(randomBytes(100, 18), ARTIFACT_AAD, KEY_AAD);
    KeysetHandle weaker =
        KeysetHandle.generateNew(
            PredefinedStreamingAeadParameters.AES128_GCM_HKDF_4KB, StreamingAeadConfig2026.get());
    byte[] serialized =
        TinkProtoKeysetFormat.serializeKeyset(
            weaker, InsecureSecretKeyAccess.get(), StreamingAeadConfig2026.get());
    WrappedKey key = kek.wrap(serialized, KEY_AAD);

    assertThatThrownBy(() -> open(sealed.ciphertext(), key, ARTIFACT_AAD, KEY_AAD, MAX))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessage(ArtifactIntegrityException.KEY_DOES_NOT_UNWRAP);
  }

  @Test
  void open_wrappedGarbage_keyDoesNotUnwrap() throws Exception {
    Sealed sealed = seal(randomBytes(100, 19), ARTIFACT_AAD, KEY_AAD);
    WrappedKey key = kek.wrap("not a keyset".getBytes(UTF_8), KEY_AAD);

    assertThatThrownBy(() -> open(sealed.ciphertext(), key, ARTIFACT_AAD, KEY_AAD, MAX))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessage(ArtifactIntegrityException.KEY_DOES_NOT_UNWRAP);
  }

  @Test
  void wrappedKey_beforeClose_illegalState() throws Exception {
    SealingOutputStream out = sealer.seal(new ByteArrayOutputStream(), ARTIFACT_AAD);
    out.write(1);

    assertThatThrownBy(() -> out.wrappedKey(KEY_AAD))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("close");
  }

  @Test
  void wrappedKey_secondCall_illegalState() throws Exception {
    SealingOutputStream out = sealer.seal(new ByteArrayOutputStream(), ARTIFACT_AAD);
    out.close();
    out.wrappedKey(KEY_AAD);

    assertThatThrownBy(() -> out.wrappedKey(KEY_AAD))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already wrapped");
  }

  @Test
  void wrappedKey_kekFailsOnce_retrySucceeds() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    KeyEncryptionKey flaky =
        new KeyEncryptionKey() {
          @Override
          public String keyId() {
            return kek.keyId();
          }

          @Override
          public WrappedKey wrap(byte[] plaintextKey, byte[] associatedData)
              throws GeneralSecurityException {
            if (calls.getAndIncrement() == 0) {
              throw new UnavailableException("key store unreachable");
            }
            return kek.wrap(plaintextKey, associatedData);
          }

          @Override
          public byte[] unwrap(WrappedKey wrapped, byte[] associatedData)
              throws GeneralSecurityException {
            return kek.unwrap(wrapped, associatedData);
          }

          @Override
          public List<KeyVersion> versions() {
            return kek.versions();
          }
        };
    ArtifactSealer flakySealer = ArtifactSealers.tinkStreaming(flaky);
    byte[] plaintext = randomBytes(500, 20);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    SealingOutputStream out = flakySealer.seal(sink, ARTIFACT_AAD);
    out.write(plaintext);
    out.close();

    assertThatThrownBy(() -> out.wrappedKey(KEY_AAD)).isInstanceOf(UnavailableException.class);
    WrappedKey key = out.wrappedKey(KEY_AAD);

    assertThat(open(sink.toByteArray(), key, ARTIFACT_AAD, KEY_AAD, MAX)).isEqualTo(plaintext);
  }

  @Test
  void write_afterClose_throws() throws Exception {
    SealingOutputStream out = sealer.seal(new ByteArrayOutputStream(), ARTIFACT_AAD);
    out.close();

    assertThatThrownBy(() -> out.write(1)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> out.write(new byte[3], 0, 3)).isInstanceOf(IOException.class);
  }

  @Test
  void close_any_closesSinkOnceAndIsIdempotent() throws Exception {
    AtomicInteger closes = new AtomicInteger();
    OutputStream sink =
        new ByteArrayOutputStream() {
          @Override
          public void close() {
            closes.incrementAndGet();
          }
        };
    SealingOutputStream out = sealer.seal(sink, ARTIFACT_AAD);

    out.close();
    out.close();

    assertThat(closes).hasValue(1);
  }

  @Test
  void seal_sinkFailsMidStream_dataKeyDiscarded() throws Exception {
    // Accepts the header, then fails like a full disk.
    var failingSink =
        new OutputStream() {
          private int written;
          boolean closed;

          @Override
          public void close() {
            closed = true;
          }

          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            if (written + len > HEADER) {
              throw new IOException("disk full");
            }
            written += len;
          }
        };
    SealingOutputStream out = sealer.seal(failingSink, ARTIFACT_AAD);

    assertThatThrownBy(() -> out.write(new byte[2 * SEGMENT])).isInstanceOf(IOException.class);

    assertThatThrownBy(() -> out.write(1)).isInstanceOf(IOException.class);
    out.close();
    assertThat(failingSink.closed).as("sink released").isTrue();
    assertThatThrownBy(() -> out.wrappedKey(KEY_AAD))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("discarded");
  }

  private Sealed seal(byte[] plaintext, byte[] artifactAad, byte[] keyAad) throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    SealingOutputStream out = sealer.seal(sink, artifactAad);
    try (out) {
      out.write(plaintext);
    }
    return new Sealed(sink.toByteArray(), out.wrappedKey(keyAad));
  }

  private byte[] open(
      byte[] ciphertext, WrappedKey key, byte[] artifactAad, byte[] keyAad, long max)
      throws Exception {
    return sealer.open(new ByteArrayInputStream(ciphertext), key, artifactAad, keyAad, max);
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** A source that serves {@code content} but fails with an I/O error at {@code failAt}. */
  private static final class FailingInputStream extends InputStream {
    private final byte[] content;
    private final int failAt;
    private int position;

    FailingInputStream(byte[] content, int failAt) {
      this.content = content;
      this.failAt = failAt;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (position >= failAt) {
        throw new IOException("disk on fire");
      }
      int n = Math.min(len, Math.min(failAt, content.length) - position);
      if (n <= 0) {
        return -1;
      }
      System.arraycopy(content, position, b, off, n);
      position += n;
      return n;
    }
  }
}
