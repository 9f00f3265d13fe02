package io.bulwark.security.policy;

import io.bulwark.security.policy.internal.PolicyMachinery;
import io.bulwark.storage.Database;

/**
 * Entry points: the schema, the built-in default policies, validation, and construction of engines
 * and stores.
 */
public final class Policies {
  /** Largest policy text accepted, in UTF-8 bytes. */
  public static final int MAX_POLICY_BYTES = 256 * 1024;

  /** Decisions kept by an engine's cache unless told otherwise. */
  public static final int DEFAULT_CACHE_CAPACITY = 10_000;

  private Policies() {}

  /** The Cedar schema (human-readable format) every policy is validated against. */
  public static String schema() {
    return PolicyMachinery.schemaText();
  }

  /** The built-in policies as version 1. */
  public static PolicyVersion defaults() {
    return PolicyMachinery.defaults();
  }

  /**
   * Returns normally if {@code text} parses, every policy has a unique {@code @id("...")}, and the
   * set validates against {@link #schema()}.
   *
   * @throws io.bulwark.core.InvalidRequestException naming each problem (policy id and message)
   * @throws io.bulwark.core.LimitExceededException if larger than {@link #MAX_POLICY_BYTES}
   */
  public static void validate(String text) {
    PolicyMachinery.validate(text);
  }

  /** An engine with {@code initial} installed and a cache of {@link #DEFAULT_CACHE_CAPACITY}. */
  public static PolicyEngine engine(PolicyVersion initial) {
    return engine(initial, DEFAULT_CACHE_CAPACITY);
  }

  /** An engine whose cache holds at most {@code cacheCapacity} decisions (0 disables it). */
  public static PolicyEngine engine(PolicyVersion initial, int cacheCapacity) {
    return PolicyMachinery.engine(initial, cacheCapacity);
  }

  /**
   * The policy store in {@code database}; stores the built-in defaults as version 1 if it holds no
   * version yet, and installs the newest version in {@code engine}.
   */
  public static PolicyStore store(Database database, PolicyEngine engine) {
    return PolicyMachinery.store(database, engine);
  }
}
