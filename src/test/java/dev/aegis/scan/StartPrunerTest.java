package dev.aegis.scan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What {@link StartPruner} keeps for a first character. That the pruned patterns find what the whole ones find is
 * checked through {@link Finder} against RE2/J in {@code PrefilterTest} (hand-picked constructs, every built-in
 * pattern on its own words, random patterns).
 */
class StartPrunerTest {
  @Test
  void keepsOnlyTheAlternativesThatCanStartWithTheCharacter() {
    StartPruner p = StartPruner.parse("\\b(steal\\w*|phish\\w*|(the )?secret|pass[- ]the[- ]hash)\\b");
    assertThat(p.pruneFor('p')).isEqualTo("\\b(phish\\w*|pass[- ]the[- ]hash)\\b");
    assertThat(p.pruneFor('t')).isEqualTo("\\b((the )?secret)\\b");
    assertThat(p.pruneFor('s')).isEqualTo("\\b(steal\\w*|(the )?secret)\\b");
    assertThat(p.pruneFor('x')).isNull();
  }

  @Test
  void keepsWhatCanMatchEmptyAndWhatFollowsARepeat() {
    assertThat(StartPruner.parse("a|b*|c").pruneFor('x')).isEqualTo("b*");
    assertThat(StartPruner.parse("(a|b)+c").pruneFor('b')).isEqualTo("(a|b)+c");
    assertThat(StartPruner.parse("(a|b)+c").pruneFor('c')).isNull();
    assertThat(StartPruner.parse("x?(a|b)").pruneFor('b')).isEqualTo("x?(a|b)");
    assertThat(StartPruner.parse("^\\s*(?:a|b)").pruneFor(' ')).isEqualTo("^\\s*(?:a|b)");
  }

  @Test
  void readsClassesAndEscapes() {
    StartPruner p = StartPruner.parse("[a-c]x|\\dy|[^q]z|\\.w|\\x41v|[\\w.]+@");
    // \x41 is read as any character (not modelled), so it is always kept.
    assertThat(p.pruneFor('b')).isEqualTo("[a-c]x|[^q]z|\\x41v|[\\w.]+@");
    assertThat(p.pruneFor('7')).isEqualTo("\\dy|[^q]z|\\x41v|[\\w.]+@");
    assertThat(p.pruneFor('.')).isEqualTo("[^q]z|\\.w|\\x41v|[\\w.]+@");
    assertThat(p.pruneFor('!')).isEqualTo("[^q]z|\\x41v");
  }

  @ParameterizedTest
  @ValueSource(strings = {"(?i)ab", "(?i:a)b", "\\Qa|b\\E", "a{01}", "a{x}", "\\1", "(ab", "a)", "*a", "[a"})
  void syntaxItDoesNotModelGivesNoPruner(String regex) {
    assertThat(StartPruner.parse(regex)).isNull();
  }
}
