package io.bulwark.bench;

import io.bulwark.core.InsecureSecretAccess;
import io.bulwark.core.RateLimits;
import io.bulwark.security.ApiKeys;
import io.bulwark.security.AuthenticationException;
import io.bulwark.security.NewApiKey;
import io.bulwark.security.Principal;
import io.bulwark.security.RateLimiter;
import io.bulwark.security.Role;
import io.bulwark.security.policy.Decision;
import io.bulwark.security.policy.Policies;
import io.bulwark.security.policy.PolicyAction;
import io.bulwark.security.policy.PolicyEngine;
import io.bulwark.security.policy.PolicyRequest;
import io.bulwark.security.policy.PrincipalView;
import io.bulwark.security.policy.ResourceView;
import io.bulwark.storage.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The pieces of the per-request security pipeline that exist as public API, each timed alone: API
 * key authentication, the rate limiter (per caller and per model, generous limits) and a Cedar
 * policy decision, from the cache and computed afresh. The policy engine is not yet what the server
 * consults (it authorises with two roles); it is measured because it will be.
 */
@State(Scope.Benchmark)
public class SecurityPipelineBenchmark {
  private Path dir;
  private Database database;
  private ExecutorService background;
  private ApiKeys apiKeys;
  private String apiKey;
  private RateLimiter rateLimiter;
  private PolicyEngine cachedPolicy;
  private PolicyEngine uncachedPolicy;
  private PolicyRequest policyRequest;

  @Setup
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("bulwark-bench-security");
    database = Database.open(dir);
    background = Executors.newSingleThreadExecutor();
    apiKeys =
        ApiKeys.open(database, dir.resolve("api-key-hmac.key"), Clock.systemUTC(), background);
    apiKey =
        ApiKeys.reveal(
            apiKeys.create(NewApiKey.of("bench", Role.CONSUMER, Set.of("minilm"), null), "bench"),
            InsecureSecretAccess.get());
    // One thread calls it millions of times a second here: limits that no benchmark can drain, so
    // that every call takes the path of an admitted request.
    rateLimiter =
        RateLimiter.systemClock(
            new RateLimits(1e12, Integer.MAX_VALUE, 0, 1e12, Integer.MAX_VALUE, 100_000));
    cachedPolicy = Policies.engine(Policies.defaults());
    uncachedPolicy = Policies.engine(Policies.defaults(), 0);
    policyRequest = request("consumer-1");
  }

  private static PolicyRequest request(String principal) {
    return new PolicyRequest(
        new PrincipalView(
            principal, Set.of("consumer"), "default", Set.of("minilm"), Set.of(), Map.of()),
        PolicyAction.INFER,
        ResourceView.model("minilm", "default", "low", "internal"));
  }

  @TearDown
  public void tearDown() throws Exception {
    background.shutdown();
    database.close();
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Benchmark
  public Principal authenticateApiKey() throws AuthenticationException {
    return apiKeys.authenticate(apiKey);
  }

  @Benchmark
  public void rateLimit() {
    rateLimiter.acquire("consumer-1", "minilm");
  }

  @Benchmark
  public Decision policyCached() {
    return cachedPolicy.decide(policyRequest);
  }

  @Benchmark
  public Decision policyUncached() {
    return uncachedPolicy.decide(policyRequest);
  }
}
