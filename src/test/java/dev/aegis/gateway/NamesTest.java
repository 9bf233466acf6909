package dev.aegis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
  private static final Pattern VALID = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");

  @ParameterizedTest
  @ValueSource(strings = {"read_file", "get-weather", "A", "x1_y2-Z3"})
  void validNameWithoutPrefixIsUnchanged(String name) {
    assertThat(Names.expose("", name)).isEqualTo(name);
  }

  @Test
  void validNameOfExactlyMaxLengthIsUnchanged() {
    String name = "n".repeat(Names.MAX_LENGTH);

    assertThat(Names.expose("", name)).isEqualTo(name);
  }

  @Test
  void prefixIsJoinedWithTheSeparator() {
    assertThat(Names.expose("fs", "read_file")).isEqualTo("fs__read_file");
    assertThat(Names.expose("my-server", "x")).isEqualTo("my-server__x");
  }

  @Test
  void invalidCharactersBecomeUnderscoresPlusAHashOfTheOriginal() {
    String exposed = Names.expose("fs", "read file.v2");

    assertThat(exposed).matches("fs__read_file_v2-[0-9a-f]{8}");
  }

  @Test
  void namesThatSanitizeAlikeStayDistinct() {
    String dot = Names.expose("fs", "a.b");
    String space = Names.expose("fs", "a b");
    String underscore = Names.expose("fs", "a_b");

    assertThat(List.of(dot, space, underscore)).doesNotHaveDuplicates().allMatch(n -> VALID.matcher(n).matches());
    assertThat(underscore).isEqualTo("fs__a_b");
  }

  @Test
  void tooLongNamesAreCutAndStayDistinct() {
    String common = "x".repeat(80);
    String a = Names.expose("srv", common + "a");
    String b = Names.expose("srv", common + "b");

    assertThat(a).hasSize(Names.MAX_LENGTH).matches(VALID).startsWith("srv__xxx");
    assertThat(b).hasSize(Names.MAX_LENGTH).matches(VALID);
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void prefixPushingAValidNameOverTheLimitIsCut() {
    String name = "t".repeat(60);

    String exposed = Names.expose("server", name);

    assertThat(exposed).matches(VALID).hasSize(Names.MAX_LENGTH).startsWith("server__ttt");
  }

  @Test
  void emptyNameBecomesValid() {
    assertThat(Names.expose("", "")).matches(VALID);
    assertThat(Names.expose("", "")).isNotEqualTo(Names.expose("", "_"));
  }

  @Test
  void exposingIsDeterministic() {
    assertThat(Names.expose("p", "naïve tool")).isEqualTo(Names.expose("p", "naïve tool"));
  }

  @Test
  void isValidMatchesTheClientRule() {
    assertThat(Names.isValid("a-b_c")).isTrue();
    assertThat(Names.isValid("")).isFalse();
    assertThat(Names.isValid("a.b")).isFalse();
    assertThat(Names.isValid("é")).isFalse();
    assertThat(Names.isValid("a".repeat(65))).isFalse();
  }

  /**
   * Property: for many random (prefix, name) pairs, the exposed name is always valid, and two different pairs never
   * share an exposed name. Prefixes are shaped as the configuration allows (letters, digits, inner hyphens, or
   * empty); names are anything a server might send.
   */
  @Test
  void randomNamesAlwaysBecomeValidAndNeverCollide() {
    Random random = new Random(20260728);
    String alphabet = "abcXYZ019_-. /:é💥\u0000\t";
    String prefixAlphabet = "abcXYZ019-";
    Map<String, String> seen = new HashMap<>();
    for (int i = 0; i < 50_000; i++) {
      String prefix = random.nextInt(4) == 0 ? "" : randomPrefix(random, prefixAlphabet);
      int length = random.nextInt(5) == 0 ? 60 + random.nextInt(80) : 1 + random.nextInt(12);
      String name = randomString(random, alphabet, length);
      String exposed = Names.expose(prefix, name);
      // ("a", "b__c") and ("", "a__b__c") join to the same valid name by design (Catalog reports that clash), so
      // distinctness is over the joined original; every other pair must stay apart
      String pair = prefix.isEmpty() ? name : prefix + Names.SEPARATOR + name;

      assertThat(exposed).as("expose(%s, %s)", prefix, name).matches(VALID);
      String before = seen.putIfAbsent(exposed, pair);
      assertThat(before == null || before.equals(pair))
          .as("%s and %s both became %s", before, pair, exposed).isTrue();
    }
    assertThat(seen.size()).isGreaterThan(10_000);
  }

  private static String randomPrefix(Random random, String alphabet) {
    StringBuilder b = new StringBuilder();
    int length = 1 + random.nextInt(8);
    for (int i = 0; i < length; i++) {
      char c = alphabet.charAt(random.nextInt(alphabet.length()));
      b.append(c == '-' && (i == 0 || i == length - 1) ? 'p' : c);
    }
    return b.toString();
  }

  private static String randomString(Random random, String alphabet, int length) {
    StringBuilder b = new StringBuilder();
    while (b.length() < length) {
      b.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0,
          random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
    }
    return b.toString();
  }
}
