package io.bulwark.signing.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.core.Digests;
import io.bulwark.core.Strings;
import io.bulwark.signing.ModelManifest;
import io.bulwark.signing.VerificationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes the OMS wire formats: a Sigstore bundle (v0.3) holding a DSSE envelope, whose
 * payload is an in-toto statement with the {@code https://model_signing/signature/v1.0} predicate.
 * Both are parsed as hostile input: strict JSON (duplicate keys and trailing tokens refused), a
 * nesting limit, and base64 that must decode cleanly.
 */
public final class OmsCodec {
  public static final String BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
  static final String BUNDLE_MEDIA_TYPE_ALT =
      "application/vnd.dev.sigstore.bundle+json;version=0.3";
  public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
  public static final String PREDICATE_TYPE = "https://model_signing/signature/v1.0";

  /** The predicate of model_signing before v0.3 (digests as statement subjects). */
  public static final String LEGACY_PREDICATE_TYPE = "https://model_signing/Digests/v0.1";

  static final int MAX_DEPTH = 16;

  private static final JsonMapper MAPPER = mapper();

  private OmsCodec() {}

  /**
   * What a bundle says; nothing in it is trusted until verified. Internal and never compared, so
   * the array components are acceptable.
   *
   * @param keyHint the {@code publicKey.hint}, empty if absent
   * @param embeddedKey the {@code publicKey.rawBytes} (older versions embed the PEM), empty if
   *     absent
   * @param keyId the DSSE signature's key id, empty if absent
   * @param transparencyEvidence whether the bundle carries transparency-log entries or timestamps,
   *     which only keyless verification reads
   */
  @SuppressWarnings("ArrayRecordComponent")
  public record Bundle(
      String payloadType,
      byte[] payload,
      byte[] signature,
      List<byte[]> certificates,
      String keyHint,
      byte[] embeddedKey,
      String keyId,
      boolean transparencyEvidence) {
    public Bundle {
      certificates = List.copyOf(certificates);
    }
  }

  /**
   * The hint by which a key-form bundle names its public key, as the reference implementation
   * writes it: the hex SHA-256 of the key's PEM text.
   */
  public static String keyHint(PublicKey key) {
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
    return Digests.sha256Hex(pem.getBytes(StandardCharsets.US_ASCII));
  }

  /** The statement's fields this verifier relies on. */
  public record Statement(
      String subjectName,
      String subjectDigest,
      String predicateType,
      List<ModelManifest.Resource> resources,
      List<String> ignorePaths) {
    public Statement {
      resources = List.copyOf(resources);
      ignorePaths = List.copyOf(ignorePaths);
    }
  }

  private static JsonMapper mapper() {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(32)
                    .maxStringLength(64 * 1024 * 1024)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    return JsonMapper.builder(factory)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
  }

  /** Parses a bundle; the caller has bounded its size. */
  public static Bundle parseBundle(byte[] json) throws VerificationException {
    JsonNode root = readTree(json, "bundle");
    // Fields nobody checks would let a bundle change without failing verification; a bundle with
    // a field this verifier does not know is refused rather than half-read.
    onlyFields(root, "bundle", "mediaType", "verificationMaterial", "dsseEnvelope");
    String mediaType = text(root, "mediaType", "bundle");
    if (!mediaType.equals(BUNDLE_MEDIA_TYPE) && !mediaType.equals(BUNDLE_MEDIA_TYPE_ALT)) {
      throw new VerificationException(
          "unsupported bundle media type " + Strings.printable(mediaType));
    }
    JsonNode material = object(root, "verificationMaterial", "bundle");
    onlyFields(
        material,
        "verificationMaterial",
        "publicKey",
        "x509CertificateChain",
        "certificate",
        "tlogEntries",
        "timestampVerificationData");
    String keyHint = "";
    byte[] embeddedKey = new byte[0];
    JsonNode publicKey = material.get("publicKey");
    if (publicKey != null) {
      if (!publicKey.isObject()) {
        throw new VerificationException("malformed bundle: publicKey is not an object");
      }
      onlyFields(publicKey, "publicKey", "hint", "rawBytes", "keyDetails");
      if (publicKey.has("hint")) {
        keyHint = text(publicKey, "hint", "publicKey");
      }
      if (publicKey.has("rawBytes")) {
        embeddedKey = base64(publicKey, "rawBytes", "publicKey");
      }
      if (publicKey.has("keyDetails")) {
        text(publicKey, "keyDetails", "publicKey");
      }
    }
    List<byte[]> certificates = new ArrayList<>();
    JsonNode chain = material.get("x509CertificateChain");
    JsonNode single = material.get("certificate");
    if (chain != null && single != null) {
      throw new VerificationException("malformed bundle: both a certificate and a chain");
    }
    if (publicKey != null && (chain != null || single != null)) {
      throw new VerificationException("malformed bundle: both a public key and a certificate");
    }
    if (chain != null) {
      onlyFields(chain, "x509CertificateChain", "certificates");
      JsonNode certs = chain.get("certificates");
      if (certs == null || !certs.isArray() || certs.isEmpty()) {
        throw new VerificationException("malformed bundle: empty x509CertificateChain");
      }
      for (JsonNode c : certs) {
        onlyFields(c, "certificate", "rawBytes");
        certificates.add(base64(c, "rawBytes", "certificate"));
      }
    } else if (single != null) {
      onlyFields(single, "certificate", "rawBytes");
      certificates.add(base64(single, "rawBytes", "certificate"));
    }
    if (root.has("messageSignature")) {
      throw new VerificationException(
          "malformed bundle: a messageSignature instead of a DSSE envelope");
    }
    JsonNode envelope = object(root, "dsseEnvelope", "bundle");
    onlyFields(envelope, "DSSE envelope", "payload", "payloadType", "signatures");
    String payloadType = text(envelope, "payloadType", "DSSE envelope");
    byte[] payload = base64(envelope, "payload", "DSSE envelope");
    JsonNode signatures = envelope.get("signatures");
    if (signatures == null || !signatures.isArray() || signatures.size() != 1) {
      throw new VerificationException("the DSSE envelope must carry exactly one signature");
    }
    JsonNode only = signatures.get(0);
    byte[] signature = base64(only, "sig", "DSSE signature");
    onlyFields(only, "DSSE signature", "sig", "keyid");
    // Earlier versions of the reference implementation write "keyid": null.
    JsonNode keyIdNode = only.get("keyid");
    String keyId =
        keyIdNode == null || keyIdNode.isNull() ? "" : text(only, "keyid", "DSSE signature");
    return new Bundle(
        payloadType,
        payload,
        signature,
        certificates,
        keyHint,
        embeddedKey,
        keyId,
        notEmpty(material.get("tlogEntries"))
            || notEmpty(material.get("timestampVerificationData")));
  }

  /** Parses an in-toto statement far enough to tell the predicate; semantics are checked later. */
  public static Statement parseStatement(byte[] json, int maxResources)
      throws VerificationException {
    JsonNode root = readTree(json, "statement");
    String type = text(root, "_type", "statement");
    String predicateType = text(root, "predicateType", "statement");
    if (predicateType.equals(LEGACY_PREDICATE_TYPE)) {
      return new Statement("", "", predicateType, List.of(), List.of());
    }
    if (!type.equals(STATEMENT_TYPE)) {
      throw new VerificationException("unsupported statement type " + Strings.printable(type));
    }
    if (!predicateType.equals(PREDICATE_TYPE)) {
      throw new VerificationException(
          "unsupported predicate type " + Strings.printable(predicateType));
    }
    JsonNode subjects = root.get("subject");
    if (subjects == null || !subjects.isArray() || subjects.size() != 1) {
      throw new VerificationException("the statement must have exactly one subject");
    }
    JsonNode subject = subjects.get(0);
    String subjectName = text(subject, "name", "subject");
    JsonNode digests = object(subject, "digest", "subject");
    if (digests.size() != 1) {
      throw new VerificationException("the subject must have exactly one digest, sha256");
    }
    String subjectDigest = text(digests, "sha256", "subject digest");
    JsonNode predicate = object(root, "predicate", "statement");
    JsonNode serialization = object(predicate, "serialization", "predicate");
    String method = text(serialization, "method", "serialization");
    if (!method.equals("files")) {
      throw new VerificationException(
          "unsupported serialization method " + Strings.printable(method));
    }
    String hashType = text(serialization, "hash_type", "serialization");
    if (!hashType.equals("sha256")) {
      throw new VerificationException("unsupported hash type " + Strings.printable(hashType));
    }
    JsonNode allowSymlinks = serialization.get("allow_symlinks");
    if (allowSymlinks != null && !allowSymlinks.isBoolean()) {
      throw new VerificationException("malformed serialization: allow_symlinks");
    }
    List<String> ignorePaths = new ArrayList<>();
    JsonNode ignore = serialization.get("ignore_paths");
    if (ignore != null) {
      if (!ignore.isArray() || ignore.size() > maxResources) {
        throw new VerificationException("malformed serialization: ignore_paths");
      }
      for (JsonNode p : ignore) {
        if (!p.isTextual()) {
          throw new VerificationException("malformed serialization: ignore_paths");
        }
        ignorePaths.add(p.textValue());
      }
    }
    JsonNode resourcesNode = predicate.get("resources");
    if (resourcesNode == null || !resourcesNode.isArray()) {
      throw new VerificationException("malformed predicate: no resources");
    }
    if (resourcesNode.size() > maxResources) {
      throw new VerificationException(
          "the statement lists more than " + maxResources + " resources");
    }
    List<ModelManifest.Resource> resources = new ArrayList<>();
    for (JsonNode r : resourcesNode) {
      String algorithm = text(r, "algorithm", "resource");
      if (!algorithm.equals("sha256")) {
        throw new VerificationException(
            "unsupported resource digest algorithm " + Strings.printable(algorithm));
      }
      String name = text(r, "name", "resource");
      String digest = text(r, "digest", "resource");
      try {
        resources.add(new ModelManifest.Resource(name, digest));
      } catch (IllegalArgumentException e) {
        throw new VerificationException("malformed resource " + Strings.printable(name), e);
      }
    }
    return new Statement(subjectName, subjectDigest, predicateType, resources, ignorePaths);
  }

  /** The statement for {@code manifest}, recording the ignored paths relative to the model. */
  public static byte[] writeStatement(ModelManifest manifest, List<String> ignorePaths) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("_type", STATEMENT_TYPE);
    ObjectNode subject = root.putArray("subject").addObject();
    subject.put("name", manifest.modelName());
    subject.putObject("digest").put("sha256", manifest.subjectDigest());
    root.put("predicateType", PREDICATE_TYPE);
    ObjectNode predicate = root.putObject("predicate");
    ObjectNode serialization = predicate.putObject("serialization");
    serialization.put("method", "files");
    serialization.put("hash_type", "sha256");
    serialization.put("allow_symlinks", false);
    ArrayNode ignore = serialization.putArray("ignore_paths");
    ignorePaths.forEach(ignore::add);
    ArrayNode resources = predicate.putArray("resources");
    for (ModelManifest.Resource r : manifest.resources()) {
      resources
          .addObject()
          .put("algorithm", "sha256")
          .put("name", r.name())
          .put("digest", r.sha256());
    }
    return write(root, true);
  }

  /**
   * A bundle around a signed statement; {@code certificates} (leaf first) empty means the key form,
   * which names the key by {@code publicKeyHint}.
   */
  public static byte[] writeBundle(
      byte[] payload, byte[] signature, List<byte[]> certificates, String publicKeyHint) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("mediaType", BUNDLE_MEDIA_TYPE);
    ObjectNode material = root.putObject("verificationMaterial");
    if (certificates.isEmpty()) {
      material.putObject("publicKey").put("hint", publicKeyHint);
    } else {
      ArrayNode certs = material.putObject("x509CertificateChain").putArray("certificates");
      for (byte[] c : certificates) {
        certs.addObject().put("rawBytes", Base64.getEncoder().encodeToString(c));
      }
    }
    material.putArray("tlogEntries");
    ObjectNode envelope = root.putObject("dsseEnvelope");
    envelope.put("payload", Base64.getEncoder().encodeToString(payload));
    envelope.put("payloadType", Dsse.IN_TOTO_PAYLOAD_TYPE);
    envelope
        .putArray("signatures")
        .addObject()
        .put("sig", Base64.getEncoder().encodeToString(signature))
        .put("keyid", "");
    return write(root, false);
  }

  private static byte[] write(JsonNode node, boolean pretty) {
    try {
      return pretty
          ? MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(node)
          : MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }

  /** Parses strict JSON (the same limits as bundles) into a tree whose root is an object. */
  public static JsonNode parseJson(byte[] json, String what) throws VerificationException {
    return readTree(json, what);
  }

  private static JsonNode readTree(byte[] json, String what) throws VerificationException {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new VerificationException("malformed " + what + ": not valid JSON", e);
    }
    if (root == null || !root.isObject()) {
      throw new VerificationException("malformed " + what + ": not a JSON object");
    }
    return root;
  }

  private static boolean notEmpty(@Nullable JsonNode node) {
    return node != null && !node.isNull() && !node.isEmpty();
  }

  private static void onlyFields(JsonNode node, String what, String... allowed)
      throws VerificationException {
    List<String> known = List.of(allowed);
    for (var names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new VerificationException(
            "malformed " + what + ": unknown field " + Strings.printable(name));
      }
    }
  }

  private static JsonNode object(JsonNode parent, String field, String what)
      throws VerificationException {
    JsonNode node = parent.get(field);
    if (node == null || !node.isObject()) {
      throw new VerificationException("malformed " + what + ": no " + field + " object");
    }
    return node;
  }

  private static String text(JsonNode parent, String field, String what)
      throws VerificationException {
    JsonNode node = parent.get(field);
    if (node == null || !node.isTextual()) {
      throw new VerificationException("malformed " + what + ": no " + field + " string");
    }
    return node.textValue();
  }

  private static byte[] base64(JsonNode parent, String field, String what)
      throws VerificationException {
    if (!parent.isObject()) {
      throw new VerificationException("malformed " + what + ": not an object");
    }
    String value = text(parent, field, what);
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new VerificationException("malformed " + what + ": " + field + " is not base64", e);
    }
  }
}
