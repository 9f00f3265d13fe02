package io.bulwark.server.internal;

import io.bulwark.core.BulwarkConfig;
import io.bulwark.registry.ModelCard;
import io.bulwark.registry.ModelRegistry;
import io.bulwark.registry.ModelVersion;
import io.bulwark.security.ResourceDirectory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tenants from the configuration; model labels from the model cards in the registry, kept in memory
 * so that authorising an inference reads no database. A version's card never changes, so its labels
 * are kept as long as the cache is not full; a model's labels (its newest card) are dropped
 * whenever a version is pushed ({@link #pushed}).
 */
public final class ModelDirectory implements ResourceDirectory {
  /** Bound on remembered labels; reaching it starts over rather than grow. */
  private static final int MAX_ENTRIES = 100_000;

  private final ModelRegistry registry;
  private final Map<String, String> tenants;
  private final Map<String, ModelLabels> labels = new ConcurrentHashMap<>();

  public ModelDirectory(ModelRegistry registry, Map<String, String> namespaceTenants) {
    this.registry = registry;
    this.tenants = Map.copyOf(namespaceTenants);
  }

  @Override
  public String tenantOf(String namespace) {
    return tenants.getOrDefault(namespace, BulwarkConfig.DEFAULT_TENANT);
  }

  @Override
  public Optional<ModelLabels> labels(String model, String version) {
    String key = version.isEmpty() ? model : model + "/" + version;
    ModelLabels known = labels.get(key);
    if (known != null) {
      return Optional.of(known);
    }
    // Unknown models are not remembered: any caller could fill the cache with made-up names.
    Optional<ModelLabels> found = version.isEmpty() ? newest(model) : of(model, version);
    found.ifPresent(
        l -> {
          if (labels.size() >= MAX_ENTRIES) {
            labels.clear();
          }
          labels.put(key, l);
        });
    return found;
  }

  /** Forgets the model-level labels of {@code model}: its newest card may have changed. */
  public void pushed(String model) {
    labels.remove(model);
  }

  private Optional<ModelLabels> newest(String model) {
    List<ModelVersion> versions;
    try {
      versions = registry.versions(model);
    } catch (io.bulwark.core.NotFoundException e) {
      return Optional.empty();
    }
    ModelVersion newest = null;
    ModelCard card = null;
    for (ModelVersion v : versions) {
      ModelCard c = v.card();
      if (c != null && (newest == null || v.createdAt().isAfter(newest.createdAt()))) {
        newest = v;
        card = c;
      }
    }
    return card == null ? Optional.empty() : Optional.of(labelsOf(card));
  }

  private Optional<ModelLabels> of(String model, String version) {
    return registry
        .findVersion(model, version)
        .flatMap(v -> Optional.ofNullable(v.card()))
        .map(ModelDirectory::labelsOf);
  }

  private static ModelLabels labelsOf(ModelCard card) {
    return new ModelLabels(card.riskTier(), card.dataClassification());
  }
}
