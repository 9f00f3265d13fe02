package io.bulwark.security.policy.internal;

import io.bulwark.security.policy.PolicyEngine;
import io.bulwark.security.policy.PolicyStore;
import io.bulwark.security.policy.PolicyVersion;
import io.bulwark.storage.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Builds the policy objects for {@link io.bulwark.security.policy.Policies}; not an API. Public
 * only because the API package must reach it.
 */
public final class PolicyMachinery {
  private static final String RESOURCES = "/io/bulwark/security/policy/";
  private static final String SCHEMA = resource("schema.cedarschema");
  private static final PolicyVersion DEFAULTS =
      new PolicyVersion(
          1,
          resource("default-policies.cedar"),
          Instant.EPOCH,
          "bulwark",
          "built-in default policies");

  /** Parsing the schema loads the native library; done once, on first use. */
  private static final class Holder {
    static final CedarPolicyCompiler COMPILER = new CedarPolicyCompiler(SCHEMA);
  }

  private PolicyMachinery() {}

  public static String schemaText() {
    return SCHEMA;
  }

  public static PolicyVersion defaults() {
    return DEFAULTS;
  }

  public static void validate(String text) {
    Holder.COMPILER.compile(text);
  }

  public static PolicyEngine engine(PolicyVersion initial, int cacheCapacity) {
    return new CedarPolicyEngine(Holder.COMPILER, initial, cacheCapacity);
  }

  public static PolicyStore store(Database database, PolicyEngine engine) {
    if (!(engine instanceof CedarPolicyEngine cedar)) {
      throw new IllegalArgumentException("the engine must come from Policies.engine");
    }
    return new SqlPolicyStore(database, cedar, DEFAULTS);
  }

  private static String resource(String name) {
    try (InputStream in = PolicyMachinery.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
