package dev.aegis.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.nio.CharBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@link Backtracker} must find exactly the match RE2/J's {@code find} finds, start and end, in any window and
 * from any start: checked here directly (without the prefilter in front, which would hide most positions from it),
 * on hand-picked priority cases and on random patterns.
 */
class BacktrackerTest {
  private static Backtracker of(String regex) {
    return Backtracker.of(Prefilter.compile(regex));
  }

  /** RE2/J's answer for the window {@code text[ws, we)} from {@code from}, in text coordinates. */
  private static int[] re2j(String regex, String text, int ws, int we, int from) {
    Matcher m = Pattern.compile(regex).matcher(CharBuffer.wrap(text, ws, we));
    return m.find(from - ws) ? new int[] {ws + m.start(), ws + m.end()} : null;
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "a|ab; xab; 1; 2",
      "ab|a; xab; 1; 3",
      "(a|ab)(c|bcd); abcd; 0; 4",
      "x{2,4}; xxxxx; 0; 4",
      "x{2,4}?; xxxxx; 0; 2",
      "a*?b; aaab; 0; 4",
      "a+?; aaa; 0; 1",
      "(a|b)*?a; bba; 0; 3",
      "\\bsend\\b[^.\\n]{0,20}\\bkeys?\\b; please send me the keys now; 7; 23",
      "a.b; a\uD83D\uDE00b; 0; 4",
      "\\w+$; ab cd; 3; 5"})
  void choosesTheMatchRe2jChooses(String regex, String text, int start, int end) {
    assertThat(of(regex).find(text, 0, text.length(), 0)).isEqualTo(new int[] {start, end});
    assertThat(re2j(regex, text, 0, text.length(), 0)).isEqualTo(new int[] {start, end});
  }

  @Test
  void readsTheWindowAsATextOfItsOwn() {
    // \b and ^ at the window's start, $ at its end, whatever the characters around it.
    String text = "xabx";
    assertThat(of("\\bab\\b").find(text, 1, 3, 1)).isEqualTo(new int[] {1, 3});
    assertThat(of("^ab$").find(text, 1, 3, 1)).isEqualTo(new int[] {1, 3});
    assertThat(of("\\bab\\b").find(text, 0, 4, 0)).isNull();
    assertThat(of("[^.]{0,3}y").find("aaay", 0, 3, 0)).isNull();
  }

  @Test
  void aGapLongerThanItsBoundDoesNotMatch() {
    String regex = "\\bsend\\b[^.\\n]{0,10}\\bkeys\\b";
    assertThat(of(regex).find("send the keys", 0, 13, 0)).isEqualTo(new int[] {0, 13});
    assertThat(of(regex).find("send all of the old keys", 0, 24, 0)).isNull();
    assertThat(of(regex).find("send it. keys", 0, 13, 0)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"(a?)*", "(a|)+x", "(\\b)*a", "(a*)+", "(?:){2,}"})
  void aRepeatThatCanMatchEmptyIsLeftToRe2j(String regex) {
    assertThat(of(regex)).isNull();
    // The Finder still answers, through RE2/J.
    Finder f = Finder.of(Pattern.compile(regex));
    assertThat(f.find("bax", null, 0, 3, 0)).isEqualTo(re2j(regex, "bax", 0, 3, 0));
  }

  @Test
  void aWindowTooLargeForTheVisitedSetIsLeftToRe2j() {
    String regex = "[^.]{0,900}x";
    String text = "a".repeat(5000) + "x";
    assertThat(of(regex).find(text, 0, text.length(), 0)).isSameAs(Backtracker.TOO_BIG);
    assertThat(Finder.of(Pattern.compile(regex)).find(text, null, 0, text.length(), 0))
        .isEqualTo(re2j(regex, text, 0, text.length(), 0));
  }

  @Test
  void staysWithinItsBoundOnPathologicalInput() {
    // Exponential for a naive backtracker; here each (instruction, position) is visited once.
    String regex = "(a|aa)+(b|ab)";
    String text = "a".repeat(20_000);
    assertThat(of(regex).find(text, 0, text.length(), 0)).isNull();
    assertThat(of(regex).find(text + "b", 0, text.length() + 1, 0)).isEqualTo(new int[] {0, 20_001});
  }

  @Test
  void randomPatternsAgreeWithRe2jInEveryWindowAndFromEveryStart() {
    Random random = new Random(23);
    int checked = 0;
    int matched = 0;
    for (int i = 0; i < 3000; i++) {
      String regex = PrefilterTest.randomRegex(random, 3);
      if (random.nextInt(3) == 0) {
        regex = regex.replace("*", "*?").replace("+", "+?").replace("}", "}?").replace("???", "??");
      }
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        continue;
      }
      Backtracker b = of(regex);
      if (b == null) {
        continue;
      }
      for (int t = 0; t < 20; t++) {
        String text = PrefilterTest.randomText(random, 14);
        int ws = random.nextInt(text.length() + 1);
        int we = ws + random.nextInt(text.length() - ws + 1);
        for (int from = ws; from <= we; from++) {
          if (from > ws && from < we && Character.isLowSurrogate(text.charAt(from))) {
            continue;
          }
          int[] expected = re2j(regex, text, ws, we, from);
          assertThat(b.find(text, ws, we, from)).as("%s on \"%s\" window [%d, %d) from %d", regex, text, ws, we, from)
              .isEqualTo(expected);
          checked++;
          matched += expected != null ? 1 : 0;
        }
      }
    }
    assertThat(checked).isGreaterThan(50_000);
    assertThat(matched).isGreaterThan(checked / 10);
  }
}
