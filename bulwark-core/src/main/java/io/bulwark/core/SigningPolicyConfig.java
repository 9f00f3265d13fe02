package io.bulwark.core;

import java.util.Map;
import java.util.TreeMap;

/**
 * Which signatures each model namespace requires, keyed by namespace ({@link
 * ModelNames#namespace}); the entry {@value #ANY_NAMESPACE} applies to namespaces without an entry
 * of their own. With no applicable entry, every push to the namespace is refused: signatures are
 * required unless configured otherwise.
 *
 * @param models entries for single models by exact name, which take precedence over their
 *     namespace's; used to trust a signer for one model only (the demo's)
 */
public record SigningPolicyConfig(
    Map<String, NamespaceTrust> namespaces, Map<String, NamespaceTrust> models) {
  public static final String ANY_NAMESPACE = "*";

  /** Per-namespace entries only. */
  public SigningPolicyConfig(Map<String, NamespaceTrust> namespaces) {
    this(namespaces, Map.of());
  }

  public SigningPolicyConfig {
    namespaces = Map.copyOf(namespaces);
    models = Map.copyOf(models);
    for (String m : models.keySet()) {
      ModelNames.checkName(m);
    }
    for (String ns : namespaces.keySet()) {
      if (!ns.equals(ANY_NAMESPACE) && !ModelNames.isValidNamespace(ns)) {
        throw new IllegalArgumentException("invalid namespace '" + Strings.printable(ns) + "'");
      }
    }
  }

  /** No namespace configured: every push is refused until signers are configured. */
  public static SigningPolicyConfig requireSignatures() {
    return new SigningPolicyConfig(Map.of());
  }

  /** The trust that applies to {@code model}: its own entry, else its namespace's. */
  public NamespaceTrust forModel(String model) {
    NamespaceTrust own = models.get(model);
    return own != null ? own : forNamespace(ModelNames.namespace(model));
  }

  /** The trust that applies to the models of {@code namespace}. */
  public NamespaceTrust forNamespace(String namespace) {
    NamespaceTrust own = namespaces.get(namespace);
    if (own != null) {
      return own;
    }
    return namespaces.getOrDefault(ANY_NAMESPACE, NamespaceTrust.nothing());
  }

  /** The configured namespaces, sorted, for messages and start-up warnings. */
  public Map<String, NamespaceTrust> sorted() {
    return new TreeMap<>(namespaces);
  }
}
