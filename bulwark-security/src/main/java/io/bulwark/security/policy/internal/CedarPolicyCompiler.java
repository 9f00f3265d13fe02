package io.bulwark.security.policy.internal;

import com.cedarpolicy.AuthorizationEngine;
import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.DetailedError;
import com.cedarpolicy.model.ValidationRequest;
import com.cedarpolicy.model.ValidationResponse;
import com.cedarpolicy.model.exception.AuthException;
import com.cedarpolicy.model.exception.CacheException;
import com.cedarpolicy.model.exception.InternalException;
import com.cedarpolicy.model.policy.Policy;
import com.cedarpolicy.model.policy.PolicySet;
import com.cedarpolicy.model.schema.Schema;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.LimitExceededException;
import io.bulwark.core.Strings;
import io.bulwark.security.policy.Policies;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Parses Cedar policy text, names each policy by its {@code @id} annotation, and validates the set
 * against the Bulwark schema. The result is ready to evaluate and never changes.
 */
final class CedarPolicyCompiler {
  /** Problems listed in one message at most; the rest are counted. */
  private static final int MAX_PROBLEMS = 20;

  private static final Pattern POLICY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  private final Schema schema;
  private final AuthorizationEngine cedar = new BasicAuthorizationEngine();

  CedarPolicyCompiler(String schemaText) {
    try {
      this.schema = Schema.parse(Schema.JsonOrCedar.Cedar, schemaText);
    } catch (InternalException e) {
      throw new IllegalStateException("the built-in policy schema does not parse: " + e, e);
    }
  }

  /** A parsed, validated policy set with policies named by their {@code @id}. */
  record Compiled(PolicySet policySet, List<String> policyIds) {
    Compiled {
      policyIds = List.copyOf(policyIds);
    }
  }

  Compiled compile(String text) {
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > Policies.MAX_POLICY_BYTES) {
      throw new LimitExceededException(
          "policy.max_policy_bytes",
          Policies.MAX_POLICY_BYTES,
          "policy text of " + bytes + " bytes");
    }
    PolicySet parsed;
    try {
      parsed = PolicySet.parsePolicies(text);
    } catch (InternalException e) {
      throw invalid("does not parse", e.getErrors());
    } catch (RuntimeException e) {
      throw invalid("does not parse", List.of(String.valueOf(e.getMessage())));
    }
    if (parsed.getNumTemplates() > 0) {
      throw invalid("is not accepted", List.of("policy templates are not supported"));
    }
    if (parsed.policies.isEmpty()) {
      throw invalid("is not accepted", List.of("no policies: everything would be denied"));
    }
    Set<Policy> named = new LinkedHashSet<>();
    List<String> ids = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    List<String> problems = new ArrayList<>();
    for (Policy p : parsed.policies) {
      @Nullable String id = idOf(p, problems);
      if (id == null) {
        continue;
      }
      if (!seen.add(id)) {
        problems.add("@id(\"" + id + "\") is used by more than one policy");
        continue;
      }
      ids.add(id);
      named.add(new Policy(p.getSource(), id));
    }
    if (!problems.isEmpty()) {
      throw invalid("is not accepted", problems);
    }
    PolicySet set = new PolicySet(named);
    validate(set);
    try {
      // Pre-parses the set on the native side so that evaluations skip re-parsing it.
      set.cache();
    } catch (CacheException e) {
      // Evaluation still works uncached, only slower.
    }
    ids.sort(null);
    return new Compiled(set, ids);
  }

  private static @Nullable String idOf(Policy p, List<String> problems) {
    Map<String, String> annotations;
    try {
      annotations = p.getAnnotations();
    } catch (InternalException | RuntimeException e) {
      problems.add("annotations of a policy cannot be read: " + e.getMessage());
      return null;
    }
    String id = annotations.get("id");
    if (id == null) {
      problems.add("a policy has no @id(\"...\") annotation: " + excerpt(p.getSource()));
      return null;
    }
    if (!POLICY_ID.matcher(id).matches()) {
      problems.add(
          "@id(\""
              + Strings.printable(id)
              + "\") is not a valid policy id (1-128 letters, digits, '.', '_', ':' or '-')");
      return null;
    }
    return id;
  }

  private void validate(PolicySet set) {
    ValidationResponse response;
    try {
      response = cedar.validate(new ValidationRequest(schema, set));
    } catch (AuthException e) {
      throw invalid("cannot be validated", List.of(String.valueOf(e.getMessage())));
    }
    if (response.validationPassed()) {
      return;
    }
    List<String> problems = new ArrayList<>();
    response.errors.ifPresent(errors -> errors.forEach(e -> problems.add(describe(e))));
    response.success.ifPresent(
        s ->
            s.validationErrors.forEach(
                e -> problems.add("policy " + e.getPolicyId() + ": " + describe(e.getError()))));
    if (problems.isEmpty()) {
      problems.add("validation failed");
    }
    throw invalid("does not match the schema", problems);
  }

  private static String describe(DetailedError e) {
    return e.help.map(h -> e.message + " (" + h + ")").orElse(e.message);
  }

  private static String excerpt(String source) {
    String oneLine = source.replaceAll("\\s+", " ").strip();
    return Strings.printable(oneLine.length() > 80 ? oneLine.substring(0, 80) + "..." : oneLine);
  }

  /** Cedar's messages quote the policy text; keep them on one line and bounded. */
  private static String clean(String s) {
    String oneLine = s.replaceAll("\\s+", " ").strip();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < oneLine.length() && i < 400; i++) {
      char c = oneLine.charAt(i);
      out.append(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? '?' : c);
    }
    return oneLine.length() > 400 ? out + "..." : out.toString();
  }

  private static InvalidRequestException invalid(String what, List<String> problems) {
    StringBuilder message = new StringBuilder("invalid policy: the policy text ").append(what);
    int n = Math.min(problems.size(), MAX_PROBLEMS);
    for (int i = 0; i < n; i++) {
      message.append(i == 0 ? ": " : "; ").append(clean(problems.get(i)));
    }
    if (problems.size() > n) {
      message.append("; and ").append(problems.size() - n).append(" more");
    }
    return new InvalidRequestException(message.toString());
  }
}
