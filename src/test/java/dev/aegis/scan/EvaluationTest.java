package dev.aegis.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The quality bar, measured on the labelled data beside the repository ({@code ../shared/data}): recall
 * of at least 0.95 on malicious definitions and outputs, at most 2% false alarms on benign ones. Skipped where the
 * data is not present (it is in CI).
 */
class EvaluationTest {
  private static final Path DATA = Path.of("..", "shared", "data");

  @Test
  void meetsRecallAndFalseAlarmTargetsOnTheLabelledData() throws Exception {
    Path defs = DATA.resolve("tool-definitions.dev.jsonl");
    Path outs = DATA.resolve("tool-outputs.dev.jsonl");
    assumeTrue(Files.exists(defs) && Files.exists(outs), "labelled data not found at " + DATA.toAbsolutePath());
    Evaluation.Result r = Evaluation.run(Scanner.builtIn(), defs, outs);
    r.print(System.out, false);
    assertThat(r.recall("tool-definitions.dev.jsonl")).isGreaterThanOrEqualTo(0.95);
    assertThat(r.recall("tool-outputs.dev.jsonl")).isGreaterThanOrEqualTo(0.95);
    assertThat(r.falsePositiveRate("tool-definitions.dev.jsonl")).isLessThanOrEqualTo(0.02);
    assertThat(r.falsePositiveRate("tool-outputs.dev.jsonl")).isLessThanOrEqualTo(0.02);
  }
}
