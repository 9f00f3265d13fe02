package io.bulwark.server.internal.oip;

import com.fasterxml.jackson.core.JsonGenerator;
import io.bulwark.inference.ModelSignature;
import io.bulwark.inference.TensorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The Open Inference Protocol's health and metadata response bodies, as UTF-8 JSON. Names and
 * versions are written as given (JSON-escaped); callers pass only what the client may see.
 */
public final class OipMetadataEncoder {
  /** The server name reported by {@link #serverMetadata}. */
  public static final String SERVER_NAME = "bulwark";

  /** The protocol extensions this codec implements. */
  public static final List<String> EXTENSIONS = List.of("binary_tensor_data");

  /**
   * The platform of every model Bulwark serves: the name the protocol's platform list gives to "an
   * ONNX model encoded for ONNX Runtime". (Triton reports {@code onnxruntime_onnx} instead; the
   * field is informational only.)
   */
  public static final String PLATFORM = "onnx_onnxv1";

  private OipMetadataEncoder() {}

  /**
   * The server metadata object with the version from this jar's manifest ({@code
   * Implementation-Version}), or {@code "development"} when run from unpackaged classes.
   */
  public static byte[] serverMetadata() {
    String version = OipMetadataEncoder.class.getPackage().getImplementationVersion();
    return serverMetadata(version != null ? version : "development");
  }

  /** {@code {"name":"bulwark","version":version,"extensions":["binary_tensor_data"]}}. */
  public static byte[] serverMetadata(String version) {
    return serverMetadata(version, EXTENSIONS);
  }

  /** The server metadata object with the given list of extensions. */
  public static byte[] serverMetadata(String version, List<String> extensions) {
    GrowableBuffer out = new GrowableBuffer(128);
    try (JsonGenerator g = OipJson.generator(out)) {
      g.writeStartObject();
      g.writeStringField("name", SERVER_NAME);
      g.writeStringField("version", version);
      g.writeArrayFieldStart("extensions");
      for (String e : extensions) {
        g.writeString(e);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray(0);
  }

  /**
   * The model metadata object: {@code name}, {@code versions}, {@code platform}, and the {@code
   * inputs} and {@code outputs} of {@code signature} as {@code {"name","datatype","shape"}} with
   * {@code -1} for dimensions of any size.
   */
  public static byte[] modelMetadata(String name, List<String> versions, ModelSignature signature) {
    GrowableBuffer out = new GrowableBuffer(256);
    try (JsonGenerator g = OipJson.generator(out)) {
      g.writeStartObject();
      g.writeStringField("name", name);
      g.writeArrayFieldStart("versions");
      for (String v : versions) {
        g.writeString(v);
      }
      g.writeEndArray();
      g.writeStringField("platform", PLATFORM);
      writeTensors(g, "inputs", signature.inputs());
      writeTensors(g, "outputs", signature.outputs());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray(0);
  }

  /** {@code {"live": live}}. */
  public static byte[] serverLive(boolean live) {
    return flag(null, "live", live);
  }

  /**
   * {@code {"ready": ready}}. (The protocol's prose shows {@code "live"} here, a copy-paste slip;
   * its gRPC definition and KServe's servers use {@code ready}.)
   */
  public static byte[] serverReady(boolean ready) {
    return flag(null, "ready", ready);
  }

  /** {@code {"name": name, "ready": ready}}. */
  public static byte[] modelReady(String name, boolean ready) {
    return flag(name, "ready", ready);
  }

  private static byte[] flag(@Nullable String name, String key, boolean v) {
    GrowableBuffer out = new GrowableBuffer(64);
    try (JsonGenerator g = OipJson.generator(out)) {
      g.writeStartObject();
      if (name != null) {
        g.writeStringField("name", name);
      }
      g.writeBooleanField(key, v);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray(0);
  }

  private static void writeTensors(JsonGenerator g, String field, List<TensorSpec> specs)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (TensorSpec s : specs) {
      g.writeStartObject();
      g.writeStringField("name", s.name());
      g.writeStringField("datatype", s.datatype().wireName());
      g.writeArrayFieldStart("shape");
      for (long d : s.shape()) {
        g.writeNumber(d);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
  }
}
