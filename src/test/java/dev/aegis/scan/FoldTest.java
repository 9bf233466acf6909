package dev.aegis.scan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@link Fold} gives rules one canonical text: look-alikes, width, accents, invisible characters and case folded away;
 * real non-Latin words and line structure kept.
 *
 * <pre>{@code mvn -B -q test -Dtest=FoldTest}</pre>
 */
class FoldTest {
  @Test
  void asciiIsLowerCasedWithSpaceRunsCollapsed() {
    assertThat(Fold.fold("Ignore   ALL\t previous")).isEqualTo("ignore all previous");
  }

  @Test
  void newlinesSurviveSoRulesCanStopAtThem() {
    assertThat(Fold.fold("first line  \n\n  second")).isEqualTo("first line\nsecond");
  }

  @Test
  void fullwidthAndMathematicalLettersBecomeAscii() {
    assertThat(Fold.fold("\uFF29\uFF47\uFF4E\uFF4F\uFF52\uFF45")).isEqualTo("ignore");
    assertThat(Fold.fold("\uD835\uDC22\uD835\uDC20\uD835\uDC27\uD835\uDC28\uD835\uDC2B\uD835\uDC1E"))
        .isEqualTo("ignore");
  }

  @Test
  void accentsAreRemovedFromLatinLetters() {
    assertThat(Fold.fold("ïgnöré àll prévïöüs")).isEqualTo("ignore all previous");
  }

  @Test
  void combiningAccentsAreRemovedToo() {
    assertThat(Fold.fold("i\u0308gno\u0301re")).isEqualTo("ignore");
  }

  @Test
  void zeroWidthAndFormatCharactersInsideWordsVanish() {
    assertThat(Fold.fold("ig\u200Bno\u200Cre\u2060 al\u00ADl")).isEqualTo("ignore all");
  }

  @Test
  void cyrillicLookAlikesInALatinWordFoldToAscii() {
    assertThat(Fold.fold("\u0456gn\u043Er\u0435 \u0430ll")).isEqualTo("ignore all");
  }

  @Test
  void realCyrillicAndGreekWordsAreLeftAsTheyAre() {
    assertThat(Fold.fold("Привет мир")).isEqualTo("привет мир");
    assertThat(Fold.fold("Καλημέρα")).startsWith("καλημ");
  }

  @Test
  void longRunsOfCombiningMarksAreCapped() {
    String zalgo = "a" + "\u0301".repeat(10_000) + "b";

    assertThat(Fold.capMarks(zalgo).length()).isLessThan(40);
    assertThat(Fold.fold(zalgo)).isEqualTo("ab");
  }

  @Test
  void foldIsIdempotentOnItsOwnOutput() {
    String once = Fold.fold("Ｉgnörе\u200B  ALL Прив\u0435т <b>X</b>");

    assertThat(Fold.fold(once)).isEqualTo(once);
  }

  @Test
  void invisibleKnowsFormatCharactersAndFillers() {
    assertThat(Fold.invisible(0x200B)).isTrue();
    assertThat(Fold.invisible(0xE0041)).isTrue();
    assertThat(Fold.invisible(0x3164)).isTrue();
    assertThat(Fold.invisible('a')).isFalse();
    assertThat(Fold.invisible(0x00E9)).isFalse();
  }

  @Test
  void latinBaseStripsOnlyLatinAccents() {
    assertThat(Fold.latinBase('é')).isEqualTo('e');
    assertThat(Fold.latinBase('ß')).isEqualTo(-1);
    assertThat(Fold.latinBase(0x0430)).isEqualTo(-1);
  }
}
