package dev.aegis.policy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An access-control policy: an ordered list of rules, read once from YAML and then asked, per call, whether a
 * principal may use a server's tool with these arguments.
 *
 * <pre>{@code
 * version: 1
 * default: deny            # when no rule matches: deny (allow only if written explicitly)
 * rules:
 *   - id: readers-read
 *     principals: [alice, "group:readers"]     # names or group:NAME, globs with *; "*" is everyone
 *     servers: [github]                        # globs; left out = all servers
 *     tools: ["get_*", "list_*"]               # globs over the name the server knows; left out = all tools
 *     when: 'args.repo.startsWith("acme/") && !("untrusted" in session.labels)'
 *     effect: allow                            # allow | deny | ask | redact
 *     rate: {calls: 10, per: 1m}               # at most 10 matching calls per principal in any minute
 *     reason: "readers may read acme repos"
 *   - id: mask-secrets
 *     principals: ["*"]
 *     tools: ["*"]
 *     effect: redact
 *     redact: [/token, /password]              # JSON pointers into the arguments
 * }</pre>
 *
 * <pre>{@code
 * Policy policy = Policy.parse("policy.yaml", Files.readString(path));   // PolicyException lists every error
 * Verdict v = policy.decide(new PolicyRequest("alice", List.of("readers"), "github", "get_issue", "tools/call",
 *     args, List.of()));
 * }</pre>
 *
 * <p><b>First match wins.</b> Rules are tried in file order; the first whose principals, servers and tools match and
 * whose {@code when} holds decides. Deny rules are ordinary rules, so an exception goes above the rule it carves out
 * of. This is how firewalls read, and for the same reason: a reviewer can follow any call down the list and point at
 * the one line that decided it, which "deny overrides" or most-specific-wins schemes do not allow.
 *
 * <p><b>Conditions.</b> {@code when} is CEL, type-checked at parse time, over {@code principal} ({@code name},
 * {@code groups}), {@code server}, {@code tool}, {@code method}, {@code args} (the call's arguments) and
 * {@code session} ({@code labels}). A condition that fails at run time (a missing key, a wrong type) counts as
 * false for allow, ask and redact rules and as true for deny rules: an error never grants access and never lifts a
 * denial.
 *
 * <p><b>Rates.</b> When a matching rule's rate is exceeded, the verdict is deny with reason "rate limit" and the same
 * rule id. Counters live in this object; a reload through {@link PolicyStore} carries them over for rules that keep
 * their id and rate.
 *
 * <p>Thread-safe; {@link #decide} allocates little and builds CEL values only when a condition runs.
 */
public final class Policy {
  /** Distinct (server, tool) pairs whose candidate rules are remembered; beyond this they are computed per call. */
  static final int MAX_CACHED_TARGETS = 10_000;
  private static final int[] NONE = new int[0];

  private final Rule[] rules;
  private final Verdict[] verdicts;
  private final Verdict.Effect defaultEffect;
  private final Verdict defaultVerdict;
  private final Clock clock;
  private final Map<String, Map<String, int[]>> candidates = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger cached = new java.util.concurrent.atomic.AtomicInteger();

  private Policy(List<Rule> rules, Verdict.Effect defaultEffect, Clock clock) {
    this.rules = rules.toArray(Rule[]::new);
    this.verdicts = new Verdict[this.rules.length];
    for (int i = 0; i < this.rules.length; i++) {
      Rule r = this.rules[i];
      verdicts[i] = new Verdict(r.effect(), r.id(), r.reason(), r.redact());
    }
    this.defaultEffect = defaultEffect;
    this.defaultVerdict = new Verdict(defaultEffect, "default", "no rule matched; the policy's default is "
        + defaultEffect.name().toLowerCase(java.util.Locale.ROOT), List.of());
    this.clock = clock;
  }

  /** Parses a policy; {@code source} names it in errors (usually the file path). Rate windows use the UTC clock. */
  public static Policy parse(String source, String yamlText) throws PolicyException {
    return parse(source, yamlText, Clock.systemUTC());
  }

  /** As {@link #parse(String, String)}, with the clock rate windows are measured on (tests move it by hand). */
  public static Policy parse(String source, String yamlText, Clock clock) throws PolicyException {
    return parse(source, yamlText, clock, true);
  }

  /**
   * As {@link #parse(String, String, Clock)}; {@code shortcuts} false makes CEL evaluate every condition, without
   * the plain-Java answers for simple shapes (the tests compare both ways on the same calls).
   */
  static Policy parse(String source, String yamlText, Clock clock, boolean shortcuts) throws PolicyException {
    PolicyParser.Parsed p = PolicyParser.parse(source, yamlText, shortcuts);
    return new Policy(p.rules(), p.defaultEffect(), clock);
  }

  /** The verdict for one call: the first matching rule's, or the default with rule id {@code "default"}. */
  public Verdict decide(PolicyRequest r) {
    Facts facts = null;
    for (int i : candidates(r.server(), r.tool())) {
      Rule rule = rules[i];
      if (!rule.matchesPrincipal(r.principal(), r.groups())) {
        continue;
      }
      boolean failedClosed = false;
      if (rule.when() != null) {
        if (facts == null) {
          facts = new Facts(r);
        }
        Boolean holds = rule.when().eval(facts);
        if (holds == null) {
          // an error never grants (allow/ask/redact skip) and never lifts a denial (deny applies)
          if (rule.effect() != Verdict.Effect.DENY) {
            continue;
          }
          failedClosed = true;
        } else if (!holds) {
          continue;
        }
      }
      if (rule.rate() != null && !rule.rate().tryAcquire(r.principal(), clock)) {
        return new Verdict(Verdict.Effect.DENY, rule.id(), "rate limit", List.of());
      }
      return failedClosed ? new Verdict(Verdict.Effect.DENY, rule.id(), verdicts[i].reason()
          + " (its condition could not be evaluated, so the denial applies)", List.of()) : verdicts[i];
    }
    return defaultVerdict;
  }

  /**
   * Whether to show {@code tool} to this principal in a list. A rule that matches without a {@code when} decides
   * (deny hides, anything else shows); a conditional allow, ask or redact shows the tool, since some arguments may
   * pass; a conditional deny is skipped, since some may not be denied. No match: shown only under {@code default:
   * allow}. Rates are ignored: listing is not calling.
   */
  public boolean mayList(String principal, List<String> groups, String server, String tool) {
    List<String> memberOf = groups == null ? List.of() : groups;
    for (int i : candidates(server, tool)) {
      Rule rule = rules[i];
      if (!rule.matchesPrincipal(principal, memberOf)) {
        continue;
      }
      if (rule.when() == null) {
        return rule.effect() != Verdict.Effect.DENY;
      }
      if (rule.effect() != Verdict.Effect.DENY) {
        return true;
      }
    }
    return defaultEffect != Verdict.Effect.DENY;
  }

  /** What applies when no rule matches. */
  public Verdict.Effect defaultEffect() {
    return defaultEffect;
  }

  /** The rule ids in evaluation order. */
  public List<String> ruleIds() {
    List<String> ids = new ArrayList<>(rules.length);
    for (Rule r : rules) {
      ids.add(r.id());
    }
    return ids;
  }

  /** How many conditions have a {@link Shortcut} (for tests that must know the shortcuts ran). */
  int shortcuts() {
    int n = 0;
    for (Rule r : rules) {
      if (r.when() != null && r.when().hasShortcut()) {
        n++;
      }
    }
    return n;
  }

  /**
   * Takes over {@code older}'s rate counters for rules that kept their id and their rate, so editing a policy does
   * not hand every principal a fresh allowance.
   */
  void carryRatesFrom(Policy older) {
    for (Rule r : rules) {
      if (r.rate() == null) {
        continue;
      }
      for (Rule o : older.rules) {
        if (o.id().equals(r.id()) && o.rate() != null && o.rate().calls == r.rate().calls
            && o.rate().per.equals(r.rate().per)) {
          r.rate().takeOver(o.rate());
        }
      }
    }
  }

  /**
   * The indexes of rules whose server and tool globs match, in order: computed once per (server, tool) and
   * remembered, so a call only tests principals and conditions. The memory is bounded because tool names in calls
   * come from clients.
   */
  private int[] candidates(String server, String tool) {
    Map<String, int[]> byTool = candidates.get(server);
    int[] found = byTool == null ? null : byTool.get(tool);
    if (found != null) {
      return found;
    }
    List<Integer> matching = new ArrayList<>();
    for (int i = 0; i < rules.length; i++) {
      if (rules[i].matchesTarget(server, tool)) {
        matching.add(i);
      }
    }
    found = matching.isEmpty() ? NONE : matching.stream().mapToInt(Integer::intValue).toArray();
    if (cached.get() < MAX_CACHED_TARGETS) {
      cached.incrementAndGet();
      candidates.computeIfAbsent(server, k -> new ConcurrentHashMap<>()).put(tool, found);
    }
    return found;
  }
}
