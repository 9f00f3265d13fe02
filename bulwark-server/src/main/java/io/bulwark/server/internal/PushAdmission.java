package io.bulwark.server.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.UnavailableException;
import io.bulwark.inference.InferenceEngine;
import io.bulwark.inference.LoadedModel;
import io.bulwark.inference.ModelLoadException;
import io.bulwark.inference.ModelSignature;
import io.bulwark.inference.TensorSpec;
import io.bulwark.registry.Admission;
import io.bulwark.registry.ArtifactInspector;
import io.bulwark.scanning.ArtifactScanner;
import io.bulwark.scanning.Finding;
import io.bulwark.scanning.ScanReport;
import io.bulwark.scanning.Verdict;
import java.io.IOException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Admits a pushed artifact only if, in this order, its signature satisfies its namespace, it is of
 * the declared format, the admission scan of that format finds it safe (for ONNX: no external data,
 * only allowlisted operator domains; for pickles: only weights-only globals; always within limits)
 * and, for ONNX, ONNX Runtime loads it from memory. The order is the point: bytes from an untrusted
 * signer reach no parser, and bytes the scanner refuses never reach ONNX Runtime's native one.
 * Records an ONNX model's inputs and outputs as the version's metadata; other formats have none.
 */
public final class PushAdmission {
  private final InferenceEngine engine;
  private final ArtifactScanner scanner;
  private final Json json;
  private final SignaturePolicy signatures;

  public PushAdmission(
      InferenceEngine engine, ArtifactScanner scanner, Json json, SignaturePolicy signatures) {
    this.engine = engine;
    this.scanner = scanner;
    this.json = json;
    this.signatures = signatures;
  }

  /**
   * The inspector for one push of an ONNX model; see {@link #forVersion(String, String,
   * ArtifactFormat, byte[])}.
   */
  public ArtifactInspector forVersion(String name, String version, byte @Nullable [] signature) {
    return forVersion(name, version, ArtifactFormat.ONNX, signature);
  }

  /**
   * The inspector for one push of {@code name}/{@code version} in {@code format}: check the
   * signature against the namespace's trusted signers, check the format, scan, and (ONNX only) load
   * in ONNX Runtime.
   *
   * @param signature the OMS bundle pushed with the artifact, or null
   */
  ArtifactInspector forVersion(
      String name, String version, ArtifactFormat format, byte @Nullable [] signature) {
    return (plaintext, sha256) -> {
      String signer = signatures.admit(name, signature, sha256);
      format.checkLooksLike(plaintext);
      try {
        refuseUnsafe(scanner.scan(plaintext, format.scanName()));
      } catch (IOException e) {
        throw new UnavailableException("the admission scan could not run", e);
      }
      ObjectNode metadata = json.object();
      if (format == ArtifactFormat.ONNX) {
        try (LoadedModel m = engine.load(name, version, plaintext)) {
          metadata = signatureJson(json, m.signature());
        } catch (ModelLoadException e) {
          throw new InvalidRequestException("not a loadable ONNX model: " + e.getMessage(), e);
        }
      } else {
        metadata.putArray("inputs");
        metadata.putArray("outputs");
      }
      return new Admission(json.write(metadata), "safe", signer);
    };
  }

  private static void refuseUnsafe(ScanReport report) {
    if (report.verdict() == Verdict.SAFE) {
      return;
    }
    Finding first = report.findings().get(0);
    int more = report.findings().size() - 1;
    throw new InvalidRequestException(
        "refused by the admission scan: "
            + first.rule()
            + ": "
            + first.detail()
            + (more > 0 ? " (and " + more + " more findings)" : ""));
  }

  static ObjectNode signatureJson(Json json, ModelSignature sig) {
    ObjectNode o = json.object();
    tensorSpecs(o.putArray("inputs"), sig.inputs());
    tensorSpecs(o.putArray("outputs"), sig.outputs());
    return o;
  }

  static void tensorSpecs(ArrayNode arr, List<TensorSpec> specs) {
    for (TensorSpec s : specs) {
      ObjectNode t = arr.addObject().put("name", s.name()).put("datatype", s.datatype().wireName());
      ArrayNode shape = t.putArray("shape");
      s.shape().forEach(shape::add);
    }
  }
}
