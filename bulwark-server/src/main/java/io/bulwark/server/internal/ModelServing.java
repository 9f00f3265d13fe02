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
 * The table of models in service: per deployed model, the loaded deployed version and, during a
 * canary, the loaded canary version with its share of callers.
 *
 * <p>A change loads the new version completely (read, authenticate, decrypt, verify its signature
 * again, create the session) before it is recorded and swapped in, so a request sees either the old
 * table entry or the new one, never a gap; a version switched out is closed when its last in-flight
 * request finishes. Promoting a canary reuses its loaded session, so it is instant.
 */
public final class ModelServing implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelServing.class);

  private final ModelRegistry registry;
  private final InferenceEngine engine;
  private final LoadVerifier verifier;
  private final Map<String, Entry> serving = new ConcurrentHashMap<>();
  private final Map<String, String> loadFailures = new ConcurrentHashMap<>();
  private final ReentrantLock changes = new ReentrantLock();

  /** What serves one model: the deployed version, and the canary if one runs. */
  private record Entry(ServedModel primary, @Nullable ServedModel canary, int canaryPercent) {
    void releaseAll() {
      primary.release();
      ServedModel c = canary;
      if (c != null) {
        c.release();
      }
    }
  }

  public ModelServing(ModelRegistry registry, InferenceEngine engine, LoadVerifier verifier) {
    this.registry = registry;
    this.engine = engine;
    this.verifier = verifier;
  }

  /** Loads every recorded deployment; a version that fails to load is reported, not served. */
  public void loadDeployed() {
    for (Deployment d : registry.deployments()) {
      try {
        LoadedModel primary = load(d.name(), d.version());
        Deployment.Canary c = d.canary();
        ServedModel canary = null;
        String canaryFailure = null;
        if (c != null) {
          try {
            canary = new ServedModel(load(d.name(), c.version()));
          } catch (RuntimeException e) {
            // The deployed version still serves everyone; the failed canary is reported.
            canaryFailure = "canary version " + c.version() + ": " + String.valueOf(e.getMessage());
            log.error("model {} canary {} failed to load: {}", d.name(), c.version(), e.toString());
          }
        }
        swapIn(
            d.name(),
            new Entry(
                new ServedModel(primary), canary, canary == null || c == null ? 0 : c.percent()));
        if (canaryFailure == null) {
          loadFailures.remove(d.name());
        } else {
          loadFailures.put(d.name(), canaryFailure);
        }
        log.info("model {} version {} loaded", d.name(), d.version());
      } catch (RuntimeException e) {
        loadFailures.put(d.name(), e.getMessage() == null ? "load failed" : e.getMessage());
        log.error("model {} version {} failed to load: {}", d.name(), d.version(), e.toString());
      }
    }
  }

  /** Loads {@code version} and makes it the one serving {@code name}, ending any canary. */
  public Deployment deploy(String name, String version, String actor) {
    return deploy(name, version, actor, "deploy", null);
  }

  /**
   * Starts a canary: {@code version} serves {@code percent} of callers (the same callers every
   * time) beside the deployed version.
   */
  public Deployment startCanary(
      String name, String version, int percent, String actor, @Nullable String reason) {
    registry.requireDeployable(name, version);
    changes.lock();
    try {
      Entry current = serving.get(name);
      if (current == null) {
        throw new NotFoundException("deployment", name);
      }
      LoadedModel loaded = load(name, version);
      Deployment d;
      try {
        d = registry.startCanary(name, version, percent, actor, reason);
      } catch (RuntimeException e) {
        loaded.close();
        throw e;
      }
      current.primary().acquire();
      swapIn(name, new Entry(current.primary(), new ServedModel(loaded), percent));
      return d;
    } finally {
      changes.unlock();
    }
  }

  /** Makes the canary the deployed version for every caller, reusing its loaded session. */
  public Deployment promote(String name, String actor, @Nullable String reason) {
    changes.lock();
    try {
      Deployment current =
          registry.deployment(name).orElseThrow(() -> new NotFoundException("deployment", name));
      Deployment.Canary c = current.canary();
      Entry entry = serving.get(name);
      if (c == null || entry == null || entry.canary() == null) {
        throw new NotFoundException("canary of model", name);
      }
      Deployment d = registry.deploy(name, c.version(), actor, "promote", reason);
      ServedModel canary = entry.canary();
      canary.acquire();
      swapIn(name, new Entry(canary, null, 0));
      loadFailures.remove(name);
      return d;
    } finally {
      changes.unlock();
    }
  }

  /**
   * Rolls back: ends a running canary (every caller returns to the deployed version), or else
   * switches {@code name} back to the version deployed before the current one.
   *
   * @throws NotFoundException if there is neither a canary nor an earlier approved version
   */
  public Deployment rollback(String name, String actor, @Nullable String reason) {
    changes.lock();
    try {
      Optional<Deployment> current = registry.deployment(name);
      if (current.isPresent() && current.get().canary() != null) {
        Deployment d = registry.endCanary(name, actor, "rollback", reason);
        Entry entry = serving.get(name);
        if (entry != null) {
          entry.primary().acquire();
          swapIn(name, new Entry(entry.primary(), null, 0));
        }
        return d;
      }
      String target =
          registry
              .rollbackTarget(name)
              .orElseThrow(() -> new NotFoundException("earlier deployment of model", name));
      return deploy(name, target, actor, "rollback", reason);
    } finally {
      changes.unlock();
    }
  }

  private Deployment deploy(
      String name, String version, String actor, String action, @Nullable String reason) {
    registry.requireDeployable(name, version);
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
      swapIn(name, new Entry(new ServedModel(loaded), null, 0));
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
      Entry old = serving.remove(name);
      if (old != null) {
        old.releaseAll();
      }
      loadFailures.remove(name);
      return d;
    } finally {
      changes.unlock();
    }
  }

  /**
   * Takes a reference to the version that serves {@code caller} for {@code name}; close the lease
   * when the request is done. During a canary, a stable hash of caller and model decides which side
   * a caller is on.
   *
   * @param version a version the caller asked for explicitly, or null for the routed one
   */
  public Optional<Lease> lease(String name, String caller, @Nullable String version) {
    while (true) {
      Entry e = serving.get(name);
      if (e == null) {
        return Optional.empty();
      }
      ServedModel m = choose(e, name, caller, version);
      if (m == null) {
        return Optional.empty();
      }
      if (m.acquire()) {
        return Optional.of(new Lease(m));
      }
      // Switched out between get and acquire: the table already holds its successor.
    }
  }

  /** The deployed version's lease, whoever asks (tests and the demo). */
  public Optional<Lease> lease(String name) {
    return lease(name, "", null);
  }

  private static @Nullable ServedModel choose(
      Entry e, String name, String caller, @Nullable String version) {
    ServedModel canary = e.canary();
    ServedModel routed =
        canary != null && bucket(caller, name) < e.canaryPercent() ? canary : e.primary();
    if (version == null) {
      return routed;
    }
    if (e.primary().model().version().equals(version)) {
      return e.primary();
    }
    // Naming the canary's version does not opt a caller into the canary.
    return routed.model().version().equals(version) ? routed : null;
  }

  /**
   * A caller's bucket 0-99 for a model: stable across requests and restarts (String.hashCode is
   * specified), spread by a finalising mix so that similar ids land far apart.
   */
  static int bucket(String caller, String model) {
    int h = (caller + '\0' + model).hashCode();
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return Math.floorMod(h, 100);
  }

  /** Whether every deployed model is loaded. */
  public boolean ready() {
    return loadFailures.isEmpty();
  }

  /** Deployed models that failed to load, with the reason. */
  public Map<String, String> loadFailures() {
    return new TreeMap<>(loadFailures);
  }

  /**
   * The decrypted, digest-checked artifact of a version, with the registry's failures as the
   * answers a client gets: altered or missing bytes an integrity failure, a read error 503.
   */
  static byte[] openArtifact(ModelRegistry registry, String name, String version) {
    try {
      return registry.open(name, version);
    } catch (ArtifactIntegrityException e) {
      throw new IntegrityException(String.valueOf(e.getMessage()), e);
    } catch (IOException e) {
      throw new UnavailableException("reading the artifact of model '" + name + "' failed", e);
    }
  }

  private LoadedModel load(String name, String version) {
    ModelVersion v = registry.version(name, version);
    byte[] bytes = openArtifact(registry, name, version);
    try {
      // The digest was re-checked by open(); the signature over it is checked against the
      // signers trusted now, so a signer removed from the configuration stops its versions.
      verifier.verify(name, version, v.sha256(), v.createdAt());
      return engine.load(name, version, bytes);
    } catch (ModelLoadException e) {
      throw new InvalidRequestException(
          "model '" + name + "' version '" + version + "' cannot be loaded: " + e.getMessage(), e);
    } finally {
      java.util.Arrays.fill(bytes, (byte) 0);
    }
  }

  private void swapIn(String name, Entry entry) {
    Entry old = serving.put(name, entry);
    if (old != null) {
      old.releaseAll();
    }
  }

  @Override
  public void close() {
    serving.values().forEach(Entry::releaseAll);
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
