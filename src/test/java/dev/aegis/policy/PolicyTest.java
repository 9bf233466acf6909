package dev.aegis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.policy.Verdict.Effect;
import dev.aegis.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Decisions of parsed policies: order, globs, groups, conditions, redaction, rates and listing. */
class PolicyTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  static Policy policy(String yaml) throws PolicyException {
    return Policy.parse("test.yaml", yaml);
  }

  static PolicyRequest call(String principal, List<String> groups, String server, String tool, String args,
      List<String> labels) {
    JsonNode a = args == null ? null : JSON.readTree(args);
    return new PolicyRequest(principal, groups, server, tool, "tools/call", a, labels);
  }

  static PolicyRequest call(String principal, String server, String tool) {
    return call(principal, List.of(), server, tool, null, List.of());
  }

  @Test
  void firstMatchingRuleDecidesEvenWhenALaterRuleWouldAllow() throws PolicyException {
    Policy p = policy("""
        version: 1
        rules:
          - {id: no-delete, principals: ["*"], servers: [github], tools: ["delete_*"], effect: deny,
             reason: "nobody deletes"}
          - {id: all-github, principals: ["*"], servers: [github], effect: allow}
        """);

    Verdict deleted = p.decide(call("alice", "github", "delete_repo"));
    Verdict read = p.decide(call("alice", "github", "get_issue"));

    assertThat(deleted).isEqualTo(new Verdict(Effect.DENY, "no-delete", "nobody deletes", List.of()));
    assertThat(read.effect()).isEqualTo(Effect.ALLOW);
    assertThat(read.ruleId()).isEqualTo("all-github");
    assertThat(read.reason()).isEqualTo("rule all-github");
  }

  @Test
  void noMatchFallsBackToDefaultDenyUnlessAllowIsWritten() throws PolicyException {
    String rules = """
        rules:
          - {id: r, principals: [alice], servers: [github], tools: [get_issue], effect: allow}
        """;
    Verdict denied = policy("version: 1\n" + rules).decide(call("bob", "github", "get_issue"));
    Verdict allowed = policy("version: 1\ndefault: allow\n" + rules).decide(call("bob", "github", "get_issue"));

    assertThat(denied.effect()).isEqualTo(Effect.DENY);
    assertThat(denied.ruleId()).isEqualTo("default");
    assertThat(allowed.effect()).isEqualTo(Effect.ALLOW);
    assertThat(allowed.ruleId()).isEqualTo("default");
  }

  @Test
  void globsMatchWholeNamesWithStarAnywhere() throws PolicyException {
    Policy p = policy("""
        version: 1
        rules:
          - {id: r, principals: ["svc-*"], servers: ["git*"], tools: ["get_*", "*_list", "a*b*c"], effect: allow}
        """);

    assertThat(p.decide(call("svc-ci", "github", "get_issue")).effect()).isEqualTo(Effect.ALLOW);
    assertThat(p.decide(call("svc-ci", "gitlab", "repo_list")).effect()).isEqualTo(Effect.ALLOW);
    assertThat(p.decide(call("svc-ci", "gitlab", "aXbYc")).effect()).isEqualTo(Effect.ALLOW);
    assertThat(p.decide(call("svc-ci", "gitlab", "abc")).effect()).isEqualTo(Effect.ALLOW);
    // whole-name: a prefix or suffix alone does not match
    assertThat(p.decide(call("svc-ci", "gitlab", "xget_issue")).ruleId()).isEqualTo("default");
    assertThat(p.decide(call("svc-ci", "gitlab", "acb")).ruleId()).isEqualTo("default");
    assertThat(p.decide(call("svc-ci", "mygithub", "get_issue")).ruleId()).isEqualTo("default");
    assertThat(p.decide(call("alice", "github", "get_issue")).ruleId()).isEqualTo("default");
  }

  @Test
  void groupEntriesMatchTheCallersGroupsNotItsName() throws PolicyException {
    Policy p = policy("""
        version: 1
        rules:
          - {id: readers, principals: ["group:read*"], effect: allow}
        """);

    assertThat(p.decide(call("bob", List.of("staff", "readers"), "s", "t", null, List.of())).effect())
        .isEqualTo(Effect.ALLOW);
    assertThat(p.decide(call("readers", List.of("staff"), "s", "t", null, List.of())).ruleId())
        .isEqualTo("default");
  }

  @Test
  void conditionsSeeArgumentsLabelsAndPrincipal() throws PolicyException {
    Policy p = policy("""
        version: 1
        rules:
          - id: acme-read
            principals: ["*"]
            tools: ["get_*"]
            when: 'args.repo.startsWith("acme/") && !("untrusted" in session.labels)'
            effect: allow
          - id: admins
            principals: ["*"]
            when: '"admin" in principal.groups && principal.name != "mallory" && tool == "push" && method == "tools/call"'
            effect: ask
          - id: small
            principals: ["*"]
            when: 'args.n < 10.5 && args.deep.list.exists(x, x == 2)'
            effect: allow
        """);

    assertThat(p.decide(call("a", List.of(), "gh", "get_x", "{\"repo\":\"acme/x\"}", List.of())).ruleId())
        .isEqualTo("acme-read");
    assertThat(p.decide(call("a", List.of(), "gh", "get_x", "{\"repo\":\"acme/x\"}", List.of("untrusted")))
        .ruleId()).isEqualTo("default");
    assertThat(p.decide(call("a", List.of(), "gh", "get_x", "{\"repo\":\"evil/x\"}", List.of())).ruleId())
        .isEqualTo("default");
    assertThat(p.decide(call("eve", List.of("admin"), "gh", "push", "{}", List.of())).effect()).isEqualTo(Effect.ASK);
    assertThat(p.decide(call("mallory", List.of("admin"), "gh", "push", "{}", List.of())).ruleId())
        .isEqualTo("default");
    assertThat(p.decide(call("a", List.of(), "gh", "t", "{\"n\": 10, \"deep\": {\"list\": [1, 2]}}", List.of()))
        .ruleId()).isEqualTo("small");
    assertThat(p.decide(call("a", List.of(), "gh", "t", "{\"n\": 11, \"deep\": {\"list\": [1, 2]}}", List.of()))
        .ruleId()).isEqualTo("default");
  }

  @Test
  void conditionErrorsSkipAllowRulesButApplyDenyRules() throws PolicyException {
    Policy p = policy("""
        version: 1
        rules:
          - {id: no-prod, principals: ["*"], when: 'args.env == "prod"', effect: deny, reason: "not prod"}
          - {id: ok-repo, principals: ["*"], when: 'args.repo.startsWith("acme/")', effect: allow}
          - {id: rest, principals: ["*"], effect: ask}
        """);

    // 'env' missing: the deny rule's condition errs, so it applies (fails closed)
    Verdict missingEnv = p.decide(call("a", List.of(), "s", "t", "{\"repo\":\"acme/x\"}", List.of()));
    // 'repo' of the wrong type: the allow rule's condition errs, so it is skipped
    Verdict wrongType = p.decide(call("a", List.of(), "s", "t", "{\"env\":\"dev\",\"repo\":7}", List.of()));

    assertThat(missingEnv.effect()).isEqualTo(Effect.DENY);
    assertThat(missingEnv.ruleId()).isEqualTo("no-prod");
    assertThat(missingEnv.reason()).startsWith("not prod").contains("could not be evaluated");
    assertThat(wrongType.ruleId()).isEqualTo("rest");
  }

  @Test
  void redactVerdictCarriesThePointers() throws PolicyException {
    Policy p = policy("""
        version: 1
        rules:
          - {id: mask, principals: ["*"], tools: [login], effect: redact, redact: [/token, /auth/password]}
        """);

    Verdict v = p.decide(call("a", "s", "login"));

    assertThat(v.effect()).isEqualTo(Effect.REDACT);
    assertThat(v.redact()).containsExactly("/token", "/auth/password");
    assertThat(v.allowed()).isTrue();
  }

  @Test
  void rateLimitDeniesPastTheLimitPerPrincipalUntilTheWindowSlides() throws PolicyException {
    MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    Policy p = Policy.parse("test.yaml", """
        version: 1
        rules:
          - {id: limited, principals: ["*"], effect: allow, rate: {calls: 2, per: 1m}}
        """, clock);

    assertThat(p.decide(call("alice", "s", "t")).effect()).isEqualTo(Effect.ALLOW);
    clock.advance(Duration.ofSeconds(30));
    assertThat(p.decide(call("alice", "s", "t")).effect()).isEqualTo(Effect.ALLOW);
    Verdict third = p.decide(call("alice", "s", "t"));
    Verdict otherPrincipal = p.decide(call("bob", "s", "t"));
    clock.advance(Duration.ofSeconds(30)); // the first call leaves the window
    Verdict afterSlide = p.decide(call("alice", "s", "t"));
    Verdict stillFull = p.decide(call("alice", "s", "t"));

    assertThat(third).isEqualTo(new Verdict(Effect.DENY, "limited", "rate limit", List.of()));
    assertThat(otherPrincipal.effect()).isEqualTo(Effect.ALLOW);
    assertThat(afterSlide.effect()).isEqualTo(Effect.ALLOW);
    assertThat(stillFull.reason()).isEqualTo("rate limit");
  }

  @Test
  void mayListHidesOnlyWhatIsCertainlyDenied() throws PolicyException {
    Policy p = policy("""
        version: 1
        rules:
          - {id: cond-deny, principals: ["*"], tools: [a], when: 'args.x == 1', effect: deny}
          - {id: hard-deny, principals: [bob], tools: [a, b], effect: deny}
          - {id: cond-allow, principals: ["*"], tools: [b], when: 'args.y == 1', effect: allow}
          - {id: plain, principals: ["*"], tools: [a, c], effect: ask}
        """);

    assertThat(p.mayList("alice", List.of(), "s", "a")).isTrue();   // conditional deny skipped, then ask
    assertThat(p.mayList("bob", List.of(), "s", "a")).isFalse();    // unconditional deny
    assertThat(p.mayList("bob", List.of(), "s", "b")).isFalse();
    assertThat(p.mayList("alice", List.of(), "s", "b")).isTrue();   // conditional allow shows it
    assertThat(p.mayList("alice", List.of(), "s", "c")).isTrue();
    assertThat(p.mayList("alice", List.of(), "s", "d")).isFalse();  // default deny
  }

  @Test
  void candidateIndexGivesTheSameAnswerOnRepeatedAndManyDistinctTargets() throws PolicyException {
    Policy p = policy("""
        version: 1
        rules:
          - {id: r, principals: ["*"], servers: [s], tools: ["t*"], effect: allow}
        """);

    for (int i = 0; i < Policy.MAX_CACHED_TARGETS + 10; i++) {
      assertThat(p.decide(call("a", "s", "t" + i)).ruleId()).isEqualTo("r");
      assertThat(p.decide(call("a", "s", "u" + i)).ruleId()).isEqualTo("default");
    }
    assertThat(p.decide(call("a", "s", "t1")).ruleId()).isEqualTo("r");
  }

  @Test
  void globMatcherHandlesRepeatedPiecesWithoutBacktracking() {
    Glob g = (Glob) Glob.compile("*a*a*a*b");
    String hostile = "a".repeat(100_000);

    assertThat(g.matches(hostile)).isFalse();
    assertThat(g.matches(hostile + "b")).isTrue();
    assertThat(((Glob) Glob.compile("**")).matches("")).isTrue();
    assertThat(((Glob) Glob.compile("ab*ba")).matches("aba")).isFalse();
  }
}
