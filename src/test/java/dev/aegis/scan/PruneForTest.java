package dev.aegis.scan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What {@link Prefilter#pruneFor} keeps for a first character. That the pruned patterns find what the whole ones
 * find is checked through {@link Finder} against RE2/J in {@code PrefilterTest} (hand-picked constructs, every
 * built-in pattern on its own words, random patterns).
 */
class PruneForTest {
  private static String prune(String regex, char c) {
    return Prefilter.compile(regex).pruneFor(c);
  }

  @Test
  void keepsOnlyTheAlternativesThatCanStartWithTheCharacter() {
    String regex = "\\b(steal\\w*|phish\\w*|(the )?secret|pass[- ]the[- ]hash)\\b";
    assertThat(prune(regex, 'p')).isEqualTo("\\b(phish\\w*|pass[- ]the[- ]hash)\\b");
    assertThat(prune(regex, 't')).isEqualTo("\\b((the )?secret)\\b");
    assertThat(prune(regex, 's')).isEqualTo("\\b(steal\\w*|(the )?secret)\\b");
    assertThat(prune(regex, 'x')).isNull();
  }

  @Test
  void keepsWhatCanMatchEmptyAndWhatFollowsARepeat() {
    assertThat(prune("a|b*|c", 'x')).isEqualTo("b*");
    assertThat(prune("(a|b)+c", 'b')).isEqualTo("(a|b)+c");
    assertThat(prune("(a|b)+c", 'c')).isNull();
    assertThat(prune("x?(a|b)", 'b')).isEqualTo("x?(a|b)");
    assertThat(prune("^\\s*(?:a|b)", ' ')).isEqualTo("^\\s*(?:a|b)");
    assertThat(prune("(?:x(a|b)|y)z", 'x')).isEqualTo("(?:x(a|b))z");
  }

  @Test
  void readsClassesAndEscapesExactly() {
    String regex = "[a-c]x|\\dy|[^q]z|\\.w|\\x41v|[\\w.]+@";
    assertThat(prune(regex, 'b')).isEqualTo("[a-c]x|[^q]z|[\\w.]+@");
    assertThat(prune(regex, '7')).isEqualTo("\\dy|[^q]z|[\\w.]+@");
    assertThat(prune(regex, '.')).isEqualTo("[^q]z|\\.w|[\\w.]+@");
    assertThat(prune(regex, 'A')).isEqualTo("[^q]z|\\x41v|[\\w.]+@");
    assertThat(prune(regex, 'q')).isEqualTo("[\\w.]+@");
  }

  @Test
  void aGroupAroundTheWholePatternKeepsItsText() {
    assertThat(prune("(?P<verb>read|write)s?", 'w')).isEqualTo("(?P<verb>write)s?");
    assertThat(prune("(read|write)", 'r')).isEqualTo("(read)");
  }
}
