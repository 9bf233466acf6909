package dev.aegis.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UCharacterCategory;
import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.text.SpoofChecker;
import com.ibm.icu.util.VersionInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link Confusables} against ICU4J, which is a test-only dependency.
 *
 * <p>Regenerate the data file after an ICU upgrade with
 * {@code mvn -q test -Dtest=ConfusablesTest -Daegis.regenerate=true}.
 */
class ConfusablesTest {
  private static final Path DATA =
      Path.of("src/main/resources/dev/aegis/scan", Confusables.RESOURCE);
  private static final SpoofChecker SPOOF = new SpoofChecker.Builder().build();

  @Test
  void committedDataIsWhatIcuGeneratesNow() throws IOException {
    String generated = generate();
    if (Boolean.getBoolean("aegis.regenerate")) {
      Files.writeString(DATA, generated, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(DATA, StandardCharsets.UTF_8))
        .as("%s is stale; regenerate with -Daegis.regenerate=true", DATA)
        .isEqualTo(generated);
  }

  @Test
  void cyrillicAImitatesLatinA() {
    assertThat(Confusables.skeleton("p\u0430ypal")).isEqualTo(Confusables.skeleton("paypal"));
    assertThat(Confusables.skeleton("p\u0430ypal")).isNotEqualTo(Confusables.skeleton("paypa1x"));
  }

  @Test
  void cyrillicExecFoldsToAscii() {
    assertThat(fold("\u0435\u0445\u0435\u0441")).isEqualTo("exec");
    assertThat(Confusables.isAsciiConfusable("\u0435\u0445\u0435\u0441")).isTrue();
  }

  @Test
  void russianWordIsNotFullyFoldable() {
    assertThat(fold("\u0438\u0433\u043D\u043E\u0440\u0438\u0440\u0443\u0439")).isNull();
  }

  @Test
  void fullwidthLettersFold() {
    assertThat(fold("\uFF49\uFF47\uFF4E\uFF4F\uFF52\uFF45")).isEqualTo("ignore");
    assertThat(fold("\uFF29\uFF27\uFF2E\uFF2F\uFF32\uFF25")).isEqualTo("IGNORE");
  }

  @Test
  void mathematicalAndGreekLettersFold() {
    assertThat(fold("\uD835\uDC1E\uD835\uDC31\uD835\uDC1E\uD835\uDC1C")).isEqualTo("exec");
    assertThat(Confusables.toAscii('\u0391')).isEqualTo('A');
    assertThat(Confusables.toAscii('\u00E9')).isEqualTo('e');
  }

  @Test
  void asciiIsItselfAndNotConfusable() {
    for (int c = 0; c < 0x80; c++) {
      assertThat(Confusables.toAscii(c)).isEqualTo(c);
    }
    assertThat(Confusables.isAsciiConfusable("ignore all previous instructions")).isFalse();
    assertThat(Confusables.isAsciiConfusable("\u0438\u0439")).isFalse();
    assertThat(Confusables.toAscii(-1)).isEqualTo(-1);
    assertThat(Confusables.toAscii(0x110000)).isEqualTo(-1);
  }

  @Test
  void skeletonEqualsIcuForEveryCodePointTheJdkKnows() {
    List<Integer> known = jdkKnownCodePoints();
    for (int cp : known) {
      String s = new String(Character.toChars(cp));
      assertThat(Confusables.skeleton(s)).as("U+%04X", cp).isEqualTo(SPOOF.getSkeleton(s));
    }
    assertThat(known).hasSizeGreaterThan(100_000);
  }

  @Test
  void skeletonEqualsIcuForRandomStrings() {
    List<Integer> known = jdkKnownCodePoints();
    List<Integer> confusable = new ArrayList<>();
    for (int cp : known) {
      if (Confusables.toAscii(cp) >= 0 || isMark(cp)) {
        confusable.add(cp);
      }
    }
    Random random = new Random(39);
    for (int i = 0; i < 5_000; i++) {
      StringBuilder s = new StringBuilder();
      for (int length = random.nextInt(12); length > 0; length--) {
        int pick = random.nextInt(3);
        s.appendCodePoint(
            pick == 0 ? 0x20 + random.nextInt(0x5F)
                : pick == 1 ? confusable.get(random.nextInt(confusable.size()))
                : known.get(random.nextInt(known.size())));
      }
      String text = s.toString();
      assertThat(Confusables.skeleton(text)).as("%s", text).isEqualTo(SPOOF.getSkeleton(text));
    }
  }

  @Test
  void everyNonStarterIsAMarkSoLongRunsAreCut() {
    for (int cp : jdkKnownCodePoints()) {
      if (UCharacter.getCombiningClass(cp) != 0) {
        assertThat(isMark(cp)).as("U+%04X", cp).isTrue();
      }
    }
  }

  @Test
  void adversarialMegabyteFinishes() {
    StringBuilder marks = new StringBuilder("a");
    while (marks.length() < 1 << 20) {
      marks.append("\u0301\u0316");
    }
    assertThat(Confusables.skeleton(marks.toString())).startsWith("a").hasSize(marks.length());
    StringBuilder mixed = new StringBuilder();
    while (mixed.length() < 1 << 20) {
      mixed.append("\uFDFA\u0430\uD835\uDC1E\u1E69\u0301");
    }
    assertThat(Confusables.skeleton(mixed.toString())).hasSizeGreaterThan(mixed.length());
    assertThat(Confusables.isAsciiConfusable("x".repeat(1 << 20))).isFalse();
  }

  private static String fold(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int ascii = Confusables.toAscii(cp);
      if (ascii < 0) {
        return null;
      }
      out.append((char) ascii);
      i += Character.charCount(cp);
    }
    return out.toString();
  }

  /** Code points assigned in the JDK's Unicode version, so that its NFD agrees with ICU's. */
  private static List<Integer> jdkKnownCodePoints() {
    List<Integer> known = new ArrayList<>();
    for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
      int type = Character.getType(cp);
      if (Character.isDefined(cp) && type != Character.SURROGATE && type != Character.PRIVATE_USE) {
        known.add(cp);
      }
    }
    return known;
  }

  private static boolean isMark(int cp) {
    int type = Character.getType(cp);
    return type == Character.NON_SPACING_MARK
        || type == Character.ENCLOSING_MARK
        || type == Character.COMBINING_SPACING_MARK;
  }

  /**
   * The data file: for each code point that is its own NFD, its skeleton where that differs (the
   * mapping applied after NFD), and the ASCII character it folds to (see {@link Confusables#toAscii}).
   */
  static String generate() {
    Normalizer2 nfd = Normalizer2.getNFDInstance();
    Normalizer2 nfkd = Normalizer2.getNFKDInstance();
    StringBuilder out = new StringBuilder()
        .append("# Unicode TR39 confusables from ICU4J ").append(VersionInfo.ICU_VERSION)
        .append(" (Unicode ").append(UCharacter.getUnicodeVersion()).append(").\n")
        .append("# Generated by ConfusablesTest; regenerate with:\n")
        .append("#   mvn -q test -Dtest=ConfusablesTest -Daegis.regenerate=true\n")
        .append("# CODEPOINT<TAB>SKELETON[<TAB>ASCII], all hex. SKELETON: the code points of the\n")
        .append("# TR39 skeleton of a code point that is its own NFD, where that differs from\n")
        .append("# itself, else '='.\n")
        .append("# ASCII: the one ASCII character a non-ASCII code point imitates: its NFKD, else\n")
        .append("# its skeleton, without combining marks.\n");
    for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
      if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
        continue;
      }
      String c = new String(Character.toChars(cp));
      String skeleton = SPOOF.getSkeleton(c);
      boolean mapped = nfd.isNormalized(c) && !skeleton.equals(c);
      int ascii = cp < 0x80 ? -1 : oneAscii(nfkd.normalize(c));
      if (cp >= 0x80 && ascii < 0) {
        ascii = oneAscii(skeleton);
      }
      if (!mapped && ascii < 0) {
        continue;
      }
      out.append(hex(cp)).append('\t');
      if (mapped) {
        StringBuilder target = new StringBuilder();
        skeleton.codePoints().forEach(t -> target.append(' ').append(hex(t)));
        out.append(target.length() == 0 ? "" : target.substring(1));
      } else {
        out.append('=');
      }
      if (ascii >= 0) {
        out.append('\t').append(hex(ascii));
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static int oneAscii(String s) {
    int found = -1;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int type = UCharacter.getType(cp);
      if (type != UCharacterCategory.NON_SPACING_MARK
          && type != UCharacterCategory.ENCLOSING_MARK
          && type != UCharacterCategory.COMBINING_SPACING_MARK) {
        if (found >= 0 || cp >= 0x80) {
          return -1;
        }
        found = cp;
      }
      i += Character.charCount(cp);
    }
    return found;
  }

  private static String hex(int cp) {
    return Integer.toHexString(cp).toUpperCase(java.util.Locale.ROOT);
  }
}
