package dev.aegis.pin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Versions: parsing, semver.org precedence, and npm-style ranges. The range table's expectations agree with npm's
 * own {@code semver} package ({@code satisfies(version, range)}) wherever npm accepts the range.
 */
class SemVerTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "1.2.3, 1.2.3",
      "0.0.0, 0.0.0",
      "v1.2.3, 1.2.3",
      "V1.2.3, 1.2.3",
      "1.2, 1.2.0",
      "1, 1.0.0",
      "v2, 2.0.0",
      "1.2.3-beta.1, 1.2.3-beta.1",
      "1.2.3-0, 1.2.3-0",
      "1.2.3-x-y-z.--, 1.2.3-x-y-z.--",
      "1.2.3+abc, 1.2.3",
      "1.2.3-rc.1+build.5.sha-1f, 1.2.3-rc.1",
      "2147483647.0.1, 2147483647.0.1",
  })
  void parsesWhatServersReport(String input, String printed) {
    assertThat(SemVer.parse(input)).hasToString(printed);
  }

  @Test
  void partsAreExposedAndBuildIsDropped() {
    SemVer v = SemVer.parse("v10.20.30-alpha.7+meta");

    assertThat(v).isEqualTo(new SemVer(10, 20, 30, "alpha.7"));
    assertThat(v.isPreRelease()).isTrue();
    assertThat(v.release()).isEqualTo(SemVer.of(10, 20, 30));
    assertThat(SemVer.parse("1.2.3+a")).isEqualTo(SemVer.parse("1.2.3+b")).isEqualTo(SemVer.of(1, 2, 3));
    assertThat(SemVer.of(1, 2, 3).preRelease()).isEmpty();
    assertThat(new SemVer(1, 2, 3, null).preRelease()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "v", "x", "latest", "1.2.3.4", "1..3", "1.2.", ".1.2", "01.2.3", "1.02.3", "1.2.03", "-1.2.3",
      "1.2.3-", "1.2.3+", "1.2.3-beta..1", "1.2.3-01", "1.2.3-beta_1", "1.2.3+a..b", "1.2-beta", "1+build",
      " 1.2.3", "1.2.3 ", "1.2.x", "=1.2.3", "2147483648.0.0", "1.99999999999.0", "1.2.3-\u00e9",
  })
  void rejectsAnythingElse(String input) {
    assertThatThrownBy(() -> SemVer.parse(input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + input + "\"")
        .hasMessageContaining("a version looks like MAJOR[.MINOR[.PATCH]]");
    assertThat(SemVer.tryParse(input)).isEmpty();
  }

  @Test
  void rejectionSaysWhatIsWrong() {
    assertThatThrownBy(() -> SemVer.parse("01.2.3")).hasMessageContaining("leading zero");
    assertThatThrownBy(() -> SemVer.parse("1.2.3-01")).hasMessageContaining("leading zero");
    assertThatThrownBy(() -> SemVer.parse("3000000000.0.0")).hasMessageContaining("larger than 2147483647");
    assertThatThrownBy(() -> SemVer.parse("1.2.3.4")).hasMessageContaining("more than three numbers");
    assertThatThrownBy(() -> SemVer.parse(null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(SemVer.tryParse(null)).isEmpty();
  }

  @Test
  void overlongInputIsRejectedAndNotEchoedInFull() {
    String longest = "1.2.3-" + "a".repeat(SemVer.MAX_LENGTH - 6);
    String tooLong = longest + "a";

    assertThat(SemVer.parse(longest).preRelease()).hasSize(SemVer.MAX_LENGTH - 6);
    assertThatThrownBy(() -> SemVer.parse(tooLong))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("257 characters")
        .message().hasSizeLessThan(300);
  }

  @Test
  void constructorChecksItsParts() {
    assertThatThrownBy(() -> new SemVer(-1, 0, 0, "")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1.0.0");
    assertThatThrownBy(() -> new SemVer(1, 0, 0, "a..b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty identifier");
  }

  @Test
  void precedenceFollowsTheSemverOrgExample() {
    // semver.org 2.0.0 section 11.4
    List<String> ordered = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
        "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0");
    List<SemVer> shuffled = new ArrayList<>(ordered.stream().map(SemVer::parse).toList());
    Collections.shuffle(shuffled, new Random(7));
    Collections.sort(shuffled);

    assertThat(shuffled).extracting(SemVer::toString).containsExactlyElementsOf(ordered);
  }

  @ParameterizedTest(name = "{0} < {1}")
  @CsvSource({
      "1.0.0, 2.0.0",
      "2.0.0, 2.1.0",
      "2.1.0, 2.1.1",
      "1.9.0, 1.10.0",
      "1.0.0-rc.1, 1.0.0",
      "1.0.0-2, 1.0.0-10",
      "1.0.0-99999999999999999999, 1.0.0-100000000000000000000",
      "1.0.0-999, 1.0.0-a",
      "1.0.0-A, 1.0.0-a",
      "1.0.0-alpha, 1.0.0-alpha.0",
      "1.0.0-alpha-1, 1.0.0-alpha1",
      "0.9.9, 1.0.0-alpha",
      "2147483646.0.0, 2147483647.0.0",
  })
  void precedence(String lower, String higher) {
    SemVer a = SemVer.parse(lower);
    SemVer b = SemVer.parse(higher);

    assertThat(a.compareTo(b)).isNegative();
    assertThat(b.compareTo(a)).isPositive();
    assertThat(a.compareTo(SemVer.parse(lower))).isZero();
  }

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource(delimiter = ';', textBlock = """
      1.2.3              ; 1.2.3          ; true
      1.2.3              ; 1.2.4          ; false
      =1.2.3             ; 1.2.3          ; true
      v1.2.3             ; 1.2.3          ; true
      1.2.3-beta.1       ; 1.2.3-beta.1   ; true
      1.2.3-beta.1       ; 1.2.3          ; false
      ^1.2.3             ; 1.2.3          ; true
      ^1.2.3             ; 1.9.9          ; true
      ^1.2.3             ; 2.0.0          ; false
      ^1.2.3             ; 1.2.2          ; false
      ^1.2.3             ; 2.0.0-alpha    ; false
      ^1.2               ; 1.2.0          ; true
      ^1.2               ; 1.99.0         ; true
      ^1.2               ; 1.1.9          ; false
      ^1                 ; 1.0.0          ; true
      ^1                 ; 2.0.0          ; false
      ^0.3.1             ; 0.3.1          ; true
      ^0.3.1             ; 0.3.9          ; true
      ^0.3.1             ; 0.4.0          ; false
      ^0.3.1             ; 0.3.0          ; false
      ^0.3               ; 0.3.0          ; true
      ^0.3               ; 0.4.0          ; false
      ^0.0.3             ; 0.0.3          ; true
      ^0.0.3             ; 0.0.4          ; false
      ^0.0               ; 0.0.9          ; true
      ^0.0               ; 0.1.0          ; false
      ^0                 ; 0.9.9          ; true
      ^0                 ; 1.0.0          ; false
      ^1.2.3-beta.2      ; 1.2.3-beta.4   ; true
      ^1.2.3-beta.2      ; 1.2.3-beta.1   ; false
      ^1.2.3-beta.2      ; 1.2.3          ; true
      ^1.2.3-beta.2      ; 1.3.0-beta.1   ; false
      ~1.2.3             ; 1.2.3          ; true
      ~1.2.3             ; 1.2.9          ; true
      ~1.2.3             ; 1.3.0          ; false
      ~1.2.3             ; 1.2.2          ; false
      ~1.2               ; 1.2.0          ; true
      ~1.2               ; 1.3.0          ; false
      ~1                 ; 1.9.0          ; true
      ~1                 ; 2.0.0          ; false
      ~0.2.3             ; 0.2.9          ; true
      ~0.2.3             ; 0.3.0          ; false
      *                  ; 0.0.0          ; true
      *                  ; 99.1.2         ; true
      *                  ; 1.0.0-rc.1     ; false
      x                  ; 3.0.0          ; true
      1.x                ; 1.0.0          ; true
      1.x                ; 1.99.99        ; true
      1.x                ; 2.0.0          ; false
      1.x                ; 0.9.0          ; false
      1.*                ; 1.5.0          ; true
      1.2.x              ; 1.2.7          ; true
      1.2.x              ; 1.3.0          ; false
      1.2.X              ; 1.2.0          ; true
      1                  ; 1.4.0          ; true
      1                  ; 2.0.0          ; false
      1.2                ; 1.2.5          ; true
      1.2                ; 1.3.0          ; false
      1.2                ; 1.1.0          ; false
      =1.2               ; 1.2.5          ; true
      >=1.2.0 <2.0.0     ; 1.2.0          ; true
      >=1.2.0 <2.0.0     ; 1.9.9          ; true
      >=1.2.0 <2.0.0     ; 2.0.0          ; false
      >=1.2.0 <2.0.0     ; 1.1.9          ; false
      >=1.2.0 <2.0.0     ; 2.0.0-rc.1     ; false
      >= 1.2.0  < 2.0.0  ; 1.5.0          ; true
      >1.2.3             ; 1.2.4          ; true
      >1.2.3             ; 1.2.3          ; false
      <1.2.3             ; 1.2.2          ; true
      <1.2.3             ; 1.2.3          ; false
      <1.2.3             ; 1.2.3-beta     ; false
      <=1.2.3            ; 1.2.3          ; true
      <=1.2.3            ; 1.2.4          ; false
      >1.2               ; 1.2.9          ; false
      >1.2               ; 1.3.0          ; true
      >1                 ; 2.0.0          ; true
      >1                 ; 1.9.9          ; false
      <=1.2              ; 1.2.9          ; true
      <=1.2              ; 1.3.0          ; false
      <1.2               ; 1.1.9          ; true
      <1.2               ; 1.2.0          ; false
      >=1.2              ; 1.2.0          ; true
      >=1.2.3-rc.1       ; 1.2.3-rc.2     ; true
      >=1.2.3-rc.1       ; 1.2.4-rc.1     ; false
      >=1.2.3-rc.1       ; 1.2.4          ; true
      >1.2.3-rc.1 <1.2.3 ; 1.2.3-rc.2     ; true
      ^1.2 || ^2.1       ; 1.5.0          ; true
      ^1.2 || ^2.1       ; 2.5.0          ; true
      ^1.2 || ^2.1       ; 2.0.0          ; false
      ^1.2 || ^2.1       ; 3.0.0          ; false
      1.2.3 || >=2.0.0   ; 1.2.3          ; true
      1.2.3 || >=2.0.0   ; 1.2.4          ; false
      1.2.3 || >=2.0.0   ; 7.0.0          ; true
      ^2147483647.0.0    ; 2147483647.5.5 ; true
      ~1.2147483647      ; 1.2147483647.9 ; true
      ~1.2147483647      ; 2.0.0          ; false
      >2147483647        ; 2147483647.9.9 ; false
      >1.2147483647      ; 2.0.0          ; true
      >1.2147483647      ; 1.2147483647.0 ; false
      ~1.2.2147483647    ; 1.3.0          ; false
      ~1.2.2147483647    ; 1.2.2147483647 ; true
      1.2.3+build        ; 1.2.3          ; true
      """)
  void rangesMatchLikeNpm(String range, String version, boolean expected) {
    assertThat(VersionRange.parse(range).matches(SemVer.parse(version))).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", " ", "||", "^1.2 ||", "|| 1.2.3", "1.2.3 | 1.2.4", "latest", ">=", "^", ">=*", "<1.x", "1.x.3",
      "1.2.3 - 2.0.0", "^01.2", "1.2.3.4", "1.2-beta", "=>1.2.3", "~>1.2", ">>1", "1.2.3a", "^1.2.3-",
      "99999999999", "^1.2 garbage",
  })
  void badRangesAreRejectedWithTheirText(String range) {
    assertThatThrownBy(() -> VersionRange.parse(range))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a version range: \"" + range + "\"");
  }

  @Test
  void rejectionNamesTheProblem() {
    assertThatThrownBy(() -> VersionRange.parse("1.2.3 - 2.0.0")).hasMessageContaining("hyphen ranges");
    assertThatThrownBy(() -> VersionRange.parse(">=*")).hasMessageContaining("wildcard after a comparison");
    assertThatThrownBy(() -> VersionRange.parse("^1.2 || ")).hasMessageContaining("empty alternative");
    assertThatThrownBy(() -> VersionRange.parse(">= ")).hasMessageContaining("no version");
    assertThatThrownBy(() -> VersionRange.parse("^1.02")).hasMessageContaining("\"^1.02\" is not a version")
        .cause().hasMessageContaining("leading zero");
    assertThatThrownBy(() -> VersionRange.parse(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> VersionRange.parse("1 ".repeat(600)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than " + VersionRange.MAX_LENGTH);
  }

  @Test
  void keepsItsTextAndIsEqualByIt() {
    VersionRange r = VersionRange.parse(">= 1.2.0  <2 || ^3");

    assertThat(r).hasToString(">= 1.2.0  <2 || ^3");
    assertThat(r).isEqualTo(VersionRange.parse(">= 1.2.0  <2 || ^3")).hasSameHashCodeAs(
        VersionRange.parse(">= 1.2.0  <2 || ^3"));
    assertThat(r).isNotEqualTo(VersionRange.parse(">=1.2.0 <2 || ^3"));
  }
}
