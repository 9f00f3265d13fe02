package io.bulwark.inference.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import io.bulwark.core.ModelNames;
import io.bulwark.inference.Batching;
import io.bulwark.inference.InferenceEngine;
import io.bulwark.inference.InferenceSettings;
import io.bulwark.inference.LoadedModel;
import io.bulwark.inference.ModelLoadException;
import io.bulwark.inference.ModelSettings;
import io.bulwark.inference.OnnxOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * An {@link InferenceEngine} on ONNX Runtime. See {@link
 * io.bulwark.inference.InferenceEngines#onnxRuntime} for its guarantees.
 *
 * <p>Closing the engine closes every model it loaded that is still open; loading afterwards throws
 * {@link IllegalStateException}. The process-wide ONNX Runtime environment is left alone.
 */
public final class OnnxRuntimeEngine implements InferenceEngine {
  /** Accept only ONNX protobuf models, never ONNX Runtime's own flatbuffer format. */
  static final String LOAD_MODEL_FORMAT = "session.load_model_format";

  /**
   * Where ONNX Runtime looks for external data of a model loaded from memory. Unset, it looks in
   * the process's working directory: ONNX Runtime 1.29 rejects locations that escape it but reads a
   * relative one inside it (such as {@code bulwark-data/bootstrap-admin.key}) into the model's
   * weights, from where inference would hand it out. Pointed at a directory that holds nothing,
   * every external location fails.
   */
  static final String EXTERNAL_DATA_FOLDER = "session.model_external_initializers_file_folder_path";

  private static final String ENVIRONMENT_NAME = "bulwark";

  private final OrtEnvironment env;
  private final InferenceSettings settings;
  private final String emptyFolder;
  private final @Nullable Path emptyFolderToDelete;
  private final Set<OnnxRuntimeModel> open = ConcurrentHashMap.newKeySet();
  private final Set<BatchingModel> batchers = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private OnnxRuntimeEngine(
      OrtEnvironment env,
      InferenceSettings settings,
      String emptyFolder,
      @Nullable Path emptyFolderToDelete) {
    this.env = env;
    this.settings = settings;
    this.emptyFolder = emptyFolder;
    this.emptyFolderToDelete = emptyFolderToDelete;
  }

  /**
   * Creates an engine that runs every model with {@code options}, none batched.
   *
   * @throws UnsupportedOperationException on a big-endian platform
   */
  public static OnnxRuntimeEngine create(OnnxOptions options) {
    return create(InferenceSettings.of(options));
  }

  /**
   * Creates an engine. Loads ONNX Runtime's native library on first use.
   *
   * @throws UnsupportedOperationException on a big-endian platform
   */
  public static OnnxRuntimeEngine create(InferenceSettings settings) {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new UnsupportedOperationException(
          "Bulwark's ONNX Runtime engine needs a little-endian platform");
    }
    OrtEnvironment env =
        OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, ENVIRONMENT_NAME);
    // Nothing can exist below /dev/null, a device file; elsewhere use a fresh private directory
    // that this engine never writes to.
    Path devNull = Path.of("/dev/null");
    if (Files.exists(devNull) && !Files.isDirectory(devNull)) {
      return new OnnxRuntimeEngine(env, settings, "/dev/null/bulwark-no-external-data", null);
    }
    try {
      Path dir = Files.createTempDirectory("bulwark-ort-");
      return new OnnxRuntimeEngine(env, settings, dir.resolve("none").toString(), dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create an empty directory for ONNX Runtime", e);
    }
  }

  @Override
  public LoadedModel load(String modelName, String version, byte[] modelBytes)
      throws ModelLoadException {
    ModelNames.checkName(modelName);
    ModelNames.checkVersion(version);
    if (closed) {
      throw new IllegalStateException("the inference engine is closed");
    }
    if (modelBytes.length == 0) {
      throw new ModelLoadException("not a valid ONNX model: it is empty");
    }
    ModelSettings modelSettings = settings.forModel(modelName);
    OrtSession session = createSession(modelBytes, modelSettings.onnx());
    OnnxRuntimeModel model;
    try {
      model =
          new OnnxRuntimeModel(
              env, session, modelName, version, OrtSignatures.extract(session), open::remove);
    } catch (ModelLoadException | OrtException | RuntimeException e) {
      closeQuietly(session, e);
      if (e instanceof ModelLoadException refused) {
        throw refused;
      }
      throw new ModelLoadException(
          "ONNX Runtime cannot describe the model's inputs and outputs", e);
    }
    open.add(model);
    LoadedModel loaded = model;
    Batching batchingSettings = modelSettings.batching();
    if (batchingSettings != null) {
      try {
        BatchingModel batcher = BatchingModel.start(model, batchingSettings, batchers::remove);
        batchers.add(batcher);
        loaded = batcher;
      } catch (ModelLoadException | RuntimeException e) {
        model.close();
        throw e;
      }
    }
    if (closed) {
      loaded.close();
      throw new IllegalStateException("the inference engine is closed");
    }
    return loaded;
  }

  /**
   * Opens a session from a direct buffer that is zeroed as soon as ONNX Runtime has parsed it. From
   * a {@code byte[]}, ONNX Runtime's Java binding copies the whole model into native memory and
   * frees that copy without clearing it; from a direct buffer it reads our memory in place (the
   * ONNX format keeps no reference to it once the session exists), so that staging copy is one we
   * clear. ONNX Runtime's own parse of the model (its initializers become the session's weights) is
   * beyond our reach.
   */
  private OrtSession createSession(byte[] modelBytes, OnnxOptions options)
      throws ModelLoadException {
    ByteBuffer model = ByteBuffer.allocateDirect(modelBytes.length);
    try (SessionOptions session = sessionOptions(options)) {
      model.put(modelBytes).flip();
      return env.createSession(model, session);
    } catch (OrtException e) {
      throw loadFailure(e);
    } finally {
      zero(model);
    }
  }

  private static void zero(ByteBuffer buffer) {
    buffer.clear();
    while (buffer.remaining() >= Long.BYTES) {
      buffer.putLong(0L);
    }
    while (buffer.hasRemaining()) {
      buffer.put((byte) 0);
    }
  }

  private SessionOptions sessionOptions(OnnxOptions options) throws ModelLoadException {
    SessionOptions session = new SessionOptions();
    try {
      session.setOptimizationLevel(
          switch (options.graphOptimization()) {
            case NONE -> SessionOptions.OptLevel.NO_OPT;
            case BASIC -> SessionOptions.OptLevel.BASIC_OPT;
            case EXTENDED -> SessionOptions.OptLevel.EXTENDED_OPT;
            case ALL -> SessionOptions.OptLevel.ALL_OPT;
          });
      if (options.intraOpThreads() > 0) {
        session.setIntraOpNumThreads(options.intraOpThreads());
      }
      if (options.interOpThreads() > 1) {
        session.setExecutionMode(SessionOptions.ExecutionMode.PARALLEL);
        session.setInterOpNumThreads(options.interOpThreads());
      }
      session.setCPUArenaAllocator(options.memoryArena());
      // Failures reach the caller as exceptions; ONNX Runtime's own stderr lines would bypass the
      // server's log configuration and redaction.
      session.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
      session.addConfigEntry(LOAD_MODEL_FORMAT, "ONNX");
      session.addConfigEntry(EXTERNAL_DATA_FOLDER, emptyFolder);
      return session;
    } catch (OrtException e) {
      session.close();
      throw new ModelLoadException("ONNX Runtime rejected the session options", e);
    }
  }

  /** A client-safe message by kind of failure; ONNX Runtime's message stays in the cause. */
  static ModelLoadException loadFailure(OrtException e) {
    String detail = String.valueOf(e.getMessage());
    String message;
    if (e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_PROTOBUF
        || detail.contains("zero length")) {
      message = "not a valid ONNX model";
    } else if (detail.contains("xternal data") || detail.contains("model_path must not be empty")) {
      message =
          "the model keeps tensors in external data files; Bulwark loads models from memory only"
              + " and never reads external data";
    } else if (detail.contains("is not a registered function/op")
        || e.getCode() == OrtException.OrtErrorCode.ORT_NOT_IMPLEMENTED) {
      message =
          "the model uses an operator that ONNX Runtime does not implement; Bulwark never loads"
              + " custom operator libraries";
    } else if (e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_GRAPH) {
      message = "the model's ONNX graph is invalid";
    } else {
      message = "ONNX Runtime cannot load the model (" + e.getCode() + ")";
    }
    return new ModelLoadException(message, e);
  }

  private static void closeQuietly(OrtSession session, Exception cause) {
    try {
      session.close();
    } catch (OrtException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  @Override
  public void close() {
    closed = true;
    for (BatchingModel model : List.copyOf(batchers)) {
      model.close();
    }
    for (OnnxRuntimeModel model : List.copyOf(open)) {
      model.close();
    }
    if (emptyFolderToDelete != null) {
      try {
        Files.deleteIfExists(emptyFolderToDelete);
      } catch (IOException e) {
        // An empty directory left in the temporary folder holds nothing.
      }
    }
  }

  /** Models loaded and not yet released, for tests. */
  int openModels() {
    return open.size();
  }
}
