package dev.aegis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Differential test of {@link Shortcut}: every generated condition is loaded twice, once with shortcuts and once with
 * CEL alone, and both must give the same verdict on every generated call. A deny rule with default allow tells all
 * three outcomes apart (true: the rule's reason; error: the rule with "could not be evaluated"; false: the default),
 * so a shortcut that turned an error into false, or false into an error, fails here.
 *
 * <p>Calls vary what CEL is touchy about: missing keys, every JSON type where a string is expected, nested maps,
 * non-ASCII and lone surrogates, integers beyond int64, arguments that are not an object, arguments nested deeper
 * than {@link Facts#MAX_DEPTH}, and lists longer than the comprehension bound.
 */
class ConditionShortcutTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final long SEED = 20261124L;
  private static final String[] KEYS = {"repo", "path", "flag", "items", "meta", "x_1"};
  private static final String[] LITERALS = {"acme/app", "acme/", "app", "", "😀", "ünï", "x", "tools/call", "1"};
  private static final String[] STRINGS = {"acme/app", "acme/", "acme/apps", "other/1", "app", "", "😀", "x😀",
      "ünï", "x", "1", "\ud800x", "ACME/APP"};
  private static final String[] NAMES = {"alice", "mallory", "ünï", "x", "app"};
  private static final String[] SETS = {"untrusted", "web", "ünï", "", "x", "readers", "acme/"};

  /** Expressions the shortcut answers on its own (K: an argument key, L: a string literal, N: a small int). */
  private static final String[] ANSWERED = {
      "args.K == \"L\"", "\"L\" == args.K", "args.K != \"L\"", "args.K.startsWith(\"L\")", "args.K.endsWith(\"L\")",
      "args.K.contains(\"L\")", "args.meta.K == \"L\"", "args.meta.K.startsWith(\"L\")", "\"L\" in session.labels",
      "\"L\" in principal.groups", "principal.name == \"L\"", "principal.name != \"L\"", "server == \"L\"",
      "tool.startsWith(\"L\")", "method == \"L\"", "has(args.K)", "size(args.K) > N", "size(args.K) <= N",
      "size(args.K) < N", "size(args.K) >= N", "args.K", "true", "false"};
  /** Expressions left to CEL, mixed in so that the commutative && and || around an unknown side are exercised. */
  private static final String[] LEFT_TO_CEL = {
      "args.items.exists(i, i == \"L\")", "args.K > 2", "(has(args.K) ? args.K : \"\") == \"L\"",
      "args.K.matches(\"^a\")", "size(args.K) + 1 > N", "args.items.all(i, true)", "args.K == 1",
      "\"L\" in args.K", "principal.groups.exists(g, g.startsWith(\"L\"))"};

  @Test
  void shortcutsGiveCelsVerdictOnGeneratedConditionsAndCalls() throws PolicyException {
    Random random = new Random(SEED);
    List<PolicyRequest> calls = calls(random, 120);
    Map<Shortcut.Outcome, Integer> seen = new EnumMap<>(Shortcut.Outcome.class);
    int compared = 0;
    int answered = 0;
    for (int i = 0; i < 300; i++) {
      String when = expression(random, 3);
      String yaml = "version: 1\ndefault: allow\nrules:\n  - id: c\n    principals: [\"*\"]\n    when: |-\n      "
          + when + "\n    effect: deny\n    reason: r\n";
      Policy fast = Policy.parse("test.yaml", yaml, Clock.systemUTC(), true);
      Policy cel = Policy.parse("test.yaml", yaml, Clock.systemUTC(), false);
      for (PolicyRequest call : calls) {
        Verdict expected = cel.decide(call);
        assertThat(fast.decide(call)).as("%s on %s", when, brief(call)).isEqualTo(expected);
        seen.merge(outcome(expected), 1, Integer::sum);
        compared++;
      }
      answered += fast.shortcuts();
    }
    assertThat(compared).isEqualTo(300 * 120);
    // the corpus must reach every outcome often, and most conditions must have a shortcut, or the test proves little
    assertThat(seen).allSatisfy((outcome, count) -> assertThat(count).as("%s", outcome).isGreaterThan(1_500));
    assertThat(seen).hasSize(3);
    assertThat(answered).isGreaterThan(220);
  }

  @Test
  void shortcutsGiveCelsVerdictsInPoliciesWithMixedEffects() throws PolicyException {
    Random random = new Random(SEED + 1);
    List<PolicyRequest> calls = calls(random, 100);
    String[] effects = {"allow", "deny", "ask"};
    for (int p = 0; p < 60; p++) {
      StringBuilder yaml = new StringBuilder("version: 1\ndefault: ")
          .append(random.nextBoolean() ? "allow" : "deny").append("\nrules:\n");
      for (int r = 0; r < 6; r++) {
        yaml.append("  - id: r").append(r).append("\n    principals: [\"*\"]\n    when: |-\n      ")
            .append(expression(random, 2)).append("\n    effect: ").append(effects[random.nextInt(3)]).append('\n');
      }
      Policy fast = Policy.parse("test.yaml", yaml.toString(), Clock.systemUTC(), true);
      Policy cel = Policy.parse("test.yaml", yaml.toString(), Clock.systemUTC(), false);
      for (PolicyRequest call : calls) {
        assertThat(fast.decide(call)).as("%s on %s", yaml, brief(call)).isEqualTo(cel.decide(call));
      }
    }
  }

  /** The call for a failure message, cut short: some carry 10,001 list items. */
  private static String brief(PolicyRequest call) {
    String s = call.toString();
    return s.length() <= 400 ? s : s.substring(0, 400) + "...";
  }

  private static Shortcut.Outcome outcome(Verdict v) {
    if (v.ruleId().equals("default")) {
      return Shortcut.Outcome.FALSE;
    }
    return v.reason().equals("r") ? Shortcut.Outcome.TRUE : Shortcut.Outcome.ERROR;
  }

  private static String expression(Random random, int depth) {
    int pick = depth == 0 ? 0 : random.nextInt(6);
    return switch (pick) {
      case 1 -> "(" + expression(random, depth - 1) + " && " + expression(random, depth - 1) + ")";
      case 2 -> "(" + expression(random, depth - 1) + " || " + expression(random, depth - 1) + ")";
      case 3 -> "!(" + expression(random, depth - 1) + ")";
      default -> atom(random);
    };
  }

  private static String atom(Random random) {
    String[] from = random.nextInt(5) == 0 ? LEFT_TO_CEL : ANSWERED;
    return from[random.nextInt(from.length)]
        .replace("K", KEYS[random.nextInt(KEYS.length)])
        .replace("\"L\"", "\"" + LITERALS[random.nextInt(LITERALS.length)] + "\"")
        .replace("N", Integer.toString(random.nextInt(4)));
  }

  private static List<PolicyRequest> calls(Random random, int n) {
    List<PolicyRequest> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      JsonNode args = switch (i % 25) {
        case 0 -> JSON.arrayNode().add("repo");                  // arguments that are not an object
        case 1 -> deep(Facts.MAX_DEPTH + 1, random);             // one level too deep for CEL to build args
        case 2 -> deep(Facts.MAX_DEPTH, random);                 // just deep enough
        case 3 -> i == 3 ? longItems(random) : object(random, 0); // past the comprehension bound (once: slow)
        case 4 -> null;
        default -> object(random, 0);
      };
      calls.add(new PolicyRequest(pick(random, NAMES), subset(random), pick(random, NAMES), pick(random, NAMES),
          random.nextInt(4) == 0 ? "prompts/get" : "tools/call", args, subset(random)));
    }
    return calls;
  }

  private static ObjectNode object(Random random, int depth) {
    ObjectNode o = JSON.objectNode();
    for (String key : KEYS) {
      if (random.nextInt(3) != 0) {
        o.set(key, value(random, depth));
      }
    }
    return o;
  }

  private static JsonNode value(Random random, int depth) {
    return switch (random.nextInt(depth > 1 ? 8 : 10)) {
      case 0, 1, 2 -> JSON.stringNode(pick(random, STRINGS));
      case 3 -> JSON.numberNode(random.nextInt(5));
      case 4 -> JSON.numberNode(random.nextBoolean() ? 2.5 : Math.pow(2, 70));
      case 5 -> JSON.booleanNode(random.nextBoolean());
      case 6 -> JSON.nullNode();
      case 7 -> JSON.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
      case 8 -> {
        ArrayNode a = JSON.arrayNode();
        for (int i = random.nextInt(4); i > 0; i--) {
          a.add(value(random, depth + 1));
        }
        yield a;
      }
      default -> object(random, depth + 1);
    };
  }

  private static JsonNode deep(int levels, Random random) {
    ObjectNode root = object(random, 2);
    ObjectNode at = root;
    for (int i = 1; i < levels; i++) {
      ObjectNode next = JSON.objectNode();
      at.set("meta", next);
      at = next;
    }
    at.put("repo", "acme/app");
    return root;
  }

  private static JsonNode longItems(Random random) {
    ObjectNode o = object(random, 2);
    ArrayNode items = o.putArray("items");
    for (int i = 0; i <= Condition.MAX_ITERATIONS; i++) {
      items.add("app");
    }
    return o;
  }

  private static String pick(Random random, String[] from) {
    return from[random.nextInt(from.length)];
  }

  private static List<String> subset(Random random) {
    List<String> s = new ArrayList<>();
    for (String v : SETS) {
      if (random.nextInt(3) == 0) {
        s.add(v);
      }
    }
    return s;
  }
}
