package dev.aegis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Every kind of policy error, each with the exact {@code file:line:col} a person would jump to. */
class PolicyErrorsTest {
  static List<String> errors(String yaml) {
    PolicyException e = catchThrowableOfType(PolicyException.class, () -> Policy.parse("p.yaml", yaml));
    assertThat(e).as("expected the policy to be refused").isNotNull();
    return e.errors();
  }

  @Test
  void everyErrorInAFileIsReportedInFileOrderWithItsPosition() {
    List<String> errors = errors("""
        version: 1
        default: maybe
        colour: red
        rules:
          - id: a
            principals: [alice, "ta?l"]
            servers: []
            tools: ["get_*", 5]
            effect: alow
            when: 'args.x + 1'
          - id: a
            principals: "*"
            effect: redact
            redact: [token, ""]
            rate: {calls: 0, per: 5d, burst: 2}
          - id: c
            principals: ["*"]
            effect: deny
            rate: {calls: 3, per: 1m}
            when: "tool"
            extra: 1
          - id: d
            effect: allow
          - principals: ["*"]
            effect: redact
        """);

    assertThat(errors).containsExactly(
        "p.yaml:2:10: 'default' must be 'deny' or 'allow'",
        "p.yaml:3:1: unknown key 'colour' in a policy (known: default, rules, version)",
        "p.yaml:6:25: bad pattern: '?' is not supported in patterns (only * is a wildcard): 'ta?l'",
        "p.yaml:7:14: 'servers' must list at least one pattern (an empty list never matches; leave the key out to"
            + " match all)",
        "p.yaml:8:22: 'tools' entries must be strings",
        "p.yaml:9:13: unknown effect 'alow' (use allow, deny, ask or redact)",
        "p.yaml:10:12: when: must give a bool, but gives int",
        "p.yaml:11:9: duplicate rule id 'a' (first used at p.yaml:5:9)",
        "p.yaml:14:14: 'token' is not a JSON pointer; write it like /token or /auth/password",
        "p.yaml:14:21: a redact pointer must name a part of the arguments, like /token (\"\" would mask them all)",
        "p.yaml:15:19: 'calls' must be a whole number from 1 to 10000",
        "p.yaml:15:27: 'per' must be a window like 30s, 1m or 2h, at most 24h",
        "p.yaml:15:31: unknown key 'burst' in 'rate' (known: calls, per)",
        "p.yaml:19:11: a 'rate' on a deny rule has no effect; put it on the rule that allows the calls",
        "p.yaml:20:12: when: must give a bool, but gives string",
        "p.yaml:21:5: unknown key 'extra' in a rule (known: effect, id, principals, rate, reason, redact, servers,"
            + " tools, when)",
        "p.yaml:22:5: a rule needs 'principals' (use [\"*\"] for everyone)",
        "p.yaml:24:5: a rule needs an 'id' (audit records and errors name it)",
        "p.yaml:24:5: a redact rule needs 'redact': the JSON pointers to mask, like [/token]");
  }

  @Test
  void celErrorsPointIntoTheExpressionWhereverTheYamlPutIt() {
    List<String> errors = errors("""
        version: 1
        rules:
          - {id: single, principals: ["*"], effect: allow, when: 'args.a == nope'}
          - {id: double, principals: ["*"], effect: allow, when: "args.a == nope"}
          - {id: plain, principals: ["*"], effect: allow, when: args.a == nope}
          - id: block
            principals: ["*"]
            effect: allow
            when: |
              args.a == 1 &&
                args.b ==
        """);

    assertThat(errors).hasSize(4);
    assertThat(errors.get(0)).startsWith("p.yaml:3:69: when: undeclared reference to 'nope'");
    assertThat(errors.get(1)).startsWith("p.yaml:4:69: when: undeclared reference to 'nope'");
    assertThat(errors.get(2)).startsWith("p.yaml:5:67: when: undeclared reference to 'nope'");
    // the parser stops at the end of the block: line 3 of the expression, which is past the file's last line
    assertThat(errors.get(3)).startsWith("p.yaml:").contains(": when: ").contains("mismatched input '<EOF>'");
  }

  @Test
  void celErrorOnALaterBlockLineMapsToThatFileLine() {
    List<String> errors = errors("""
        version: 1
        rules:
          - id: block
            principals: ["*"]
            effect: allow
            when: |
              args.a == 1 &&
                nope == 2
        """);

    assertThat(errors).containsExactly("p.yaml:8:9: when: undeclared reference to 'nope' (in container '')");
  }

  @Test
  void invalidYamlIsOneErrorWithItsPosition() {
    assertThat(errors("version: 1\nrules:\n  - id: [unclosed\n")).singleElement().asString()
        .startsWith("p.yaml:3:18: not valid YAML: while parsing a flow sequence");
  }

  @Test
  void duplicatedKeyIsRefusedRatherThanKeepingTheLast() {
    assertThat(errors("version: 1\nrules:\n  - id: a\n    principals: ['*']\n    effect: deny\n    effect: allow\n"))
        .singleElement().asString().startsWith("p.yaml:6:").contains("Duplicate Object property \"effect\"");
  }

  @Test
  void versionIsRequiredAndMustBeOne() {
    assertThat(errors("rules: []\n")).containsExactly(
        "p.yaml:1:1: 'version: 1' is required (it lets a later format change be detected)");
    assertThat(errors("version: 2\n")).containsExactly("p.yaml:1:10: 'version' must be 1");
    assertThat(errors("- a\n")).containsExactly(
        "p.yaml:1:1: a policy is a mapping with 'version: 1', 'default' and 'rules'");
  }

  @Test
  void boundsOnFileSizeRuleCountAndExpressionLength() {
    String big = "version: 1\n#" + "x".repeat(PolicyParser.MAX_BYTES) + "\n";
    StringBuilder many = new StringBuilder("version: 1\nrules:\n");
    for (int i = 0; i <= PolicyParser.MAX_RULES; i++) {
      many.append("  - {id: r").append(i).append(", principals: ['*'], effect: allow}\n");
    }
    String longWhen = "version: 1\nrules:\n  - {id: r, principals: ['*'], effect: allow, when: '"
        + "true && ".repeat(600) + "true'}\n";

    assertThat(errors(big)).containsExactly(
        "p.yaml: the policy is larger than 1 MiB; split it or remove unused rules");
    assertThat(errors(many.toString())).containsExactly(
        "p.yaml:3:3: a policy may hold at most 10000 rules, this one has 10001");
    assertThat(errors(longWhen)).containsExactly(
        "p.yaml:3:53: 'when' must be at most 4096 bytes; move logic into more rules");
  }

  @Test
  void rateNeedsBothFieldsAndAUnit() {
    assertThat(errors("""
        version: 1
        rules:
          - {id: r, principals: ['*'], effect: allow, rate: {per: 10}}
          - {id: s, principals: ['*'], effect: allow, rate: 5}
        """)).containsExactly(
        "p.yaml:3:53: 'calls' must be a whole number from 1 to 10000",
        "p.yaml:3:59: 'per' must be a window like 30s, 1m or 2h, at most 24h",
        "p.yaml:4:53: 'rate' must be a mapping like {calls: 10, per: 1m}");
  }
}
