package io.bulwark.security.policy;

/** The kinds of resource a policy speaks about; each is a Cedar entity type in the schema. */
public enum ResourceKind {
  /** {@code Bulwark::Namespace}: the part of a model name before its first '.'. */
  NAMESPACE("Namespace"),
  /** {@code Bulwark::Model}, in its namespace. */
  MODEL("Model"),
  /** {@code Bulwark::Version}, in its model. */
  VERSION("Version"),
  /** {@code Bulwark::System}: server-wide functions (keys, audit, policy, principals). */
  SYSTEM("System");

  private final String entityType;

  ResourceKind(String entityType) {
    this.entityType = entityType;
  }

  /** The Cedar entity type name without namespace, for example {@code "Model"}. */
  public String entityType() {
    return entityType;
  }
}
