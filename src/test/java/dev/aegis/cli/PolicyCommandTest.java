package dev.aegis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code aegis policy test} through picocli: one line per case and the exit code a CI job checks. */
class PolicyCommandTest {
  static final String POLICY = """
      version: 1
      rules:
        - {id: no-delete, principals: ["*"], tools: ["delete_*"], effect: deny}
        - id: acme-read
          principals: ["group:readers"]
          servers: [github]
          tools: ["get_*"]
          when: 'args.repo.startsWith("acme/") && !("untrusted" in session.labels)'
          effect: allow
      """;

  @TempDir
  Path tmp;

  record Run(int code, String out, String err) {}

  Run run(String policy, String cases) throws IOException {
    Path p = Files.writeString(tmp.resolve("policy.yaml"), policy);
    Path c = Files.writeString(tmp.resolve("cases.yaml"), cases);
    PolicyCommand.Test test = new PolicyCommand.Test();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    test.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    test.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    CommandLine cli = new CommandLine(new PolicyCommand()).addSubcommand("test", test);
    int code = cli.execute("test", p.toString(), c.toString());
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void allCasesPassingExitsZeroWithOneLinePerCase() throws IOException {
    Run r = run(POLICY, """
        cases:
          - {name: reader reads acme, principal: bob, groups: [readers], server: github, tool: get_issue,
             args: {repo: acme/app}, expect: allow, rule: acme-read}
          - {name: tainted session, principal: bob, groups: [readers], server: github, tool: get_issue,
             args: {repo: acme/app}, labels: [untrusted], expect: deny, rule: default}
          - {name: nobody deletes, principal: root, server: github, tool: delete_repo, expect: deny}
        """);

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines()).containsExactly(
        "PASS reader reads acme: allow (rule acme-read)",
        "PASS tainted session: deny (rule default)",
        "PASS nobody deletes: deny (rule no-delete)",
        "3 passed, 0 failed");
  }

  @Test
  void aFailingCaseExitsOneAndSaysWhatHappenedInstead() throws IOException {
    Run r = run(POLICY, """
        cases:
          - {name: outsider reads, principal: eve, server: github, tool: get_issue, args: {repo: acme/app},
             expect: allow}
          - {name: wrong rule, principal: root, server: github, tool: delete_repo, expect: deny, rule: acme-read}
        """);

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out().lines()).containsExactly(
        "FAIL outsider reads: expected allow, got deny (rule default): no rule matched; the policy's default is deny",
        "FAIL wrong rule: expected deny (rule acme-read), got deny (rule no-delete): rule no-delete",
        "0 passed, 2 failed");
  }

  @Test
  void brokenPolicyExitsTwoWithPositions() throws IOException {
    Run r = run("version: 1\nrules:\n  - {id: a, principals: ['*'], effect: allow, when: 'args.x +'}\n",
        "cases: []\n");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith(tmp.resolve("policy.yaml") + ":3:").contains("when: ");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void brokenCasesExitTwoWithPositions() throws IOException {
    Run r = run(POLICY, """
        cases:
          - {name: a, principal: bob, server: github, tool: t, expect: allwo}
          - {name: b, server: github, tool: t, expect: deny, colour: red}
        """);

    assertThat(r.code()).isEqualTo(2);
    Path cases = tmp.resolve("cases.yaml");
    assertThat(r.err().lines()).containsExactly(
        cases + ":2:56: 'expect' must be allow, deny, ask or redact",
        cases + ":3:54: unknown key 'colour' in a case",
        cases + ":3:5: a case needs 'principal'");
  }
}
