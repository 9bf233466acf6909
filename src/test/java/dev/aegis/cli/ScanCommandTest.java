package dev.aegis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code aegis scan} offline: the JSON shapes, streaming texts, exit codes and baselines, run through picocli. */
class ScanCommandTest {
  @TempDir
  Path tmp;

  record Run(int code, String out, String err) {
    JsonNode json() {
      return JsonMapper.shared().readTree(out);
    }
  }

  Run scan(String... args) throws IOException {
    Path out = tmp.resolve("out-" + System.nanoTime());
    ScanCommand cmd = new ScanCommand();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    cmd.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    List<String> all = new ArrayList<>(List.of(args));
    all.add(0, out.toString());
    all.add(0, "--output");
    CommandLine cli = new CommandLine(cmd);
    cli.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
    int code = cli.execute(all.toArray(String[]::new));
    String text = Files.exists(out) ? Files.readString(out) : "";
    return new Run(code, text, err.toString(StandardCharsets.UTF_8));
  }

  static String resource(String name) {
    try {
      return Path.of(ScanCommandTest.class.getResource("/scan/" + name).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tools-list.json", "tools-array.json", "tools-response.json"})
  void toolsFileGivesOneEntryPerToolInInputOrder(String file) throws IOException {
    Run r = scan("--tools", resource(file), "--format", "json");

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode root = r.json();
    assertThat(root.propertyNames()).containsExactly("tools");
    List<String> names = new ArrayList<>();
    root.get("tools").forEach(t -> names.add(t.get("name").asString()));
    assertThat(names).containsExactly("zeta_echo", "add", "alpha_time");
    for (JsonNode t : root.get("tools")) {
      assertThat(t.propertyNames()).containsExactly("name", "verdict", "findings");
      for (JsonNode f : t.get("findings")) {
        assertThat(f.propertyNames()).containsExactly("rule", "severity", "pointer", "excerpt", "message");
      }
    }
    JsonNode add = root.get("tools").get(1);
    assertThat(add.get("verdict").asString()).isEqualTo("block");
    assertThat(add.get("findings").get(0).get("pointer").asString()).isEqualTo("/description");
    assertThat(root.get("tools").get(0).get("verdict").asString()).isEqualTo("allow");
  }

  @Test
  void textsGiveOneLinePerInputInOrder() throws IOException {
    Run r = scan("--texts", resource("texts.jsonl"), "--format", "json");

    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(3);
    List<JsonNode> recs = lines.stream().map(l -> JsonMapper.shared().readTree(l)).toList();
    assertThat(recs).extracting(n -> n.get("id").asString()).containsExactly("t1", "t2", "t3");
    assertThat(recs.get(0).propertyNames()).containsExactly("id", "verdict", "findings");
    assertThat(recs.get(0).get("verdict").asString()).isEqualTo("allow");
    assertThat(recs.get(1).get("verdict").asString()).isEqualTo("block");
    assertThat(recs.get(1).get("findings").size()).isPositive();
  }

  @Test
  void badTextLineNamesFileAndLineAfterTheGoodLinesStreamedOut() throws IOException {
    String file = resource("texts-bad.jsonl");
    Run r = scan("--texts", file, "--format", "json");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(file + ":3: not JSON").doesNotContain("Exception");
    assertThat(r.out().lines()).hasSize(2);
  }

  @Test
  void notJsonToolsFileIsAClearInputError() throws IOException {
    Path f = Files.writeString(tmp.resolve("tools.json"), "tools:\n  - name: x\n");
    Run r = scan("--tools", f.toString(), "--format", "json");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(f + ":1:1: not JSON").doesNotContain("Exception");
  }

  @Test
  void toolsFileOfTheWrongShapeSaysWhatIsExpected() throws IOException {
    Path f = Files.writeString(tmp.resolve("tools.json"), "{\"servers\": []}");
    Run r = scan("--tools", f.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("expected a JSON array of tools");
  }

  @Test
  void failOnExitsOneOnlyWhenAFindingReachesIt() throws IOException {
    assertThat(scan("--tools", resource("tools-list.json"), "--fail-on", "high").code()).isEqualTo(1);
    assertThat(scan("--tools", resource("tools-list.json")).code()).isZero();
    assertThat(scan("--tools", resource("tools-clean.json"), "--fail-on", "info").code()).isZero();
    assertThat(scan("--texts", resource("texts.jsonl"), "--fail-on", "medium").code()).isEqualTo(1);
  }

  @Test
  void badOptionValuesExitTwo() throws IOException {
    Run r = scan("--tools", resource("tools-list.json"), "--fail-on", "severe");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--fail-on").contains("unknown severity 'severe'");
    assertThat(scan("--tools", resource("tools-list.json"), "--format", "xml").code()).isEqualTo(2);
    assertThat(scan("--tools", resource("tools-list.json"), "--texts", resource("texts.jsonl")).code()).isEqualTo(2);
    assertThat(scan("--tools", resource("tools-list.json"), "--warn-at", "high", "--block-at", "low").code())
        .isEqualTo(2);
  }

  @Test
  void ruleFileErrorsAreShownAndExitTwo() throws IOException {
    Run r = scan("--tools", resource("tools-list.json"), "--rules", resource("bad-rules.yaml"));

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("bad-rules.yaml").contains("USER-001").doesNotContain("Exception");
  }

  @Test
  void baselineRoundTripSilencesTheAcceptedFindings() throws IOException {
    Path baseline = tmp.resolve("baseline.json");
    Run first = scan("--tools", resource("tools-list.json"), "--write-baseline", baseline.toString(),
        "--fail-on", "low");
    assertThat(first.code()).isEqualTo(1);
    JsonNode written = JsonMapper.shared().readTree(Files.readString(baseline));
    assertThat(written.get("suppressions").size()).isPositive();
    JsonNode entry = written.get("suppressions").get(0);
    assertThat(entry.get("subject").asString()).isEqualTo("tools-list.json/add");
    assertThat(entry.get("reason").asString()).isEqualTo("accepted in baseline");
    assertThat(entry.has("rule")).isTrue();
    assertThat(entry.get("pointer").asString()).startsWith("/");

    Run second = scan("--tools", resource("tools-list.json"), "--baseline", baseline.toString(),
        "--fail-on", "info", "--format", "json");

    assertThat(second.code()).as(second.err()).isZero();
    JsonNode add = second.json().get("tools").get(1);
    assertThat(add.get("findings").size()).isZero();
    assertThat(add.get("verdict").asString()).isEqualTo("allow");
    assertThat(add.get("suppressed").asInt()).isEqualTo(written.get("suppressions").size());
  }

  @Test
  void baselineOfAnotherServerSilencesNothing() throws IOException {
    Path baseline = tmp.resolve("baseline.json");
    scan("--tools", resource("tools-list.json"), "--write-baseline", baseline.toString());
    Run r = scan("--tools", resource("tools-list.json"), "--name", "other", "--baseline", baseline.toString(),
        "--fail-on", "high");

    assertThat(r.code()).isEqualTo(1);
  }

  @Test
  void malformedBaselineIsAnInputError() throws IOException {
    Path baseline = Files.writeString(tmp.resolve("b.json"),
        "{\"version\":1,\"suppressions\":[{\"rule\":\"AEG-PI-001\",\"subject\":\"x\",\"reason\":\"\"}]}");
    Run r = scan("--tools", resource("tools-list.json"), "--baseline", baseline.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(baseline + ": suppressions[0]");
  }

  @Test
  void textFormatGroupsFindingsUnderTheToolWithASummary() throws IOException {
    Run r = scan("--tools", resource("tools-list.json"));

    assertThat(r.out()).contains("server tools-list.json").contains("tool add: BLOCK").contains("/description")
        .contains("«").contains("2 more scanned with no findings").contains("3 scanned: 1 block, 0 warn, 2 allow");
  }
}
