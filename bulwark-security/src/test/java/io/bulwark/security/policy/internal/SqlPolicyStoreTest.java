package io.bulwark.security.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.security.policy.Decision;
import io.bulwark.security.policy.Policies;
import io.bulwark.security.policy.PolicyAction;
import io.bulwark.security.policy.PolicyEngine;
import io.bulwark.security.policy.PolicyRequest;
import io.bulwark.security.policy.PolicyStore;
import io.bulwark.security.policy.PolicyVersion;
import io.bulwark.security.policy.PrincipalView;
import io.bulwark.security.policy.ResourceView;
import io.bulwark.storage.Database;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlPolicyStoreTest {
  private static final String OPEN = "@id(\"open\") permit (principal, action, resource);";
  private static final String CLOSED = "@id(\"closed\") forbid (principal, action, resource);";

  @TempDir Path dir;

  @Test
  void store_emptyDatabase_storesDefaultsAsVersion1() throws Exception {
    try (Database db = Database.open(dir)) {
      PolicyEngine engine = Policies.engine(Policies.defaults());
      PolicyStore store = Policies.store(db, engine);
      PolicyVersion current = store.current();
      assertThat(current.version()).isEqualTo(1);
      assertThat(current.text()).isEqualTo(Policies.defaults().text());
      assertThat(store.history()).hasSize(1);
    }
  }

  @Test
  void set_validText_storesNextVersionAndInstallsIt() throws Exception {
    try (Database db = Database.open(dir)) {
      PolicyEngine engine = Policies.engine(Policies.defaults());
      PolicyStore store = Policies.store(db, engine);
      PolicyVersion v2 = store.set(OPEN, "alice", "open everything for the demo");
      assertThat(v2.version()).isEqualTo(2);
      assertThat(engine.policy().version()).isEqualTo(2);
      PolicyVersion v3 = store.set(CLOSED, "bob", "close again");
      assertThat(v3.version()).isEqualTo(3);
      List<PolicyVersion> history = store.history();
      assertThat(history).extracting(PolicyVersion::version).containsExactly(1L, 2L, 3L);
      assertThat(history.get(1).createdBy()).isEqualTo("alice");
      assertThat(history.get(1).comment()).isEqualTo("open everything for the demo");
      assertThat(history.get(1).text()).isEqualTo(OPEN);
    }
  }

  @Test
  void set_invalidText_refusedAndNothingStored() throws Exception {
    try (Database db = Database.open(dir)) {
      PolicyEngine engine = Policies.engine(Policies.defaults());
      PolicyStore store = Policies.store(db, engine);
      assertThatThrownBy(
              () ->
                  store.set(
                      "@id(\"x\") permit (principal, action, resource) when { resource.owner == \"me\" };",
                      "alice",
                      "typo"))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("owner");
      assertThat(store.history()).hasSize(1);
      assertThat(engine.policy().version()).isEqualTo(1);
    }
  }

  @Test
  void reload_otherReplicaChangedPolicy_installsNewest() throws Exception {
    try (Database db = Database.open(dir)) {
      PolicyEngine mine = Policies.engine(Policies.defaults());
      PolicyStore myStore = Policies.store(db, mine);
      PolicyEngine theirs = Policies.engine(Policies.defaults());
      PolicyStore theirStore = Policies.store(db, theirs);
      theirStore.set(OPEN, "alice", "elsewhere");
      assertThat(mine.policy().version()).isEqualTo(1);
      assertThat(myStore.reload().version()).isEqualTo(2);
      assertThat(mine.policy().text()).isEqualTo(OPEN);
    }
  }

  @Test
  void set_underConcurrentDecisions_noDecisionFailsAndEachMatchesItsVersion() throws Exception {
    try (Database db = Database.open(dir)) {
      // A small cache, so that most decisions are evaluated by Cedar while versions change.
      PolicyEngine engine = Policies.engine(Policies.defaults(), 64);
      PolicyStore store = Policies.store(db, engine);
      ResourceView model = ResourceView.model("risk.scorer", "acme", "low", "internal");
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong decisions = new AtomicLong();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      int threads = 4;
      CountDownLatch started = new CountDownLatch(threads);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        workers.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      started.countDown();
                      int i = 0;
                      while (!stop.get()) {
                        PrincipalView p =
                            new PrincipalView(
                                "k" + id + "-" + (i++ % 500),
                                Set.of("nobody"),
                                "acme",
                                Set.of(),
                                Set.of(),
                                Map.of());
                        try {
                          Decision d =
                              engine.decide(new PolicyRequest(p, PolicyAction.INFER, model));
                          // Version 1 (defaults) denies this principal; even versions open, odd
                          // close.
                          boolean expected = d.policyVersion() > 1 && d.policyVersion() % 2 == 0;
                          if (!d.errors().isEmpty() || d.allowed() != expected) {
                            failures.add(d.toString());
                          }
                          decisions.incrementAndGet();
                        } catch (RuntimeException e) {
                          failures.add(e.toString());
                        }
                      }
                    }));
      }
      started.await();
      for (int v = 2; v <= 21; v++) {
        store.set(v % 2 == 0 ? OPEN : CLOSED, "swapper", "swap " + v);
        Thread.sleep(10);
      }
      stop.set(true);
      for (Thread w : workers) {
        w.join();
      }
      assertThat(failures).isEmpty();
      assertThat(decisions.get()).isGreaterThan(100);
      assertThat(engine.policy().version()).isEqualTo(21);
    }
  }
}
