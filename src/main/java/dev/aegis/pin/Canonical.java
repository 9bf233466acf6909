package dev.aegis.pin;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS) over Jackson trees, and the SHA-256 fingerprints built on it.
 *
 * <p>Two trees that mean the same JSON give the same bytes: object members sorted by name as UTF-16 code units, no
 * whitespace, strings escaped minimally (only {@code "}, {@code \} and U+0000..U+001F), numbers written the way
 * ECMAScript's {@code Number.prototype.toString} writes the IEEE 754 double.
 *
 * <pre>{@code
 * JsonNode tool = JsonMapper.builder().build().readTree("{ \"b\": 1.50, \"a\": [true, 1E3] }");
 * Canonical.json(tool);   // {"a":[true,1000],"b":1.5}
 * Canonical.sha256(tool); // "sha256:" + 64 lowercase hex digits over those UTF-8 bytes
 * }</pre>
 *
 * <p>Numbers: JCS, like I-JSON (RFC 7493), knows only doubles. {@code BigInteger} and {@code BigDecimal} nodes (and
 * longs beyond 2^53) are first rounded to the nearest double, as RFC 8785 section 3.2.2.3 requires, so
 * {@code 9007199254740993} canonicalizes to {@code 9007199254740992}. A value that rounds to infinity, NaN and
 * infinity themselves, strings holding a lone surrogate (not encodable in UTF-8), and binary, POJO or missing nodes
 * are rejected with {@link IllegalArgumentException}: a fingerprint must never be computed over a guess.
 */
public final class Canonical {
  private static final String PREFIX = "sha256:";
  private static final HexFormat HEX = HexFormat.of();
  // below 2^53 every integer is exactly representable, and its digits are already the shortest round trip
  private static final double EXACT_INTEGERS = 0x1p53;

  private Canonical() {}

  /** The canonical UTF-8 bytes of {@code node}. */
  public static byte[] bytes(JsonNode node) {
    return json(node).getBytes(StandardCharsets.UTF_8);
  }

  /** The canonical text of {@code node}. */
  public static String json(JsonNode node) {
    if (node == null) {
      throw new IllegalArgumentException("cannot canonicalize a null JsonNode (use NullNode for JSON null)");
    }
    StringBuilder out = new StringBuilder();
    write(node, out);
    return out.toString();
  }

  /** {@code "sha256:"} and the lowercase hex SHA-256 of {@link #bytes(JsonNode)}. */
  public static String sha256(JsonNode node) {
    return sha256(bytes(node));
  }

  /** {@code "sha256:"} and the lowercase hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return PREFIX + HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /** One number as RFC 8785 section 3.2.2.3 (ECMAScript Number.prototype.toString) writes it. */
  static String number(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new IllegalArgumentException("RFC 8785 cannot represent " + d + " (JSON numbers must be finite)");
    }
    if (d == 0) {
      return "0"; // -0 too
    }
    if (d == Math.rint(d) && Math.abs(d) < EXACT_INTEGERS) {
      return Long.toString((long) d);
    }
    String sign = d < 0 ? "-" : "";
    BigDecimal shortest = shortest(Math.abs(d));
    String digits = shortest.unscaledValue().toString();
    int k = digits.length();
    int n = k - shortest.scale(); // value = 0.digits * 10^n
    return sign + format(digits, k, n);
  }

  private static void write(JsonNode node, StringBuilder out) {
    switch (node.getNodeType()) {
      case OBJECT -> {
        List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
        // String.compareTo compares UTF-16 code units, exactly the order RFC 8785 section 3.2.3 asks for
        members.sort(Map.Entry.comparingByKey());
        out.append('{');
        for (int i = 0; i < members.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          string(members.get(i).getKey(), out);
          out.append(':');
          write(members.get(i).getValue(), out);
        }
        out.append('}');
      }
      case ARRAY -> {
        out.append('[');
        for (int i = 0; i < node.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          write(node.get(i), out);
        }
        out.append(']');
      }
      case STRING -> string(node.stringValue(), out);
      case NUMBER -> out.append(number(toDouble(node)));
      case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
      case NULL -> out.append("null");
      default -> throw new IllegalArgumentException(
          "RFC 8785 has no canonical form for a " + node.getNodeType() + " node");
    }
  }

  private static double toDouble(JsonNode node) {
    Number n = node.numberValue();
    if (n instanceof BigDecimal || n instanceof java.math.BigInteger) {
      // Double.parseDouble is specified to round correctly; it gives infinity for values beyond the double range
      double d = Double.parseDouble(n.toString());
      if (Double.isInfinite(d)) {
        throw new IllegalArgumentException("RFC 8785 cannot represent " + n + " (outside the IEEE 754 double range)");
      }
      return d;
    }
    return n.doubleValue(); // int, long, float and double convert with round-to-nearest
  }

  /**
   * The decimal with the fewest significant digits that parses back to {@code d} (positive, finite), and among
   * those the one closest to {@code d} (ECMAScript's note 2); JDK 17's Double.toString is not always shortest.
   */
  private static BigDecimal shortest(double d) {
    BigDecimal exact = new BigDecimal(d);
    for (int p = 1; p <= 17; p++) {
      BigDecimal down = exact.round(new MathContext(p, RoundingMode.DOWN));
      BigDecimal up = exact.round(new MathContext(p, RoundingMode.UP));
      boolean downOk = roundTrips(down, d);
      boolean upOk = roundTrips(up, d);
      // both candidates are tried: at a power of two the interval that rounds to d is lopsided, so the nearest
      // p-digit decimal can miss it while the other one lands inside
      if (downOk && upOk) {
        int cmp = exact.subtract(down).compareTo(up.subtract(exact));
        if (cmp != 0) {
          return (cmp < 0 ? down : up).stripTrailingZeros();
        }
        return exact.round(new MathContext(p, RoundingMode.HALF_EVEN)).stripTrailingZeros();
      }
      if (downOk) {
        return down.stripTrailingZeros();
      }
      if (upOk) {
        return up.stripTrailingZeros();
      }
    }
    // 17 significant digits always round-trip a double, so this is unreachable
    throw new IllegalStateException("no decimal of 17 digits or fewer round-trips " + d);
  }

  private static boolean roundTrips(BigDecimal candidate, double d) {
    return Double.parseDouble(candidate.toString()) == d;
  }

  /** ECMAScript Number::toString steps 6 to 10 for digits {@code s} (length k) and decimal point position n. */
  private static String format(String s, int k, int n) {
    if (k <= n && n <= 21) {
      return s + "0".repeat(n - k);
    }
    if (0 < n && n <= 21) {
      return s.substring(0, n) + "." + s.substring(n);
    }
    if (-6 < n && n <= 0) {
      return "0." + "0".repeat(-n) + s;
    }
    int e = n - 1;
    String exponent = "e" + (e < 0 ? "-" : "+") + Math.abs(e);
    return k == 1 ? s + exponent : s.charAt(0) + "." + s.substring(1) + exponent;
  }

  /** A string as RFC 8785 section 3.2.2.2 writes it; a lone surrogate has no UTF-8 form and is rejected. */
  private static void string(String s, StringBuilder out) {
    out.append('"');
    int clean = 0;
    while (clean < s.length()) {
      char c = s.charAt(clean);
      if (c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c)) {
        break;
      }
      clean++;
    }
    // most strings need no escape at all: copy them in one go
    out.append(s, 0, clean);
    for (int i = clean; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX.toHexDigits((byte) c));
          } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            throw new IllegalArgumentException(String.format(
                "lone surrogate U+%04X at index %d of a string: RFC 8785 output is UTF-8, which cannot encode it",
                (int) c, i));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
