package io.bulwark.signing.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.core.Strings;
import io.bulwark.signing.VerificationException;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A Sigstore trusted root ({@code trusted_root.json}, or the {@code trustedRoot} inside a client
 * trust config): the Fulcio CAs, Rekor logs, CT logs and timestamp authorities that keyless
 * verification trusts, each with the period it was valid. Read once from configuration; a malformed
 * root is refused with {@link IllegalArgumentException}.
 */
public final class SigstoreTrustedRoot {
  /** A trusted root is a few kilobytes; anything larger is not one. */
  public static final int MAX_BYTES = 1024 * 1024;

  static final int MAX_ENTRIES = 64;
  static final int MAX_CHAIN = 10;

  /** A log (Rekor or CT) identified by the SHA-256 of its key. */
  @SuppressWarnings("ArrayRecordComponent") // internal, compared only by logIdMatches
  record Log(byte[] logId, PublicKey key, Validity validity) {
    boolean logIdMatches(byte[] id) {
      return Arrays.equals(logId, id);
    }
  }

  /** A CA or TSA chain, leaf (issuing certificate) first, root last. */
  record Authority(List<X509Certificate> chain, Validity validity) {
    Authority {
      chain = List.copyOf(chain);
    }
  }

  record Validity(Instant start, @Nullable Instant end) {
    boolean contains(Instant t) {
      Instant e = end;
      return !t.isBefore(start) && (e == null || !t.isAfter(e));
    }
  }

  private final List<Log> tlogs;
  private final List<Log> ctlogs;
  private final List<Authority> certificateAuthorities;
  private final List<Authority> timestampAuthorities;

  private SigstoreTrustedRoot(
      List<Log> tlogs, List<Log> ctlogs, List<Authority> cas, List<Authority> tsas) {
    this.tlogs = List.copyOf(tlogs);
    this.ctlogs = List.copyOf(ctlogs);
    this.certificateAuthorities = List.copyOf(cas);
    this.timestampAuthorities = List.copyOf(tsas);
  }

  List<Log> tlogs() {
    return tlogs;
  }

  List<Log> ctlogs() {
    return ctlogs;
  }

  List<Authority> certificateAuthorities() {
    return certificateAuthorities;
  }

  List<Authority> timestampAuthorities() {
    return timestampAuthorities;
  }

  static Optional<Log> find(List<Log> logs, byte[] logId) {
    return logs.stream().filter(l -> l.logIdMatches(logId)).findFirst();
  }

  /**
   * Parses a trusted root.
   *
   * @throws IllegalArgumentException if it is larger than {@link #MAX_BYTES}, malformed, or has no
   *     Fulcio CA or no Rekor log
   */
  public static SigstoreTrustedRoot parse(byte[] json) {
    if (json.length > MAX_BYTES) {
      throw new IllegalArgumentException("the trusted root is larger than " + MAX_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = OmsCodec.parseJson(json, "trusted root");
    } catch (VerificationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    JsonNode inner = root.get("trustedRoot");
    if (inner != null && inner.isObject()) {
      root = inner; // a ClientTrustConfig wraps the trusted root
    }
    JsonNode mediaType = root.get("mediaType");
    if (mediaType == null
        || !mediaType.isTextual()
        || !mediaType.textValue().startsWith("application/vnd.dev.sigstore.trustedroot")) {
      throw new IllegalArgumentException("not a Sigstore trusted root: wrong or no mediaType");
    }
    List<Log> tlogs = logs(root, "tlogs");
    List<Log> ctlogs = logs(root, "ctlogs");
    List<Authority> cas = authorities(root, "certificateAuthorities");
    List<Authority> tsas = authorities(root, "timestampAuthorities");
    if (cas.isEmpty()) {
      throw new IllegalArgumentException("the trusted root has no certificate authority");
    }
    if (tlogs.isEmpty()) {
      throw new IllegalArgumentException("the trusted root has no transparency log");
    }
    return new SigstoreTrustedRoot(tlogs, ctlogs, cas, tsas);
  }

  private static List<JsonNode> array(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null) {
      return List.of();
    }
    if (!node.isArray() || node.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException(
          "malformed trusted root: " + field + " is not an array of at most " + MAX_ENTRIES);
    }
    List<JsonNode> out = new ArrayList<>();
    node.forEach(out::add);
    return out;
  }

  private static List<Log> logs(JsonNode root, String field) {
    List<Log> out = new ArrayList<>();
    for (JsonNode log : array(root, field)) {
      byte[] logId = base64(log.path("logId").path("keyId"), field + ".logId.keyId");
      JsonNode key = log.path("publicKey");
      byte[] spki = base64(key.path("rawBytes"), field + ".publicKey.rawBytes");
      String details = key.path("keyDetails").asText("");
      String algorithm;
      if (details.contains("ECDSA")) {
        algorithm = "EC";
      } else if (details.contains("ED25519")) {
        algorithm = "Ed25519";
      } else if (details.contains("RSA")) {
        algorithm = "RSA";
      } else {
        continue; // a key type we cannot use cannot vouch for anything
      }
      PublicKey publicKey;
      try {
        publicKey = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki));
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("malformed trusted root: a bad key in " + field, e);
      }
      out.add(new Log(logId, publicKey, validity(key.path("validFor"), field)));
    }
    return out;
  }

  private static List<Authority> authorities(JsonNode root, String field) {
    List<Authority> out = new ArrayList<>();
    for (JsonNode ca : array(root, field)) {
      JsonNode certs = ca.path("certChain").path("certificates");
      if (!certs.isArray() || certs.isEmpty() || certs.size() > MAX_CHAIN) {
        throw new IllegalArgumentException("malformed trusted root: a bad certChain in " + field);
      }
      List<X509Certificate> chain = new ArrayList<>();
      try {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (JsonNode c : certs) {
          chain.add(
              (X509Certificate)
                  factory.generateCertificate(
                      new ByteArrayInputStream(base64(c.path("rawBytes"), field))));
        }
      } catch (CertificateException | ClassCastException e) {
        throw new IllegalArgumentException(
            "malformed trusted root: a bad certificate in " + field, e);
      }
      out.add(new Authority(chain, validity(ca.path("validFor"), field)));
    }
    return out;
  }

  private static Validity validity(JsonNode validFor, String field) {
    Instant start = instant(validFor.path("start"), field);
    if (start == null) {
      throw new IllegalArgumentException("malformed trusted root: no validFor.start in " + field);
    }
    return new Validity(start, instant(validFor.path("end"), field));
  }

  private static @Nullable Instant instant(JsonNode node, String field) {
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    try {
      return Instant.parse(node.asText(""));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("malformed trusted root: a bad time in " + field, e);
    }
  }

  private static byte[] base64(JsonNode node, String what) {
    if (!node.isTextual()) {
      throw new IllegalArgumentException("malformed trusted root: no " + what);
    }
    try {
      return Base64.getDecoder().decode(node.textValue());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "malformed trusted root: " + Strings.printable(what) + " is not base64", e);
    }
  }
}
