package dev.aegis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload of a real file: good edits swap in, broken edits keep the last good policy and say why. */
class PolicyStoreTest {
  static final String ALLOW = "version: 1\nrules:\n  - {id: open, principals: ['*'], effect: allow}\n";
  static final String DENY = "version: 1\nrules:\n  - {id: closed, principals: ['*'], effect: deny}\n";
  static final String BROKEN = "version: 1\nrules:\n  - {id: x, principals: ['*'], effect: alow}\n";

  @TempDir
  Path dir;

  static String ruleFor(PolicyStore store) {
    return store.current().decide(new PolicyRequest("alice", List.of(), "s", "t", null, null, null)).ruleId();
  }

  @Test
  void editedFileIsPickedUpAndVersionFollowsTheBytes() throws Exception {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, ALLOW);
    AtomicInteger reloads = new AtomicInteger();
    try (PolicyStore store = PolicyStore.load(file)) {
      String first = store.version();
      store.watch(errors -> { }, reloads::incrementAndGet);

      Files.writeString(file, DENY);

      await().atMost(Duration.ofSeconds(10)).until(() -> ruleFor(store).equals("closed"));
      assertThat(reloads).hasValue(1);
      assertThat(first).isEqualTo(PolicyStore.sha256(ALLOW.getBytes()));
      assertThat(store.version()).isEqualTo(PolicyStore.sha256(DENY.getBytes())).isNotEqualTo(first);
    }
  }

  @Test
  void brokenEditKeepsTheOldPolicyAndReportsErrorsOnce() throws Exception {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, ALLOW);
    List<List<String>> reported = new CopyOnWriteArrayList<>();
    AtomicInteger reloads = new AtomicInteger();
    try (PolicyStore store = PolicyStore.load(file)) {
      String good = store.version();
      store.watch(reported::add, reloads::incrementAndGet);

      Files.writeString(file, BROKEN);
      await().atMost(Duration.ofSeconds(10)).until(() -> !reported.isEmpty());
      // later polls see the same broken bytes and stay quiet
      store.poll(reported::add, reloads::incrementAndGet);

      assertThat(reported).containsExactly(List.of(file + ":3:40: unknown effect 'alow' (use allow, deny, ask or"
          + " redact)"));
      assertThat(ruleFor(store)).isEqualTo("open");
      assertThat(store.version()).isEqualTo(good);
      assertThat(reloads).hasValue(0);

      Files.writeString(file, DENY);
      await().atMost(Duration.ofSeconds(10)).until(() -> ruleFor(store).equals("closed"));
      assertThat(reloads).hasValue(1);
    }
  }

  @Test
  void reloadKeepsRateCountersOfUnchangedRules() throws Exception {
    Path file = dir.resolve("policy.yaml");
    String limited = "version: 1\nrules:\n  - {id: lim, principals: ['*'], effect: allow, rate: {calls: 1, per: 1h}}\n";
    Files.writeString(file, limited);
    try (PolicyStore store = PolicyStore.load(file)) {
      assertThat(ruleFor(store)).isEqualTo("lim");
      Files.writeString(file, limited + "# a comment changes the bytes, not the rule\n");

      store.poll(errors -> { }, () -> { });

      Verdict second = store.current().decide(new PolicyRequest("alice", null, "s", "t", null, null, null));
      assertThat(second.reason()).isEqualTo("rate limit");
    }
  }

  @Test
  void unreadableFileAtLoadIsAPolicyException() throws IOException {
    Path missing = dir.resolve("nope.yaml");

    PolicyException e = org.assertj.core.api.Assertions.catchThrowableOfType(PolicyException.class,
        () -> PolicyStore.load(missing));

    assertThat(e.errors()).singleElement().asString().startsWith(missing + ": cannot read the policy");
  }
}
