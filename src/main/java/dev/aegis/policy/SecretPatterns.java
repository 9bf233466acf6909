package dev.aegis.policy;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The detectors behind {@link Secrets}, in priority order: when two matches overlap, the earlier rule wins, so a
 * specific shape ({@code sk-ant-...}) is never reported as a generic one ({@code sk-...}) and personal-data rules
 * never claim digits inside a credential. RE2/J only: the text is written by whoever controls the arguments.
 */
final class SecretPatterns {
  /**
   * One detector. {@code needles}: the rule runs only when the text contains one of them (a cheap
   * {@code indexOf} that keeps a megabyte of prose from going through every automaton); empty means always.
   * {@code group}: the part of the match that is the secret. {@code check}: a final test of that part (checksum,
   * placeholder, digit count) that keeps false positives down. {@code may}: a cheaper condition every match needs,
   * tested before the automaton runs (short texts with a ':' or four digits are the common case on a tool call).
   */
  record Rule(String kind, Pattern pattern, int group, List<String> needles, Predicate<String> check,
      int minDigits, Predicate<String> may) {
    Rule(String kind, Pattern pattern, int group, List<String> needles, Predicate<String> check) {
      this(kind, pattern, group, needles, check, 0, ANY);
    }

    Rule(String kind, Pattern pattern, int group, List<String> needles, Predicate<String> check, int minDigits) {
      this(kind, pattern, group, needles, check, minDigits, ANY);
    }

    /** Whether the rule can match text holding {@code digits} ASCII digits; false skips the automaton. */
    boolean gate(String text, int digits) {
      if (digits < minDigits) {
        return false;
      }
      boolean needle = needles.isEmpty();
      for (int i = 0; i < needles.size() && !needle; i++) {
        needle = text.contains(needles.get(i));
      }
      return needle && may.test(text);
    }
  }

  static final Set<String> PERSONAL = Set.of("email", "phone", "credit-card", "iban", "us-ssn");

  private static final Predicate<String> ANY = s -> true;

  /** Values in {@code password = ...} that are code or documentation, not a password. */
  private static final Set<String> PLACEHOLDERS = Set.of("string", "str", "null", "none", "nil", "true", "false",
      "undefined", "required", "optional", "redacted", "hidden", "masked", "example", "password", "secret",
      "token", "value", "your_password", "your-password", "yourpassword", "placeholder");

  static final List<Rule> RULES = List.of(
      // Whole PEM block when it is complete, else from the header to the end of the text: the key body follows it.
      new Rule("private-key", Pattern.compile("-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?s:.*?)"
          + "-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
          + "(?s:.*)"), 0, List.of("PRIVATE KEY"), ANY),
      // scheme://user:password@host: a password in a URL. A URL without one, or with a template, is not a hit.
      new Rule("connection-string", Pattern.compile("\\b[A-Za-z][A-Za-z0-9+.-]*://[^\\s:/@\"'<>]+:"
          + "([^\\s/@\"'<>]+)@[^\\s/?#\"'<>]+"), 0, List.of("://"),
          s -> !placeholderPassword(passwordOf(s))),
      new Rule("aws-access-key", Pattern.compile("\\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)"
          + "[A-Z0-9]{16}\\b"), 0, List.of("AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA",
          "ANVA", "APKA"), ANY),
      new Rule("github-token", Pattern.compile("\\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"
          + "\\b"), 0, List.of("gh", "github_pat_"), ANY),
      new Rule("slack-token", Pattern.compile("\\bxox[abposre]-[A-Za-z0-9-]{10,}|https://hooks\\.slack\\.com/"
          + "services/T[A-Z0-9]{6,20}/B[A-Z0-9]{6,20}/[A-Za-z0-9]{16,}"), 0, List.of("xox", "hooks.slack.com"),
          ANY),
      // Publishable keys (pk_) are meant to be public; secret (sk_) and restricted (rk_) keys are not.
      new Rule("stripe-key", Pattern.compile("\\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\\b"), 0,
          List.of("k_live_", "k_test_"), ANY),
      // The key is 39 characters ending in [A-Za-z0-9_-]; "-" is not a word character, so the right edge is
      // checked by a group instead of \b.
      new Rule("google-api-key", Pattern.compile("\\b(AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)"), 1,
          List.of("AIza"), ANY),
      new Rule("anthropic-key", Pattern.compile("\\bsk-ant-[A-Za-z0-9_-]{32,}"), 0, List.of("sk-ant-"), ANY),
      // Project, service-account and admin keys carry a prefix; legacy keys are 48 letters and digits. A bare
      // "sk-" followed by dashes and words is a name (sk-learn-wrapper), and base64url text often holds "-sk-".
      new Rule("openai-key", Pattern.compile("\\bsk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}"
          + "|[A-Za-z0-9]{32,}\\b)"), 0, List.of("sk-"), s -> lettersAndDigits(s.substring(3))),
      new Rule("jwt", Pattern.compile("\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*"), 0,
          List.of("eyJ"), ANY),
      // password=..., "api_key": "...": the value only. The value must end at a terminator, not at "(": code
      // (password = readPassword(console)) and placeholders are not passwords.
      new Rule("password-assignment", Pattern.compile("(?i)\\b(?:password|passwd|pwd|passphrase|secret|"
          + "client_secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|secret[_-]?key)[\"']?\\s*[:=]"
          + "\\s*[\"']?([^\\s\"',;&(){}\\[\\]<>$`]{6,})(?:[\\s\"',;&)}\\]<>]|$)"), 1, List.of("=", ":"),
          s -> s.length() <= 200 && !PLACEHOLDERS.contains(s.toLowerCase(Locale.ROOT)) && !s.chars().allMatch(c -> c == '*' || c == 'x'
              || c == 'X' || c == '.'), 0, SecretPatterns::mayNameASecret),
      new Rule("credit-card", Pattern.compile("\\b[0-9](?:[ -]?[0-9])+\\b"), 0, List.of(),
          SecretPatterns::cardNumber, 13),
      new Rule("iban", Pattern.compile("\\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9])+\\b"), 0, List.of(),
          SecretPatterns::iban, 4, SecretPatterns::mayBeIban),
      // Dashes required: nine bare digits are far more often an id than an SSN.
      new Rule("us-ssn", Pattern.compile("(?:^|[^0-9-])([0-8][0-9]{2}-[0-9]{2}-[0-9]{4})(?:[^0-9-]|$)"), 1,
          List.of("-"), SecretPatterns::ssn, 9),
      // git@github.com:org/repo and https://user@host are addresses of repositories, not of people; icon@2x.png
      // is a file.
      new Rule("email", Pattern.compile("(?:^|[^A-Za-z0-9._%+/:-])([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+"
          + "(?:\\.[A-Za-z0-9-]+)*\\.([A-Za-z]{2,24}))(?:[^A-Za-z0-9.:-]|\\.(?:[^A-Za-z0-9]|$)|$)"), 1,
          List.of("@"), SecretPatterns::emailDomain),
      // +CC and 8 to 15 digits, or a US number written 415-555-2671 / (415) 555-2671: separators are required so
      // timestamps and ids are not phones.
      new Rule("phone", Pattern.compile("(?:^|[^0-9A-Za-z+])(\\+[1-9][0-9]{0,2}(?:[ .-]?\\(?[0-9]{1,4}\\)?){2,5}"
          + "|\\(?[2-9][0-9]{2}\\)?[ .-][2-9][0-9]{2}[ .-][0-9]{4})(?:[^0-9A-Za-z]|$)"), 1, List.of(),
          SecretPatterns::phone, 8));

  /**
   * Whether {@code text} holds, ignoring case as {@code (?i)} does, one of the words every name in the
   * password-assignment rule contains: pass, pwd, secret, key, token. RE2/J folds case by Unicode orbits, so U+017F
   * (long s) counts as s and U+212A (Kelvin sign) as k.
   */
  static boolean mayNameASecret(String text) {
    return containsFolded(text, "pass") || containsFolded(text, "pwd") || containsFolded(text, "secret")
        || containsFolded(text, "key") || containsFolded(text, "token");
  }

  private static boolean containsFolded(String text, String word) {
    int n = text.length() - word.length();
    outer:
    for (int i = 0; i <= n; i++) {
      for (int k = 0; k < word.length(); k++) {
        if (fold(text.charAt(i + k)) != word.charAt(k)) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static char fold(char c) {
    if (c >= 'A' && c <= 'Z') {
      return (char) (c + 32);
    }
    return c == '\u017F' ? 's' : c == '\u212A' ? 'k' : c;
  }

  /** Two capital letters then two digits somewhere: the start of every IBAN the rule accepts. */
  static boolean mayBeIban(String text) {
    for (int i = 0; i + 3 < text.length(); i++) {
      char d = text.charAt(i + 2);
      if (d >= '0' && d <= '9' && isUpper(text.charAt(i)) && isUpper(text.charAt(i + 1))) {
        char e = text.charAt(i + 3);
        if (e >= '0' && e <= '9') {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean isUpper(char c) {
    return c >= 'A' && c <= 'Z';
  }

  /** Top-level domains that are really file extensions: {@code icon@2x.png} is not an address. */
  private static final Set<String> FILE_TLDS = Set.of("png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp",
      "pdf", "js", "mjs", "ts", "tsx", "jsx", "css", "json", "txt", "md", "html", "xml", "yaml", "yml", "java",
      "py", "rb", "go", "rs", "zip", "gz", "tar", "lock");

  /** IBAN length per country (ISO 13616 registry), for the countries most often seen. */
  private static final Map<String, Integer> IBAN_LENGTH = Map.ofEntries(
      Map.entry("AD", 24), Map.entry("AE", 23), Map.entry("AT", 20), Map.entry("BE", 16), Map.entry("BG", 22),
      Map.entry("BH", 22), Map.entry("BR", 29), Map.entry("CH", 21), Map.entry("CY", 28), Map.entry("CZ", 24),
      Map.entry("DE", 22), Map.entry("DK", 18), Map.entry("EE", 20), Map.entry("ES", 24), Map.entry("FI", 18),
      Map.entry("FO", 18), Map.entry("FR", 27), Map.entry("GB", 22), Map.entry("GI", 23), Map.entry("GL", 18),
      Map.entry("GR", 27), Map.entry("HR", 21), Map.entry("HU", 28), Map.entry("IE", 22), Map.entry("IL", 23),
      Map.entry("IS", 26), Map.entry("IT", 27), Map.entry("KW", 30), Map.entry("KZ", 20), Map.entry("LB", 28),
      Map.entry("LI", 21), Map.entry("LT", 20), Map.entry("LU", 20), Map.entry("LV", 21), Map.entry("MC", 27),
      Map.entry("MT", 31), Map.entry("NL", 18), Map.entry("NO", 15), Map.entry("PK", 24), Map.entry("PL", 28),
      Map.entry("PT", 25), Map.entry("QA", 29), Map.entry("RO", 24), Map.entry("RS", 22), Map.entry("SA", 24),
      Map.entry("SE", 24), Map.entry("SI", 19), Map.entry("SK", 24), Map.entry("SM", 27), Map.entry("TR", 26),
      Map.entry("UA", 29), Map.entry("VA", 22));

  private static final Pattern URL_PASSWORD = Pattern.compile("://[^:]*:([^@]*)@");

  private SecretPatterns() {}

  private static String passwordOf(String connection) {
    Matcher m = URL_PASSWORD.matcher(connection);
    return m.find() ? m.group(1) : "";
  }

  /** {@code ${DB_PASSWORD}}, {@code {{password}}}, {@code ****}: a template, not a leaked value. */
  private static boolean placeholderPassword(String password) {
    return password.isEmpty() || password.startsWith("${") || password.startsWith("{{") || password.startsWith("%")
        || password.chars().allMatch(c -> c == '*' || c == 'x' || c == 'X')
        || PLACEHOLDERS.contains(password.toLowerCase(Locale.ROOT));
  }

  private static boolean lettersAndDigits(String s) {
    boolean letter = false;
    boolean digit = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      letter |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      digit |= c >= '0' && c <= '9';
    }
    return letter && digit;
  }

  static int countDigits(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        n++;
      }
    }
    return n;
  }

  private static String digitsOf(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** A card number: an issuer prefix, a length that issuer uses, and a valid Luhn check digit. */
  static boolean cardNumber(String match) {
    String d = digitsOf(match);
    int n = d.length();
    if (n < 13 || n > 19) {
      return false;
    }
    boolean issuer = switch (d.charAt(0)) {
      case '4' -> n == 13 || n == 16 || n == 19; // Visa
      case '5' -> n == 16 && d.charAt(1) >= '1' && d.charAt(1) <= '5'; // Mastercard
      case '2' -> n == 16 && inRange(d, 4, 2221, 2720); // Mastercard 2-series
      case '3' -> (n == 15 && (d.startsWith("34") || d.startsWith("37"))) // Amex
          || (n >= 16 && n <= 19 && inRange(d, 4, 3528, 3589)) // JCB
          || (n == 14 && (d.startsWith("36") || d.startsWith("38") || inRange(d, 3, 300, 305))); // Diners
      case '6' -> n >= 16 && n <= 19 && (d.startsWith("6011") || d.startsWith("65") || inRange(d, 3, 644, 649)
          || d.startsWith("62")); // Discover, UnionPay
      default -> false;
    };
    return issuer && d.chars().distinct().count() > 1 && luhn(d);
  }

  private static boolean inRange(String digits, int prefixLength, int low, int high) {
    int p = Integer.parseInt(digits.substring(0, prefixLength));
    return p >= low && p <= high;
  }

  static boolean luhn(String digits) {
    int sum = 0;
    boolean twice = false;
    for (int i = digits.length() - 1; i >= 0; i--) {
      int v = digits.charAt(i) - '0';
      if (twice) {
        v *= 2;
        if (v > 9) {
          v -= 9;
        }
      }
      sum += v;
      twice = !twice;
    }
    return sum % 10 == 0;
  }

  /** Known country, that country's length, and ISO 7064 mod 97-10 equal to 1. */
  static boolean iban(String match) {
    String s = match.replace(" ", "");
    if (s.length() > 34) {
      return false;
    }
    Integer length = IBAN_LENGTH.get(s.substring(0, 2));
    if (length == null || s.length() != length) {
      return false;
    }
    String rearranged = s.substring(4) + s.substring(0, 4);
    int rest = 0;
    for (int i = 0; i < rearranged.length(); i++) {
      char c = rearranged.charAt(i);
      int v = Character.isDigit(c) ? c - '0' : c - 'A' + 10;
      rest = v >= 10 ? (rest * 100 + v) % 97 : (rest * 10 + v) % 97;
    }
    return rest == 1;
  }

  /** The SSA never issues area 000, 666 or 9xx, group 00 or serial 0000. */
  static boolean ssn(String s) {
    String area = s.substring(0, 3);
    return !area.equals("000") && !area.equals("666") && !s.startsWith("00", 4) && !s.startsWith("0000", 7);
  }

  private static boolean emailDomain(String address) {
    if (address.indexOf('@') > 64 || address.length() > 254) {
      return false;
    }
    String tld = address.substring(address.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    return !FILE_TLDS.contains(tld);
  }

  private static boolean phone(String s) {
    int n = digitsOf(s).length();
    return s.startsWith("+") ? n >= 8 && n <= 15 : n == 10;
  }

  /** Shannon entropy in bits per character, over the whole string. */
  static double entropy(String s) {
    if (s.isEmpty()) {
      return 0;
    }
    int[] ascii = new int[128];
    Map<Character, Integer> other = new java.util.HashMap<>();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 128) {
        ascii[c]++;
      } else {
        other.merge(c, 1, Integer::sum);
      }
    }
    double bits = 0;
    double n = s.length();
    for (int count : ascii) {
      if (count > 0) {
        bits -= count / n * (Math.log(count / n) / Math.log(2));
      }
    }
    for (int count : other.values()) {
      bits -= count / n * (Math.log(count / n) / Math.log(2));
    }
    return bits;
  }
}
