package dev.aegis.pin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * RFC 8785 vectors (the section 3.2.2 sample with its section 3.2.3 text and section 3.2.4 bytes, the section 3.2.3
 * sorting sample, the Appendix B number table) plus escaping, nesting and the fingerprint format.
 *
 * <p>JSON samples are written with doubled backslashes: javac turns a single {@code \}{@code u20ac} into the
 * character itself before the string exists, and {@code \}{@code u005c} into a bare backslash.
 */
class CanonicalTest {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  // RFC 8785 section 3.2.2, escapes as printed in the RFC
  private static final String SAMPLE = """
      {
        "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
        "literals": [null, true, false]
      }""";

  // RFC 8785 section 3.2.4: the UTF-8 bytes of the canonical sample
  private static final String SAMPLE_BYTES = """
      7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72
      75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a
      5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31
      65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37
      5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30
      30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d""";

  @Test
  void rfcSampleCanonicalizesToTheRfcBytes() {
    byte[] expected = HexFormat.of().parseHex(SAMPLE_BYTES.replaceAll("\\s+", ""));

    assertThat(Canonical.bytes(MAPPER.readTree(SAMPLE))).isEqualTo(expected);
  }

  @Test
  void rfcSampleCanonicalizesToTheRfcText() {
    // section 3.2.3 prints this on one line; U+20AC is the euro sign, kept as is
    String expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
        + "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";

    assertThat(Canonical.json(MAPPER.readTree(SAMPLE))).isEqualTo(expected);
  }

  @Test
  void fingerprintIsSha256OfTheCanonicalBytes() throws Exception {
    byte[] canonical = HexFormat.of().parseHex(SAMPLE_BYTES.replaceAll("\\s+", ""));
    String viaJdk = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));

    JsonNode sample = MAPPER.readTree(SAMPLE);
    assertThat(Canonical.sha256(sample)).isEqualTo(viaJdk);
    // computed outside the JVM: coreutils sha256sum over the section 3.2.4 bytes
    assertThat(Canonical.sha256(sample))
        .isEqualTo("sha256:2d5e01a318d0f0879ab568c4be289c8b1f64ef8921a53c6277d5e069978baacb");
    assertThat(Canonical.sha256(canonical)).isEqualTo(viaJdk);
  }

  @Test
  void fingerprintIgnoresSpellingButNotMeaning() {
    JsonNode a = MAPPER.readTree("{\"b\": [1, 2.0, \"x\"], \"a\": {\"d\": true, \"c\": null}}");
    JsonNode b = MAPPER.readTree("{\"a\":{\"c\":null,\"d\":true},\"b\":[1.0,2,\"\\u0078\"]}");
    JsonNode reordered = MAPPER.readTree("{\"a\":{\"c\":null,\"d\":true},\"b\":[2,1,\"x\"]}");

    assertThat(Canonical.sha256(a)).isEqualTo(Canonical.sha256(b)).matches("sha256:[0-9a-f]{64}");
    assertThat(Canonical.sha256(a)).isNotEqualTo(Canonical.sha256(reordered));
  }

  @Test
  void membersSortByUtf16CodeUnitsAsInRfcSection323() {
    String input = """
        {
          "\\u20ac": "Euro Sign",
          "\\r": "Carriage Return",
          "\\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\\ud83d\\ude00": "Emoji: Grinning Face",
          "\\u0080": "Control",
          "\\u00f6": "Latin Small Letter O With Diaeresis"
        }""";

    // by code point U+FB33 would precede U+1F600; as UTF-16 the emoji's high surrogate 0xD83D sorts first
    assertThat(Canonical.json(MAPPER.readTree(input))).isEqualTo("{"
        + "\"\\r\":\"Carriage Return\","
        + "\"1\":\"One\","
        + "\"\u0080\":\"Control\","
        + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\","
        + "\"\u20ac\":\"Euro Sign\","
        + "\"\ud83d\ude00\":\"Emoji: Grinning Face\","
        + "\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
  }

  @Test
  void sortingIsByCodeUnitNotByNumberOrCase() {
    ObjectNode o = F.objectNode();
    o.put("b", 1);
    o.put("10", 2);
    o.put("B", 3);
    o.put("2", 4);
    o.put("", 5);
    o.put("a", 6);

    assertThat(Canonical.json(o)).isEqualTo("{\"\":5,\"10\":2,\"2\":4,\"B\":3,\"a\":6,\"b\":1}");
  }

  static Stream<Arguments> appendixB() {
    return Stream.of(
        Arguments.of("0000000000000000", "0"),
        Arguments.of("8000000000000000", "0"),
        Arguments.of("0000000000000001", "5e-324"),
        Arguments.of("8000000000000001", "-5e-324"),
        Arguments.of("7fefffffffffffff", "1.7976931348623157e+308"),
        Arguments.of("ffefffffffffffff", "-1.7976931348623157e+308"),
        Arguments.of("4340000000000000", "9007199254740992"),
        Arguments.of("c340000000000000", "-9007199254740992"),
        Arguments.of("4430000000000000", "295147905179352830000"),
        Arguments.of("44b52d02c7e14af5", "9.999999999999997e+22"),
        Arguments.of("44b52d02c7e14af6", "1e+23"),
        Arguments.of("44b52d02c7e14af7", "1.0000000000000001e+23"),
        Arguments.of("444b1ae4d6e2ef4e", "999999999999999700000"),
        Arguments.of("444b1ae4d6e2ef4f", "999999999999999900000"),
        Arguments.of("444b1ae4d6e2ef50", "1e+21"),
        Arguments.of("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
        Arguments.of("3eb0c6f7a0b5ed8d", "0.000001"),
        Arguments.of("41b3de4355555553", "333333333.3333332"),
        Arguments.of("41b3de4355555554", "333333333.33333325"),
        Arguments.of("41b3de4355555555", "333333333.3333333"),
        Arguments.of("41b3de4355555556", "333333333.3333334"),
        Arguments.of("41b3de4355555557", "333333333.33333343"),
        Arguments.of("becbf647612f3696", "-0.0000033333333333333333"),
        Arguments.of("43143ff3c1cb0959", "1424953923781206.2"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("appendixB")
  void numbersMatchRfcAppendixB(String ieee754, String expected) {
    double d = Double.longBitsToDouble(Long.parseUnsignedLong(ieee754, 16));

    assertThat(Canonical.json(F.numberNode(d))).isEqualTo(expected);
    // the text must read back as the very same double
    if (d != 0) {
      assertThat(Double.parseDouble(expected)).isEqualTo(d);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"7fffffffffffffff", "7ff0000000000000", "fff0000000000000"})
  void nanAndInfinityAreRejectedAsInAppendixB(String ieee754) {
    double d = Double.longBitsToDouble(Long.parseUnsignedLong(ieee754, 16));

    assertThatThrownBy(() -> Canonical.json(F.arrayNode().add(d)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be finite");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      // ECMAScript switches to exponent form when the decimal exponent is >= 21 or <= -7
      "1e20, 100000000000000000000",
      "1e21, 1e+21",
      "1.5e21, 1.5e+21",
      "1e-6, 0.000001",
      "1.5e-6, 0.0000015",
      "1e-7, 1e-7",
      "-1.25e-7, -1.25e-7",
      "123.456, 123.456",
      "0.1, 0.1",
      "-0.0, 0",
      "100, 100",
      "1E3, 1000",
      "4.50, 4.5",
      "2e-3, 0.002",
      "5e-324, 5e-324",
      "2.2250738585072014e-308, 2.2250738585072014e-308",
      "9007199254740993, 9007199254740992",
      "1152921504606846976, 1152921504606847000",
  })
  void numbersFollowEcmascriptFormatting(String input, String expected) {
    assertThat(Canonical.json(MAPPER.readTree(input))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      // JDK 17's Double.toString writes these with more digits than needed (JDK-4511638, fixed in JDK 19):
      // 1.9999999999999998E23, 8.409999999999999E21, 2.31845256772633248E17, 6.8479835487449702E18,
      // 6.6668432780556552E16; expected values are what V8 (node) prints for the same bits
      "44c52d02c7e14af6, 2e+23",
      "447c7e83209e90b2, 8.41e+21",
      "4389bd7042e65615, 231845256772633250",
      "43d7c23b3058aa6c, 6847983548744970000",
      "436d9b52c3b3bf21, 66668432780556550",
      // powers of two, where the interval that reads back as d is lopsided: the 16-digit decimal nearest to d
      // misses it, the 16-digit neighbour on the other side lands inside (nearest-only rounding gives 17 digits)
      "63d0000000000000, 6.183260036827614e+172",
      "7cf0000000000000, 6.386688990511104e+293",
      "0060000000000000, 7.120236347223045e-307",
  })
  void digitsAreShortestWhereJdk17DoubleToStringIsNot(String ieee754, String expected) {
    double d = Double.longBitsToDouble(Long.parseUnsignedLong(ieee754, 16));

    assertThat(Canonical.json(F.numberNode(d))).isEqualTo(expected);
  }

  @Test
  void digitsRoundTripAndNoShorterDecimalDoes() {
    // powers of two sit where the interval that reads back as d is lopsided, so both neighbours must be tried
    double[] samples = {0x1p-1074, 0x1p-1022, 0x1p-900, 0x1p-1, 0x1p60, 0x1p70, 0x1p1023, 1.1754943508222875E-38};
    for (double d : samples) {
      String text = Canonical.json(F.numberNode(d));
      assertThat(Double.parseDouble(text)).as(text).isEqualTo(d);
      int digits = new BigDecimal(text).stripTrailingZeros().precision();
      if (digits > 1) {
        BigDecimal exact = new BigDecimal(d);
        for (RoundingMode mode : List.of(RoundingMode.DOWN, RoundingMode.UP)) {
          BigDecimal shorter = exact.round(new MathContext(digits - 1, mode));
          assertThat(Double.parseDouble(shorter.toString())).as("%s has a shorter form %s", text, shorter)
              .isNotEqualTo(d);
        }
      }
    }
  }

  @Test
  void bigNumbersAreRoundedToTheNearestDouble() {
    assertThat(Canonical.json(F.numberNode(new BigInteger("9007199254740993")))).isEqualTo("9007199254740992");
    assertThat(Canonical.json(F.numberNode(new BigInteger("295147905179352825856"))))
        .isEqualTo("295147905179352830000");
    assertThat(Canonical.json(F.numberNode(new BigDecimal("4.50")))).isEqualTo("4.5");
    assertThat(Canonical.json(F.numberNode(new BigDecimal("0.1000000000000000000000000001")))).isEqualTo("0.1");
    assertThat(Canonical.json(F.numberNode(new BigDecimal("-0.000")))).isEqualTo("0");
    assertThat(Canonical.json(F.numberNode(Long.MAX_VALUE))).isEqualTo("9223372036854776000");
    assertThat(Canonical.json(F.numberNode(0.1f))).isEqualTo("0.10000000149011612");
  }

  @Test
  void numbersBeyondTheDoubleRangeAreRejected() {
    assertThatThrownBy(() -> Canonical.json(F.numberNode(new BigDecimal("1e400"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1E+400")
        .hasMessageContaining("double range");
    assertThatThrownBy(() -> Canonical.json(F.numberNode(BigInteger.TEN.pow(400).negate())))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void onlyQuoteBackslashAndControlCharactersAreEscaped() {
    StringBuilder controls = new StringBuilder();
    for (char c = 0; c < 0x20; c++) {
      controls.append(c);
    }
    String expected = "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
        + "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e"
        + "\\u001f\"";

    assertThat(Canonical.json(F.stringNode(controls.toString()))).isEqualTo(expected);
    assertThat(Canonical.json(F.stringNode("\"\\"))).isEqualTo("\"\\\"\\\\\"");
    // '/', DEL, U+2028/U+2029, non-ASCII and astral characters go out literally
    String literal = "/\u007f\u2028\u2029\u00e9\u4e2d\ud83d\ude00<>&'";
    assertThat(Canonical.json(F.stringNode(literal))).isEqualTo("\"" + literal + "\"");
    assertThat(Canonical.bytes(F.stringNode("\u00e9\ud83d\ude00")))
        .isEqualTo("\"\u00e9\ud83d\ude00\"".getBytes(StandardCharsets.UTF_8))
        .hasSize(2 + 2 + 4);
  }

  @Test
  void loneSurrogatesAreRejectedInValuesAndNames() {
    assertThatThrownBy(() -> Canonical.json(F.stringNode("ab\ud800")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("U+D800")
        .hasMessageContaining("index 2");
    assertThatThrownBy(() -> Canonical.json(F.stringNode("\ude00x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("U+DE00");
    assertThatThrownBy(() -> Canonical.json(F.stringNode("\ude00\ud83d")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Canonical.json(F.objectNode().put("k\udbff", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("U+DBFF");
  }

  @Test
  void nestedContainersKeepArrayOrderAndSortEveryObject() {
    JsonNode tree = MAPPER.readTree("""
        {"z": [3, {"y": 1, "x": [{"b": 2, "a": 1}, []]}, {}],
         "a": {"c": {"f": false, "e": "\\u00e9"}, "b": null}}""");

    assertThat(Canonical.json(tree))
        .isEqualTo("{\"a\":{\"b\":null,\"c\":{\"e\":\"\u00e9\",\"f\":false}},"
            + "\"z\":[3,{\"x\":[{\"a\":1,\"b\":2},[]],\"y\":1},{}]}");
  }

  @Test
  void literalsAndEmptyContainers() {
    assertThat(Canonical.json(F.nullNode())).isEqualTo("null");
    assertThat(Canonical.json(F.booleanNode(true))).isEqualTo("true");
    assertThat(Canonical.json(F.booleanNode(false))).isEqualTo("false");
    assertThat(Canonical.json(F.objectNode())).isEqualTo("{}");
    assertThat(Canonical.json(F.arrayNode())).isEqualTo("[]");
    assertThat(Canonical.json(F.stringNode(""))).isEqualTo("\"\"");
  }

  @Test
  void nodesWithoutAJsonFormAreRejected() {
    assertThatThrownBy(() -> Canonical.json(F.binaryNode(new byte[] {1})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BINARY");
    assertThatThrownBy(() -> Canonical.json(F.pojoNode(Map.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("POJO");
    assertThatThrownBy(() -> Canonical.json(F.missingNode()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MISSING");
    assertThatThrownBy(() -> Canonical.json(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NullNode");
  }
}
