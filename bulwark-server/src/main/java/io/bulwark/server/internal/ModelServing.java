package io.bulwark.server.internal;

import io.bulwark.core.IntegrityException;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.NotFoundException;
import io.bulwark.core.UnavailableException;
import io.bulwark.crypto.ArtifactIntegrityException;
import io.bulwark.inference.InferenceEngine;
import io.bulwark.inference.LoadedModel;
import io.bulwark.inference.ModelLoadException;
import io.bulwark.registry.Deployment;
import io.bulwark.registry.ModelRegistry;
import io.bulwark.registry.ModelVersion;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The table of models in service: one loaded version per deployed model.
 *
 * <p>A deployment loads the new version completely (read, authenticate, decrypt, create the
 * session) before it is recorded and swapped in, so a request sees either the old version or the
 * new one, never a gap; the old version is closed when its last in-flight request finishes.
 */
public final class ModelServing implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelServing.class);

  private final ModelRegistry registry;
  private final InferenceEngine engine;
  private final Map<String, ServedModel> serving = new ConcurrentHashMap<>();
  private final Map<String, String> loadFailures = new ConcurrentHashMap<>();
  private final ReentrantLock changes = new ReentrantLock();

  public ModelServing(ModelRegistry registry, InferenceEngine engine) {
    this.registry = registry;
    this.engine = engine;
  }

  /** Loads every recorded deployment; a version that fails to load is reported, not served. */
  public void loadDeployed() {
    for (Deployment d : registry.deployments()) {
      try {
        LoadedModel m = load(d.name(), d.version());
        swapIn(d.name(), m);
        loadFailures.remove(d.name());
        log.info("model {} version {} loaded", d.name(), d.version());
      } catch (RuntimeException e) {
        loadFailures.put(d.name(), e.getMessage() == null ? "load failed" : e.getMessage());
        log.error("model {} version {} failed to load: {}", d.name(), d.version(), e.toString());
      }
    }
  }

  /** Loads {@code version} and makes it the one serving {@code name}. */
  public Deployment deploy(String name, String version, String actor) {
    return deploy(name, version, actor, "deploy", null);
  }

  /**
   * Switches {@code name} back to the version deployed before the current one.
   *
   * @throws NotFoundException if there is no earlier approved version to return to
   */
  public Deployment rollback(String name, String actor, @Nullable String reason) {
    String target =
        registry
            .rollbackTarget(name)
            .orElseThrow(() -> new NotFoundException("earlier deployment of model", name));
    return deploy(name, target, actor, "rollback", reason);
  }

  private Deployment deploy(
      String name, String version, String actor, String action, @Nullable String reason) {
    ModelVersion v = registry.requireDeployable(name, version);
    if (!"onnx".equals(v.format())) {
      throw new InvalidRequestException("format '" + v.format() + "' cannot be served");
    }
    changes.lock();
    try {
      LoadedModel loaded = load(name, version);
      Deployment d;
      try {
        d = registry.deploy(name, version, actor, action, reason);
      } catch (RuntimeException e) {
        loaded.close();
        throw e;
      }
      swapIn(name, loaded);
      loadFailures.remove(name);
      return d;
    } finally {
      changes.unlock();
    }
  }

  /** Takes {@code name} out of service. */
  public Deployment undeploy(String name, String actor, @Nullable String reason) {
    changes.lock();
    try {
      Deployment d = registry.undeploy(name, actor, reason);
      ServedModel old = serving.remove(name);
      if (old != null) {
        old.release();
      }
      loadFailures.remove(name);
      return d;
    } finally {
      changes.unlock();
    }
  }

  /**
   * Takes a reference to the model serving {@code name}; close the lease when the request is done.
   */
  public Optional<Lease> lease(String name) {
    while (true) {
      ServedModel m = serving.get(name);
      if (m == null) {
        return Optional.empty();
      }
      if (m.acquire()) {
        return Optional.of(new Lease(m));
      }
      // Retired between get and acquire: the table already holds its successor (or nothing).
    }
  }

  /** Whether every deployed model is loaded. */
  public boolean ready() {
    return loadFailures.isEmpty();
  }

  /** Deployed models that failed to load, with the reason. */
  public Map<String, String> loadFailures() {
    return new TreeMap<>(loadFailures);
  }

  private LoadedModel load(String name, String version) {
    byte[] bytes;
    try {
      bytes = registry.open(name, version);
    } catch (ArtifactIntegrityException e) {
      throw new IntegrityException(String.valueOf(e.getMessage()), e);
    } catch (IOException e) {
      throw new UnavailableException("reading the artifact of model '" + name + "' failed", e);
    }
    try {
      return engine.load(name, version, bytes);
    } catch (ModelLoadException e) {
      throw new InvalidRequestException(
          "model '" + name + "' version '" + version + "' cannot be loaded: " + e.getMessage(), e);
    } finally {
      java.util.Arrays.fill(bytes, (byte) 0);
    }
  }

  private void swapIn(String name, LoadedModel model) {
    ServedModel old = serving.put(name, new ServedModel(model));
    if (old != null) {
      old.release();
    }
  }

  @Override
  public void close() {
    serving.values().forEach(ServedModel::release);
    serving.clear();
  }

  /** A reference to a model in service, held for the duration of one request. */
  public static final class Lease implements AutoCloseable {
    private final ServedModel served;
    private boolean closed;

    Lease(ServedModel served) {
      this.served = served;
    }

    public LoadedModel model() {
      return served.model();
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        served.release();
      }
    }
  }
}
