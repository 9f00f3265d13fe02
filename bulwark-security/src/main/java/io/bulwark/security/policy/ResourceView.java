package io.bulwark.security.policy;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.ModelNames;
import io.bulwark.core.Strings;

/**
 * What a policy sees of the target of a request. Build it with {@link #model}, {@link #version},
 * {@link #namespace} or {@link #system}, which keep id, namespace and kind consistent.
 *
 * @param kind the entity type
 * @param id the entity id: a model name, {@code model/version}, a namespace, or {@code "bulwark"}
 * @param namespace the model namespace; empty for {@link ResourceKind#SYSTEM}
 * @param tenant the tenant owning the resource
 * @param riskTier the model's risk tier (models and versions only; empty otherwise)
 * @param dataClassification the model's data classification (models and versions; empty otherwise)
 */
public record ResourceView(
    ResourceKind kind,
    String id,
    String namespace,
    String tenant,
    String riskTier,
    String dataClassification) {
  /** The id of the one {@link ResourceKind#SYSTEM} entity. */
  public static final String SYSTEM_ID = "bulwark";

  public ResourceView {
    Checks.text("tenant", tenant, PrincipalView.MAX_NAME_CHARS);
    Checks.textOrEmpty("risk tier", riskTier, PrincipalView.MAX_NAME_CHARS);
    Checks.textOrEmpty("data classification", dataClassification, PrincipalView.MAX_NAME_CHARS);
    boolean modelLike = kind == ResourceKind.MODEL || kind == ResourceKind.VERSION;
    if (modelLike && (riskTier.isEmpty() || dataClassification.isEmpty())) {
      throw new InvalidRequestException("a model needs a risk tier and a data classification");
    }
    switch (kind) {
      case MODEL -> requireNamespace(ModelNames.namespace(id), namespace);
      case VERSION -> {
        int slash = id.indexOf('/');
        if (slash < 0) {
          throw new InvalidRequestException(
              "a version id is MODEL/VERSION, not '" + Strings.printable(id) + "'");
        }
        ModelNames.checkVersion(id.substring(slash + 1));
        requireNamespace(ModelNames.namespace(id.substring(0, slash)), namespace);
      }
      case NAMESPACE -> {
        if (!ModelNames.isValidNamespace(id)) {
          throw new InvalidRequestException("invalid namespace '" + Strings.printable(id) + "'");
        }
        requireNamespace(id, namespace);
      }
      case SYSTEM -> {
        if (!id.equals(SYSTEM_ID) || !namespace.isEmpty()) {
          throw new InvalidRequestException("the system resource is '" + SYSTEM_ID + "'");
        }
      }
    }
  }

  private static void requireNamespace(String expected, String namespace) {
    if (!expected.equals(namespace)) {
      throw new InvalidRequestException(
          "namespace '" + Strings.printable(namespace) + "' should be '" + expected + "'");
    }
  }

  /** A model; its namespace is derived from its name ({@link ModelNames#namespace}). */
  public static ResourceView model(
      String name, String tenant, String riskTier, String dataClassification) {
    return new ResourceView(
        ResourceKind.MODEL, name, ModelNames.namespace(name), tenant, riskTier, dataClassification);
  }

  /** A version of a model, with the model's attributes. */
  public static ResourceView version(
      String name, String version, String tenant, String riskTier, String dataClassification) {
    return new ResourceView(
        ResourceKind.VERSION,
        ModelNames.checkName(name) + "/" + version,
        ModelNames.namespace(name),
        tenant,
        riskTier,
        dataClassification);
  }

  public static ResourceView namespace(String namespace, String tenant) {
    return new ResourceView(ResourceKind.NAMESPACE, namespace, namespace, tenant, "", "");
  }

  /** The server's functions (keys, audit, policy, principals) as far as they touch a tenant. */
  public static ResourceView system(String tenant) {
    return new ResourceView(ResourceKind.SYSTEM, SYSTEM_ID, "", tenant, "", "");
  }

  /** The model name of a model or version; empty for other kinds. */
  public String modelName() {
    return switch (kind) {
      case MODEL -> id;
      case VERSION -> id.substring(0, id.indexOf('/'));
      case NAMESPACE, SYSTEM -> "";
    };
  }
}
