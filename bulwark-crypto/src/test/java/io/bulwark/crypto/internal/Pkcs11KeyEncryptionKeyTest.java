package io.bulwark.crypto.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.ConflictException;
import io.bulwark.core.NotFoundException;
import io.bulwark.core.SecretBytes;
import io.bulwark.core.UnavailableException;
import io.bulwark.crypto.ArtifactIntegrityException;
import io.bulwark.crypto.ArtifactSealer;
import io.bulwark.crypto.ArtifactSealers;
import io.bulwark.crypto.KeyEncryptionKeys;
import io.bulwark.crypto.KeyVersion;
import io.bulwark.crypto.KeyVersion.Status;
import io.bulwark.crypto.Pkcs11Settings;
import io.bulwark.crypto.WrappedKey;
import io.bulwark.crypto.spi.KeyEncryptionKey;
import io.bulwark.testing.SoftHsm;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Runs against real SoftHSM2 tokens; see {@link SoftHsm} for when it skips. */
class Pkcs11KeyEncryptionKeyTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);
  private static final byte[] AAD = "model=m;version=1".getBytes(UTF_8);

  private static long slot = -1;
  private static long wrongPinSlot = -1;

  @BeforeEach
  void initTokensOnce() throws Exception {
    SoftHsm.require();
    if (slot < 0) {
      slot = SoftHsm.initToken("bulwark-test");
      // Its own token: SunPKCS11 skips C_Login for a token this JVM is already logged in to.
      wrongPinSlot = SoftHsm.initToken("bulwark-wrong-pin");
    }
  }

  @Test
  void wrap_thenUnwrap_returnsDataKey(TestInfo test) throws Exception {
    KeyEncryptionKey kek = open(label(test));

    byte[] wrapped = kek.wrap(KEY, AAD).bytes();

    assertThat(kek.unwrap(new WrappedKey(kek.keyId(), wrapped), AAD)).isEqualTo(KEY);
    assertThat(wrapped[0]).isEqualTo(Pkcs11KeyEncryptionKey.VERSION);
    assertThat(wrapped).hasSize(1 + 12 + KEY.length + 16);
  }

  @Test
  void wrap_emptyAssociatedData_roundTrips(TestInfo test) throws Exception {
    KeyEncryptionKey kek = open(label(test));

    assertThat(kek.unwrap(kek.wrap(KEY, new byte[0]), new byte[0])).isEqualTo(KEY);
  }

  @Test
  void keyId_any_isPkcs11PrefixAndLabel(TestInfo test) throws Exception {
    KeyEncryptionKey kek = open(label(test));

    assertThat(kek.keyId()).isEqualTo("pkcs11:" + label(test));
    assertThat(kek.toString()).isEqualTo("Pkcs11KeyEncryptionKey[pkcs11:" + label(test) + "]");
  }

  @Test
  void wrap_sameKeyTwice_differentIvsAndCiphertexts(TestInfo test) throws Exception {
    KeyEncryptionKey kek = open(label(test));

    byte[] first = kek.wrap(KEY, AAD).bytes();
    byte[] second = kek.wrap(KEY, AAD).bytes();

    assertThat(java.util.Arrays.copyOfRange(first, 1, 13))
        .isNotEqualTo(java.util.Arrays.copyOfRange(second, 1, 13));
    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void unwrap_differentAssociatedData_throws(TestInfo test) throws Exception {
    KeyEncryptionKey kek = open(label(test));
    byte[] wrapped = kek.wrap(KEY, AAD).bytes();

    assertThatThrownBy(
            () ->
                kek.unwrap(
                    new WrappedKey(kek.keyId(), wrapped), "model=m;version=2".getBytes(UTF_8)))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void unwrap_anyFlippedByte_throws(TestInfo test) throws Exception {
    KeyEncryptionKey kek = open(label(test));
    byte[] wrapped = kek.wrap(KEY, AAD).bytes();

    for (int i = 0; i < wrapped.length; i++) {
      byte[] tampered = wrapped.clone();
      tampered[i] ^= (byte) 0x01;
      assertThatThrownBy(() -> kek.unwrap(new WrappedKey(kek.keyId(), tampered), AAD))
          .as("byte %d", i)
          .isInstanceOf(GeneralSecurityException.class);
    }
  }

  @Test
  void unwrap_truncated_throws(TestInfo test) throws Exception {
    KeyEncryptionKey kek = open(label(test));
    byte[] wrapped = kek.wrap(KEY, AAD).bytes();

    // WrappedKey itself refuses zero bytes, so the provider sees lengths from one up.
    for (int length = 1; length < wrapped.length; length++) {
      byte[] truncated = java.util.Arrays.copyOf(wrapped, length);
      assertThatThrownBy(() -> kek.unwrap(new WrappedKey(kek.keyId(), truncated), AAD))
          .as("length %d", length)
          .isInstanceOf(GeneralSecurityException.class);
    }
  }

  @Test
  void unwrap_unknownVersion_throwsBeforeToken(TestInfo test) throws Exception {
    KeyEncryptionKey kek = open(label(test));
    byte[] wrapped = kek.wrap(KEY, AAD).bytes();
    wrapped[0] = 2;

    assertThatThrownBy(() -> kek.unwrap(new WrappedKey(kek.keyId(), wrapped), AAD))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("unknown version 2");
  }

  @Test
  void unwrap_otherLabel_throws(TestInfo test) throws Exception {
    KeyEncryptionKey a = open(label(test) + "-a");
    KeyEncryptionKey b = open(label(test) + "-b");

    byte[] wrapped = a.wrap(KEY, AAD).bytes();

    assertThatThrownBy(() -> b.unwrap(new WrappedKey(b.keyId(), wrapped), AAD))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void wrap_dataKeyAtLimit_roundTripsAtMaximumWrappedLength(TestInfo test) throws Exception {
    KeyEncryptionKey kek = open(label(test));
    byte[] big = new byte[Pkcs11KeyEncryptionKey.MAX_PLAINTEXT_KEY_BYTES];
    java.util.Arrays.fill(big, (byte) 7);

    byte[] wrapped = kek.wrap(big, AAD).bytes();

    assertThat(wrapped).hasSize(Pkcs11KeyEncryptionKey.MAX_WRAPPED_BYTES);
    assertThat(kek.unwrap(new WrappedKey(kek.keyId(), wrapped), AAD)).isEqualTo(big);
  }

  @Test
  void wrap_dataKeyAboveLimit_refused(TestInfo test) throws Exception {
    KeyEncryptionKey kek = open(label(test));

    assertThatThrownBy(
            () -> kek.wrap(new byte[Pkcs11KeyEncryptionKey.MAX_PLAINTEXT_KEY_BYTES + 1], AAD))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> kek.wrap(new byte[0], AAD))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void unwrap_oneByteKeyAtMinimumLength_roundTrips(TestInfo test) throws Exception {
    KeyEncryptionKey kek = open(label(test));

    byte[] wrapped = kek.wrap(new byte[] {42}, AAD).bytes();

    assertThat(wrapped).hasSize(Pkcs11KeyEncryptionKey.MIN_WRAPPED_BYTES);
    assertThat(kek.unwrap(new WrappedKey(kek.keyId(), wrapped), AAD)).containsExactly(42);
  }

  @Test
  void unwrap_aboveMaximumLength_refused(TestInfo test) throws Exception {
    KeyEncryptionKey kek = open(label(test));
    byte[] tooLong = new byte[Pkcs11KeyEncryptionKey.MAX_WRAPPED_BYTES + 1];
    tooLong[0] = Pkcs11KeyEncryptionKey.VERSION;

    assertThatThrownBy(() -> kek.unwrap(new WrappedKey(kek.keyId(), tooLong), AAD))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("got " + (Pkcs11KeyEncryptionKey.MAX_WRAPPED_BYTES + 1));
  }

  @Test
  void pkcs11_generatedKey_isSensitiveAndNotExtractable(TestInfo test) throws Exception {
    open(label(test));
    Provider provider = plainProvider(slot);
    KeyStore store = KeyStore.getInstance("PKCS11", provider);
    store.load(null, SoftHsm.USER_PIN.toCharArray());

    Key key = store.getKey(label(test), null);

    assertThat(key).isInstanceOf(SecretKey.class);
    assertThat(key.getAlgorithm()).isEqualTo("AES");
    assertThat(key.getEncoded()).isNull();
    // The provider's own summary of the token attributes (its bit count is not reliable for keys
    // read from a KeyStore, so it is not checked).
    assertThat(key.toString()).contains("token object", "sensitive", "unextractable");
    assertThatThrownBy(
            () ->
                SecretKeyFactory.getInstance("AES", provider)
                    .getKeySpec((SecretKey) key, SecretKeySpec.class))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void pkcs11_reopenWithNewProvider_reusesKeyAndUnwrapsEarlierWraps(TestInfo test)
      throws Exception {
    KeyEncryptionKey first = open(label(test));
    byte[] wrapped = first.wrap(KEY, AAD).bytes();
    List<String> aliasesBefore = aliases(slot);

    KeyEncryptionKey second = open(label(test));

    assertThat(second.keyId()).isEqualTo(first.keyId());
    assertThat(second.unwrap(new WrappedKey(second.keyId(), wrapped), AAD)).isEqualTo(KEY);
    assertThat(aliases(slot)).containsExactlyInAnyOrderElementsOf(aliasesBefore);
  }

  @Test
  void pkcs11_wrongPin_refusedWithClearMessageAndNoPin() throws Exception {
    String wrongPin = "wrong-9876";
    Pkcs11Settings settings =
        new Pkcs11Settings(
            SoftHsm.LIBRARY, wrongPinSlot, SecretBytes.copyOf(wrongPin.getBytes(UTF_8)), "k");

    assertThatThrownBy(() -> KeyEncryptionKeys.pkcs11(settings))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("refused: wrong PIN")
        .satisfies(e -> assertThat(stackTraceText(e)).doesNotContain(wrongPin));
  }

  @Test
  void pkcs11_slotWithoutToken_throwsUnavailable() {
    Pkcs11Settings settings = settings(Integer.MAX_VALUE - 7, "k");

    assertThatThrownBy(() -> KeyEncryptionKeys.pkcs11(settings))
        .isInstanceOf(UnavailableException.class)
        .hasMessageContaining("slot " + (Integer.MAX_VALUE - 7));
  }

  @Test
  void pkcs11_extractableKeyUnderLabel_refused(TestInfo test) throws Exception {
    String label = label(test);
    Provider careless =
        Security.getProvider("SunPKCS11")
            .configure(
                "--name = Careless\nlibrary = "
                    + SoftHsm.LIBRARY
                    + "\nslot = "
                    + slot
                    + "\nattributes(generate, CKO_SECRET_KEY, CKK_AES) = {\n"
                    + "  CKA_TOKEN = true\n  CKA_PRIVATE = true\n  CKA_SENSITIVE = false\n"
                    + "  CKA_EXTRACTABLE = true\n  CKA_LABEL = 0h"
                    + HexFormat.of().formatHex(label.getBytes(UTF_8))
                    + "\n}\n");
    KeyStore.getInstance("PKCS11", careless).load(null, SoftHsm.USER_PIN.toCharArray());
    KeyGenerator generator = KeyGenerator.getInstance("AES", careless);
    generator.init(256);
    assertThat(generator.generateKey().getEncoded()).isNotNull();

    assertThatThrownBy(() -> open(label))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("extractable");
  }

  @Test
  void rewrap_pkcs11RotatedAndOldDestroyed_newKeyOpensOldKeyFailsAlsoAfterRestart()
      throws Exception {
    String label = "rotation-restart";
    KeyEncryptionKey kek = open(label);
    ArtifactSealer sealer = ArtifactSealers.tinkStreaming(kek);
    KeyRotationTest.Sealed sealed = KeyRotationTest.seal(sealer, 5);
    byte[] ciphertextBefore = sealed.ciphertext().clone();

    String newId = kek.rotate();
    WrappedKey rewrapped = sealer.rewrap(sealed.key(), KeyRotationTest.KEY_AAD);
    kek.disable("pkcs11:" + label);

    assertThat(sealed.key().kekId()).isEqualTo("pkcs11:" + label);
    assertThat(newId).isEqualTo("pkcs11:" + label + ".2").isEqualTo(kek.keyId());
    assertThat(rewrapped.kekId()).isEqualTo(newId);
    assertThat(KeyRotationTest.open(sealer, sealed.ciphertext(), rewrapped))
        .isEqualTo(sealed.plaintext());
    assertThatThrownBy(() -> KeyRotationTest.open(sealer, sealed.ciphertext(), sealed.key()))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessage(ArtifactIntegrityException.KEY_DOES_NOT_UNWRAP);
    assertThat(sealed.ciphertext()).isEqualTo(ciphertextBefore);
    List<KeyVersion> expected =
        List.of(
            new KeyVersion("pkcs11:" + label, Status.DISABLED),
            new KeyVersion(newId, Status.PRIMARY));
    assertThat(kek.versions()).isEqualTo(expected);
    assertThat(aliases(slot)).contains(label + ".2").doesNotContain(label);

    KeyEncryptionKey restarted = open(label);
    ArtifactSealer restartedSealer = ArtifactSealers.tinkStreaming(restarted);

    assertThat(restarted.keyId()).isEqualTo(newId);
    assertThat(restarted.versions()).isEqualTo(expected);
    assertThat(KeyRotationTest.open(restartedSealer, sealed.ciphertext(), rewrapped))
        .isEqualTo(sealed.plaintext());
    assertThatThrownBy(
            () -> KeyRotationTest.open(restartedSealer, sealed.ciphertext(), sealed.key()))
        .isInstanceOf(GeneralSecurityException.class);
    // The restart found the versions and generated nothing new.
    assertThat(aliases(slot)).contains(label + ".2").doesNotContain(label, label + ".3");
  }

  @Test
  void rotate_pkcs11_newVersionGeneratedInTokenNotExtractable(TestInfo test) throws Exception {
    String label = label(test);
    KeyEncryptionKey kek = open(label);
    ArtifactSealer sealer = ArtifactSealers.tinkStreaming(kek);
    KeyRotationTest.Sealed sealed = KeyRotationTest.seal(sealer, 6);

    kek.rotate();
    kek.rotate();

    assertThat(kek.keyId()).isEqualTo("pkcs11:" + label + ".3");
    assertThat(kek.versions())
        .extracting(KeyVersion::status)
        .containsExactly(Status.ENABLED, Status.ENABLED, Status.PRIMARY);
    // The first version still opens what it sealed.
    assertThat(KeyRotationTest.open(sealer, sealed.ciphertext(), sealed.key()))
        .isEqualTo(sealed.plaintext());
    KeyStore store = KeyStore.getInstance("PKCS11", plainProvider(slot));
    store.load(null, SoftHsm.USER_PIN.toCharArray());
    for (String alias : List.of(label + ".2", label + ".3")) {
      Key key = store.getKey(alias, null);
      assertThat(key).isInstanceOf(SecretKey.class);
      assertThat(key.getEncoded()).as(alias).isNull();
      assertThat(key.toString()).contains("token object", "sensitive", "unextractable");
    }
  }

  @Test
  void disable_pkcs11Primary_conflict(TestInfo test) throws Exception {
    KeyEncryptionKey kek = open(label(test));

    assertThatThrownBy(() -> kek.disable(kek.keyId())).isInstanceOf(ConflictException.class);
    assertThat(aliases(slot)).contains(label(test));
  }

  @Test
  void disable_pkcs11UnknownOrForeignId_notFound(TestInfo test) throws Exception {
    KeyEncryptionKey kek = open(label(test));
    kek.rotate();

    for (String id :
        List.of(
            "pkcs11:" + label(test) + ".3",
            "pkcs11:" + label(test) + ".02",
            "pkcs11:other",
            "local:" + label(test))) {
      assertThatThrownBy(() -> kek.disable(id)).as(id).isInstanceOf(NotFoundException.class);
    }
  }

  @Test
  void unwrap_pkcs11KekIdOfVersionNotHeld_throwsGeneralSecurityException() throws Exception {
    KeyEncryptionKey kek = open("rotation-misroute");
    WrappedKey wrapped = kek.wrap(new byte[32], KeyRotationTest.KEY_AAD);
    WrappedKey misrouted = new WrappedKey(kek.keyId() + ".7", wrapped.bytes());

    assertThatThrownBy(() -> kek.unwrap(misrouted, KeyRotationTest.KEY_AAD))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("unknown here or disabled");
  }

  @Test
  void rotate_pkcs11WhileOtherThreadsWrapAndUnwrap_everyOperationSucceeds() throws Exception {
    KeyRotationTest.assertEveryOperationSurvivesRotation(open("rotation-threads"), 3);
  }

  private static KeyEncryptionKey open(String label) throws GeneralSecurityException {
    return KeyEncryptionKeys.pkcs11(settings(slot, label));
  }

  private static Pkcs11Settings settings(long slot, String label) {
    return new Pkcs11Settings(
        SoftHsm.LIBRARY, slot, SecretBytes.copyOf(SoftHsm.USER_PIN.getBytes(UTF_8)), label);
  }

  private static String label(TestInfo test) {
    return test.getTestMethod().orElseThrow().getName();
  }

  private static Provider plainProvider(long slot) {
    return Security.getProvider("SunPKCS11")
        .configure("--name = Inspect\nlibrary = " + SoftHsm.LIBRARY + "\nslot = " + slot);
  }

  private static List<String> aliases(long slot) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS11", plainProvider(slot));
    store.load(null, SoftHsm.USER_PIN.toCharArray());
    return Collections.list(store.aliases());
  }

  private static String stackTraceText(Throwable e) {
    var out = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(out));
    return out.toString();
  }
}
