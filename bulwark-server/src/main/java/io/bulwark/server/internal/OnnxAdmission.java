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
 * Admits an ONNX artifact only if the admission scan finds it safe (no external data, only
 * allowlisted operator domains, within limits), ONNX Runtime then loads it from memory, and its
 * signature satisfies its namespace; records its inputs and outputs as the version's metadata.
 */
public final class OnnxAdmission {
  private final InferenceEngine engine;
  private final ArtifactScanner scanner;
  private final Json json;
  private final SignaturePolicy signatures;

  public OnnxAdmission(
      InferenceEngine engine, ArtifactScanner scanner, Json json, SignaturePolicy signatures) {
    this.engine = engine;
    this.scanner = scanner;
    this.json = json;
    this.signatures = signatures;
  }

  /**
   * The inspector for one push of {@code name}/{@code version}: scan, load in ONNX Runtime, then
   * check the signature against the namespace's trusted signers.
   *
   * @param signature the OMS bundle pushed with the artifact, or null
   */
  public ArtifactInspector forVersion(String name, String version, byte @Nullable [] signature) {
    return (plaintext, sha256) -> {
      try {
        refuseUnsafe(scanner.scan(plaintext, name + ".onnx"));
      } catch (IOException e) {
        throw new UnavailableException("the admission scan could not run", e);
      }
      ObjectNode metadata;
      try (LoadedModel m = engine.load(name, version, plaintext)) {
        metadata = signatureJson(json, m.signature());
      } catch (ModelLoadException e) {
        throw new InvalidRequestException("not a loadable ONNX model: " + e.getMessage(), e);
      }
      String signer = signatures.admit(name, signature, sha256);
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
