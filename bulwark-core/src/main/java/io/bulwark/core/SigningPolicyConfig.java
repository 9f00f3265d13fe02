package io.bulwark.core;

import java.util.Map;
import java.util.TreeMap;

/**
 * Which signatures each model namespace requires, keyed by namespace ({@link
 * ModelNames#namespace}); the entry {@value #ANY_NAMESPACE} applies to namespaces without an entry
 * of their own. With no applicable entry, every push to the namespace is refused: signatures are
 * required unless configured otherwise.
 */
public record SigningPolicyConfig(Map<String, NamespaceTrust> namespaces) {
  public static final String ANY_NAMESPACE = "*";

  public SigningPolicyConfig {
    namespaces = Map.copyOf(namespaces);
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
