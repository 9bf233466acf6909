package dev.aegis.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The scanner's fast paths give exactly what the general paths give: {@link Fold#foldPlain} (ASCII text with plain
 * punctuation, symbols, spaces and invisible characters) against {@link Fold#foldGeneral} (NFKC, word by word), on
 * every character the fast path accepts, on random texts mixing them with ASCII, and on every string of the dev sets
 * when {@code ../shared/data} is there; and the one pass over an ASCII text for decoder marks and text shape against
 * the two passes ({@link Views#describe}).
 *
 * <pre>{@code mvn -B -q test -Dtest=FastPathTest}</pre>
 */
class FastPathTest {
  private static final Path DATA = Path.of("../shared/data");
  private static final String ASCII = "aAbBzZ09 \n\t\r  .,;:-_'\"`<>[]()/\\%&#!?@$*+=~|{}\u0000\u001F\u007F";

  @Test
  void everyPlainCharacterFoldsAsTheGeneralPathFoldsIt() {
    List<Character> plain = plainCharacters();
    assertThat(plain).hasSizeGreaterThan(1000);
    String[] contexts = {"%s", "a%sb", "A%sB", "a %s b", "%s%s", "x\n%s\ny", " %s ", "%s\n", "1%s2", "<%s>"};
    for (char c : plain) {
      for (String ctx : contexts) {
        String s = ctx.replace("%s", String.valueOf(c));
        assertThat(Fold.fold(s)).as("U+%04X in %s", (int) c, ctx).isEqualTo(Fold.foldGeneral(s));
      }
    }
  }

  @Test
  void randomTextsOfAsciiAndPlainCharactersFoldAsTheGeneralPathFoldsThem() {
    List<Character> plain = plainCharacters();
    Random random = new Random(20261124);
    for (int n = 0; n < 20_000; n++) {
      StringBuilder sb = new StringBuilder();
      int len = random.nextInt(40);
      for (int i = 0; i < len; i++) {
        int pick = random.nextInt(10);
        sb.append(pick < 3 ? plain.get(random.nextInt(plain.size())) : ASCII.charAt(random.nextInt(ASCII.length())));
      }
      String s = sb.toString();
      assertThat(Fold.fold(s)).as("%s", escape(s)).isEqualTo(Fold.foldGeneral(s));
    }
  }

  @Test
  void devStringsFoldAsTheGeneralPathFoldsThem() throws IOException {
    for (String s : devStrings()) {
      assertThat(Fold.fold(s)).as("%s", escape(s)).isEqualTo(Fold.foldGeneral(s));
    }
  }

  @Test
  void textsWithOtherCharactersTakeTheGeneralPath() {
    assertThat(Fold.foldPlain("caf\u00E9", 3)).isNull();
    assertThat(Fold.foldPlain("a\u0301", 1)).isNull();
    assertThat(Fold.foldPlain("\uFF21", 0)).isNull();
    assertThat(Fold.foldPlain("x \uD83D\uDC33", 2)).isNull();
    assertThat(Fold.foldPlain("A \u2014 b\u200B c", 2)).isEqualTo("a \u2014 b c")
        .isEqualTo(Fold.foldGeneral("A \u2014 b\u200B c"));
  }

  @Test
  void onePassMarksAndShapeAgreeWithTheTwoPassesOnRandomAsciiTexts() {
    String alphabet = "aAbBgGrRnNqQvVfFzZ0134579@$%&\\+/=_-. \n\t\r\u000B\u001C";
    String[] words = {"gur", "Naq", "vf", "lbh", "the", "AND", "1gn0r3", "4ll", "p@$$", "%41%42", "&amp;", "\\x41",
        "SWdub3JlIGFsbCBwcmV2aW91cw==", "abcdefabcdefabcdefabcdef", "i g n o r e", "  \n\n  "};
    Random random = new Random(7);
    for (int n = 0; n < 20_000; n++) {
      StringBuilder sb = new StringBuilder();
      int len = random.nextInt(80);
      for (int k = 0; k < len; k++) {
        sb.append(random.nextInt(5) == 0 ? words[random.nextInt(words.length)]
            : String.valueOf(alphabet.charAt(random.nextInt(alphabet.length()))));
      }
      String s = sb.toString();
      assertThat(Views.describe(s, true)).as("%s", escape(s)).isEqualTo(Views.describe(s, false));
    }
  }

  @Test
  void onePassMarksAndShapeAgreeWithTheTwoPassesOnAsciiDevStrings() throws IOException {
    for (String s : devStrings()) {
      if (s.chars().allMatch(c -> c < 0x80)) {
        assertThat(Views.describe(s, true)).as("%s", escape(s)).isEqualTo(Views.describe(s, false));
      }
    }
  }

  static List<Character> plainCharacters() {
    List<Character> out = new ArrayList<>();
    for (char c = 0x80; c < 0xFFFF; c++) {
      if (Fold.plainKind(c) != 0) {
        out.add(c);
      }
    }
    return out;
  }

  /** Every string (keys included) of the dev sets' tool definitions and outputs; empty without the data. */
  static List<String> devStrings() throws IOException {
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(DATA)) {
      return out;
    }
    for (String file : List.of("tool-definitions.dev.jsonl", "tool-outputs.dev.jsonl")) {
      Path p = DATA.resolve(file);
      if (Files.isRegularFile(p)) {
        for (JsonNode rec : ReportDump.lines(p)) {
          ReportDump.strings(rec, out);
        }
      }
    }
    return out;
  }

  static String escape(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      sb.append(c < 0x20 || c >= 0x7F ? String.format("\\u%04X", (int) c) : String.valueOf(c));
    }
    return sb.toString();
  }
}
