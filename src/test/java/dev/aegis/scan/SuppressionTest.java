package dev.aegis.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Accepted findings: a suppression removes exactly the findings of its rule, for subjects matching its glob, under
 * its pointer; it is counted in the report, and it cannot exist without a reason.
 *
 * <pre>{@code mvn -B -q test -Dtest=SuppressionTest}</pre>
 */
class SuppressionTest {
  private final ObjectNode tool = ScannerTest.tool("ssh_exec", "Runs a command.");
  private Finding finding;

  @BeforeEach
  void findTheFinding() {
    tool.withObject("/inputSchema/properties/path").put("description", ScannerTest.ATTACK);
    Report r = Scanner.builtIn().scanTool(tool);
    assertThat(r.verdict()).isEqualTo(Verdict.BLOCK);
    finding = r.worst();
  }

  private Report scanWith(Suppression... sups) {
    return new Scanner(RuleSet.builtIn().withSuppressions(List.of(sups)), Thresholds.DEFAULT).scanTool(tool);
  }

  private void assertAllSuppressed(Report r) {
    assertThat(r.findings()).extracting(Finding::ruleId).doesNotContain(finding.ruleId());
    assertThat(r.suppressed()).isPositive();
  }

  private void assertNotSuppressed(Report r) {
    assertThat(r.findings()).extracting(Finding::ruleId).contains(finding.ruleId());
    assertThat(r.verdict()).isEqualTo(Verdict.BLOCK);
  }

  @Test
  void suppressionByRuleRemovesItsFindings() {
    Report r = scanWith(new Suppression(finding.ruleId(), null, null, "accepted in review"));

    assertAllSuppressed(r);
  }

  @Test
  void subjectGlobMustMatchTheToolName() {
    assertAllSuppressed(scanWith(new Suppression(finding.ruleId(), "ssh_*", null, "our ssh server")));
    assertNotSuppressed(scanWith(new Suppression(finding.ruleId(), "git_*", null, "other server")));
  }

  @Test
  void pointerPrefixMustMatchWhereTheFindingIs() {
    assertAllSuppressed(scanWith(new Suppression(finding.ruleId(), null, "/inputSchema", "schema text reviewed")));
    assertNotSuppressed(scanWith(new Suppression(finding.ruleId(), null, "/description", "only the description")));
  }

  @Test
  void suppressionOfAnotherRuleLeavesTheFinding() {
    assertNotSuppressed(scanWith(new Suppression("AEG-NO-SUCH-RULE", null, null, "unrelated")));
  }

  @Test
  void wildcardRuleSuppressesEverythingForTheSubject() {
    Report r = scanWith(new Suppression("*", "ssh_exec", null, "vendored tool, audited"));

    assertThat(r.findings()).isEmpty();
    assertThat(r.verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(r.suppressed()).isPositive();
  }

  @Test
  void suppressionsFromARuleFileApply() {
    RuleSet rules = RuleSet.builtIn().with(RuleSet.parse("s.yaml", "suppressions:\n  - rule: " + finding.ruleId()
        + "\n    subject: 'ssh_*'\n    pointer: /inputSchema\n    reason: reviewed on 2026-11-01\n"));

    Report r = new Scanner(rules, Thresholds.DEFAULT).scanTool(tool);

    assertAllSuppressed(r);
    assertThat(rules.suppressions()).singleElement().satisfies(s -> assertThat(s.reason()).contains("reviewed"));
  }

  @Test
  void suppressionNeedsRuleAndReason() {
    assertThatThrownBy(() -> new Suppression("AEG-PI-001", null, null, " "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reason");
    assertThatThrownBy(() -> new Suppression(null, null, null, "why"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rule id");
  }

  @Test
  void globMatchesStarsAnywhere() {
    assertThat(Suppression.glob("ssh_*", "ssh_exec")).isTrue();
    assertThat(Suppression.glob("*_file", "read_file")).isTrue();
    assertThat(Suppression.glob("re*_f*e", "read_file")).isTrue();
    assertThat(Suppression.glob("*", "")).isTrue();
    assertThat(Suppression.glob("ssh_*", "git_exec")).isFalse();
    assertThat(Suppression.glob("read_file", "read_files")).isFalse();
    assertThat(Suppression.glob("a*a*a*b", "a".repeat(5_000))).isFalse();
  }
}
