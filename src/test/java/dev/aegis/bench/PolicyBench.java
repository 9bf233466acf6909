package dev.aegis.bench;

import dev.aegis.policy.Policy;
import dev.aegis.policy.PolicyException;
import dev.aegis.policy.PolicyRequest;
import dev.aegis.policy.Verdict;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a policy decision costs with 100 rules (sampled, so JMH reports p99; the target is under 50 us):
 * {@code lastRuleWithCondition} walks 99 non-matching rules (a third of them conditional on the same server and
 * tool, so their conditions run) before a conditional allow; {@code lastRuleWithCelOnlyConditions} is the same walk
 * with conditions ({@code args.issue == N}) that no shortcut answers, so CEL's interpreter runs for each;
 * {@code noConditionMatch} is decided by a plain rule; {@code defaultDeny} matches nothing; {@code mayList} is the
 * per-tool listing check.
 *
 * <pre>{@code bench/jmh.sh PolicyBench -f 1 -wi 2 -i 3}</pre>
 */
@State(Scope.Benchmark)
public class PolicyBench {
  private Policy policy;
  private Policy celOnly;
  private PolicyRequest conditional;
  private PolicyRequest plain;
  private PolicyRequest unmatched;

  @Setup
  public void setup() throws PolicyException {
    policy = Policy.parse("bench.yaml", rules(i -> "args.repo == \"other/" + i + "\""));
    celOnly = Policy.parse("bench-cel.yaml", rules(i -> "args.issue == " + (1000 + i)));
    JsonNode args = JsonMapper.shared().readTree("{\"repo\": \"acme/app\", \"issue\": 42, \"fields\": [\"title\","
        + " \"body\"], \"options\": {\"comments\": true}}");
    conditional = new PolicyRequest("alice", List.of("staff", "readers"), "github", "get_issue", "tools/call", args,
        List.of("web"));
    plain = new PolicyRequest("user4", List.of(), "gitlab", "anything", "tools/call", args, List.of());
    unmatched = new PolicyRequest("nobody", List.of(), "slack", "post", "tools/call", args, List.of());
    if (!policy.decide(conditional).ruleId().equals("readers") || !policy.decide(plain).ruleId().equals("team-4")
        || !policy.decide(unmatched).ruleId().equals("default")
        || !celOnly.decide(conditional).ruleId().equals("readers")) {
      throw new IllegalStateException("benchmark policy does not decide as intended");
    }
  }

  /** 99 rules, a third of them conditional denials ({@code test(i) && !("untrusted" in session.labels)}), then one. */
  private static String rules(IntFunction<String> test) {
    StringBuilder y = new StringBuilder("version: 1\ndefault: deny\nrules:\n");
    for (int i = 0; i < 99; i++) {
      switch (i % 3) {
        case 0 -> y.append("  - {id: cond-").append(i).append(", principals: [\"*\"], servers: [github],"
            + " tools: [\"get_*\"], when: '").append(test.apply(i)).append(" && !(\"untrusted\" in"
            + " session.labels)', effect: deny}\n");
        case 1 -> y.append("  - {id: team-").append(i).append(", principals: [\"group:team").append(i)
            .append("\", \"user").append(i).append("\"], servers: [\"git*\"], tools: [\"*\"], effect: allow}\n");
        default -> y.append("  - {id: srv-").append(i).append(", principals: [\"*\"], servers: [server").append(i)
            .append("], tools: [\"tool_*\"], effect: ask, rate: {calls: 100, per: 1m}}\n");
      }
    }
    y.append("  - {id: readers, principals: [\"group:readers\"], servers: [github], tools: [\"get_*\", \"list_*\"],"
        + " when: 'args.repo.startsWith(\"acme/\") && principal.name != \"mallory\"', effect: allow}\n");
    return y.toString();
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Verdict lastRuleWithCondition() {
    return policy.decide(conditional);
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Verdict lastRuleWithCelOnlyConditions() {
    return celOnly.decide(conditional);
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Verdict noConditionMatch() {
    return policy.decide(plain);
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Verdict defaultDeny() {
    return policy.decide(unmatched);
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public boolean mayList() {
    return policy.mayList("alice", List.of("staff", "readers"), "github", "get_issue");
  }
}
