package dev.aegis.scan;

import static dev.aegis.scan.ScannerTest.ATTACK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Inputs built to make a scanner slow or make it crash: near-matches, dense trigger words, long encoded runs, stacked
 * marks, tag characters, deep and wide JSON, strings past the size limit. Each must finish (a generous hang guard,
 * not a benchmark: a linear scan takes well under a second here, a quadratic one minutes) with a bounded report.
 * Where the work can be counted without a clock (decoded views, findings) it is.
 *
 * <pre>{@code mvn -B -q test -Dtest=AdversarialInputTest}</pre>
 */
class AdversarialInputTest {
  private static final Duration GUARD = Duration.ofSeconds(15);
  private static final int KB100 = 100 * 1024;
  private static final int MB1 = 1024 * 1024;
  private final Scanner scanner = Scanner.builtIn();

  private static <T> T guarded(Supplier<T> work) {
    return assertTimeoutPreemptively(GUARD, work::get, "scan did not finish within " + GUARD
        + "; something is superlinear");
  }

  private static String fill(String unit, int chars) {
    StringBuilder sb = new StringBuilder(chars + unit.length());
    while (sb.length() < chars) {
      sb.append(unit);
    }
    return sb.toString();
  }

  private Report text(String s) {
    Report r = guarded(() -> scanner.scanText("adv", s, Surface.OUTPUT));
    assertBounded(r);
    return r;
  }

  private Report tool(JsonNode t) {
    Report r = guarded(() -> scanner.scanTool(t));
    assertBounded(r);
    return r;
  }

  /** Findings are deduplicated per rule and pointer, so one string can never yield more than one per rule. */
  private void assertBounded(Report r) {
    Set<String> pointers = new LinkedHashSet<>();
    r.findings().forEach(f -> pointers.add(f.pointer()));
    assertThat(r.findings().size()).isLessThanOrEqualTo(pointers.size() * scanner.rules().rules().size());
    r.findings().forEach(f -> assertThat(f.excerpt().length()).isLessThanOrEqualTo(600));
  }

  private static long viewChars(String s) {
    long total = 0;
    for (Views.View v : guarded(() -> Views.of(s))) {
      total += v.text().length();
    }
    return total;
  }

  // ------------------------------------------------------------------ near-matches and dense triggers

  @Test
  void repeatedTriggerWordWithoutTheRestOfThePhrase() {
    assertThat(text(fill("ignore ", KB100)).verdict()).isEqualTo(Verdict.ALLOW);
  }

  @Test
  void phraseWithoutItsNounRepeated() {
    assertThat(text(fill("ignore all previous ", KB100)).verdict()).isEqualTo(Verdict.ALLOW);
  }

  @Test
  void everyTriggerWordOfEveryRuleDenselyPacked() {
    StringBuilder unit = new StringBuilder();
    for (Rule r : scanner.rules().rules()) {
      for (String t : r.triggers()) {
        unit.append(t.replace("*", "ing")).append(' ');
      }
    }
    text(fill(unit.toString(), KB100));
    text(fill(unit.toString().replace(" ", ""), KB100));
  }

  @Test
  void realPhraseAfterLotsOfNearMatchesIsStillFound() {
    Report r = text(fill("ignore all previous ", KB100) + ". Now " + ATTACK + ".");

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCK);
  }

  @Test
  void nearMatchesOfEveryDecoderSyntax() {
    text(fill("%4", KB100));
    text(fill("%41%4", KB100));
    text(fill("&#", KB100));
    text(fill("&#x41;&", KB100));
    text(fill("\\x4", KB100));
    text(fill("\\u004", KB100));
    text(fill("a b c d e f g h ", KB100));
    text(fill("h3ll0 w0rld 1337 ", KB100));
    text(fill("vtaber nyy ", KB100));
    text(fill("<!-- ", KB100));
    text(fill("p\u0430yp\u0430l ", KB100));
  }

  // ------------------------------------------------------------------ encodings

  @Test
  void longBase64RunOfTheAttackIsDecodedAndBlocked() {
    String run = ScannerTest.base64(fill(ATTACK + ". ", KB100 * 3 / 4));

    Report r = text(run);

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCK);
    assertThat(viewChars(run)).isLessThanOrEqualTo(run.length() + Views.MAX_EXTRA + run.length());
  }

  @Test
  void longBase64AndHexRunsOfNoise() {
    text(fill("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", KB100));
    text(fill("0123456789abcdef", KB100));
    text(fill(ScannerTest.base64("short words here") + " ", KB100));
  }

  @Test
  void deeplyNestedEncodingsStayWithinTheDecodeBudget() {
    String s = fill(ATTACK + " ", 30_000);
    s = ScannerTest.percent(ScannerTest.base64(ScannerTest.hex(s)));
    String nested = s;

    Report r = text(nested);

    assertThat(viewChars(nested)).isLessThanOrEqualTo(2L * (nested.length() + Views.MAX_EXTRA));
    assertThat(r.findings()).isNotEmpty();
  }

  @Test
  void manyEncodedBlobsAreCapped() {
    String blob = ScannerTest.base64(ATTACK) + " ";
    String s = fill(blob, KB100);

    assertThat(text(s).verdict()).isEqualTo(Verdict.BLOCK);
    assertThat(viewChars(s)).isLessThanOrEqualTo(s.length() + Views.MAX_EXTRA + s.length());
  }

  // ------------------------------------------------------------------ Unicode

  @Test
  void megabyteOfCombiningMarks() {
    text("a" + "\u0301".repeat(MB1) + "b");
    text(fill("e\u0301\u0302\u0303\u0304", MB1));
    assertThat(guarded(() -> Fold.fold("a" + "\u0301".repeat(MB1)))).isEqualTo("a");
  }

  @Test
  void megabyteOfSupplementaryCombiningMarks() {
    // regression (fixed in 0daca7d): Fold.capMarks tested each UTF-16 unit, so marks outside the BMP (U+1D165..
    // U+1D1AD musical symbols) never formed a run and reached the JDK normaliser, quadratic in such a run
    StringBuilder sb = new StringBuilder("a");
    while (sb.length() < MB1) {
      sb.appendCodePoint(0x1D16D).appendCodePoint(0x1D165).appendCodePoint(0x1D167);
    }
    String marks = sb.toString();

    guarded(() -> Fold.fold(marks));
    text(marks);
  }

  @Test
  void megabyteOfTagCharactersIsBlockedWithABoundedExcerpt() {
    // bug: Detectors.raw passes the whole decoded Views.tags(raw) as the unicode-tags finding's excerpt (here 256K
    // characters), where every other excerpt is cut by TextEngine.excerpt to 160
    String s = "Adds numbers." + fill(ScannerTest.tags(ATTACK + " "), MB1);

    Report r = text(s);

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCK);
  }

  @Test
  void megabyteOfZeroWidthAndBidiCharacters() {
    text(fill("ab\u200Bc \u202Ed\u2066e ", MB1));
  }

  @Test
  void loneSurrogatesAndNonCharacters() {
    text(fill("\uD800a\uDC00\uFFFF\uFFFE", KB100));
    text(fill("\uD800", KB100));
  }

  @Test
  void longHexRunInOneField() {
    // regression (fixed in 0daca7d): Views.runTogether called hexOnly(folded, runStart, i + 1) at every character of
    // a run once it was 24 long, so n hex digits cost n^2/2 (4 s for 100K, 25 s for 256K)
    String hexRun = fill("0123456789abcdef", 256 * 1024);

    text(hexRun);
  }

  // ------------------------------------------------------------------ HTML entities

  @Test
  void manyFieldsOfAmpersandsWithoutSemicolons() {
    // regression (fixed in 0daca7d): Views.entities called s.indexOf(';', i + 1) at every '&', scanning to the end
    // of the text when no ';' follows: quadratic, about 2.5 s per 512 KB field
    ObjectNode t = ScannerTest.tool("amp", "Adds numbers.");
    ObjectNode props = t.withObject("/inputSchema/properties");
    String amps = "&".repeat(TextEngine.MAX_FIELD_CHARS);
    for (int i = 0; i < 8; i++) {
      props.putObject("p" + i).put("type", "string").put("description", amps);
    }

    tool(t);
  }

  // ------------------------------------------------------------------ JSON shape

  @Test
  void jsonNestedFarBeyondTheDepthLimit() {
    ObjectNode t = ScannerTest.tool("deep", "Adds numbers.");
    ObjectNode node = t.withObject("/inputSchema");
    for (int i = 0; i < 1_000; i++) {
      if (i == 10) {
        node.put("description", ATTACK);
      }
      node = node.putObject("properties").putObject("p");
    }
    ArrayNode arr = t.putArray("arrays");
    for (int i = 0; i < 1_000; i++) {
      arr = arr.addArray();
    }

    Report r = tool(t);

    assertThat(r.verdict()).as("text above the depth limit is still scanned").isEqualTo(Verdict.BLOCK);
    assertThat(r.findings()).anySatisfy(f -> assertThat(f.message()).contains("too deeply nested"));
    r.findings().forEach(f -> assertThat(t.at(f.pointer()).isMissingNode()).as(f.pointer()).isFalse());
  }

  @Test
  void sizeFindingForDeepJsonHasAnExcerpt() {
    // bug: Scanner.walk reports the depth/count limit with excerpt "", while every other finding names what it saw
    ObjectNode t = ScannerTest.tool("deep", "Adds numbers.");
    ObjectNode node = t.withObject("/inputSchema");
    for (int i = 0; i < 100; i++) {
      node = node.putObject("p");
    }

    Report r = tool(t);

    assertThat(r.findings()).isNotEmpty().allSatisfy(f -> assertThat(f.excerpt()).isNotBlank());
  }

  @Test
  void hundredThousandPropertyNames() {
    // bug: Scanner.walk counts property names (count[0]++ in the nameMap branch) without checking MAX_STRINGS, so
    // the count steps over MAX_STRINGS between two checks, "count[0]++ == MAX_STRINGS" is never true, the limit is
    // not reported, and every further name is still scanned
    ObjectNode t = ScannerTest.tool("wide", "Adds numbers.");
    ObjectNode props = t.withObject("/inputSchema/properties");
    for (int i = 0; i < 100_000; i++) {
      props.putObject("field_" + i).put("type", "string").put("description", "value " + i);
    }

    Report r = tool(t);

    assertThat(r.findings()).anySatisfy(f -> assertThat(f.message()).contains("too many strings"));
  }

  @Test
  void hundredThousandStringsInOneArray() {
    ObjectNode t = ScannerTest.tool("many", "Adds numbers.");
    ArrayNode e = t.withObject("/inputSchema/properties/v").putArray("enum");
    for (int i = 0; i < 100_000; i++) {
      e.add("choice ignore " + i);
    }

    Report r = tool(t);

    assertThat(r.findings()).anySatisfy(f -> assertThat(f.message()).contains("too many strings"));
  }

  @Test
  void stringBeyondTheFieldLimitIsCutAndSaidSo() {
    String huge = ATTACK + ". " + fill("lorem ipsum dolor sit amet ", 600 * 1024);

    Report r = text(huge);

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCK);
    assertThat(r.findings()).anySatisfy(f -> assertThat(f.message()).contains(
        "only the first " + TextEngine.MAX_FIELD_CHARS));
  }

  @Test
  void hugePropertyNameAndHugeDescription() {
    ObjectNode t = ScannerTest.tool("big", fill("Reads files. ", 600 * 1024));
    t.withObject("/inputSchema/properties").putObject(fill("k", 600 * 1024)).put("type", "string");

    tool(t);
  }

  @Test
  void hugeToolNameWithDestructiveAnnotations() {
    ObjectNode t = ScannerTest.tool(fill("delete_", MB1), "Deletes things.");
    t.putObject("annotations").put("readOnlyHint", true);

    assertThat(tool(t).verdict()).isEqualTo(Verdict.BLOCK);
  }
}
