package dev.aegis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class SecretsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  // Example values are fake but well-formed. Vendor prefixes are split with "+" so that secret scanners run on
  // this repository do not flag the test source itself.
  private static final String AWS = "AKIAIOSFODNN7EXAMPLE";
  private static final String GITHUB = "gh" + "p_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";
  private static final String SLACK = "xo" + "xb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";
  private static final String STRIPE = "sk" + "_test_EXAMPLE4eC39HqLyjWDarjtT1zdp7dc";
  private static final String GOOGLE = "AI" + "zaSyD-EXAMPLE0123456789abcdefghijklmn";
  private static final String ANTHROPIC = "sk-" + "ant-api03-EXAMPLEexampleEXAMPLEexample0123456789AB";
  private static final String OPENAI = "sk-" + "proj-EXAMPLE1234567890abcdefEXAMPLE";
  private static final String PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34EXAMPLE\n"
      + "-----END RSA PRIVATE KEY-----";
  private static final String JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6Ikpv"
      + "aG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

  private static JsonNode json(String text) {
    return JSON.readTree(text);
  }

  /** The one hit in {@code value}, checked to cover exactly {@code secret} inside the string at {@code pointer}. */
  private static void assertSingleHit(JsonNode value, String pointer, String kind, String secret) {
    List<Secrets.Hit> hits = Secrets.find(value);
    assertThat(hits).as("hits in %s", value).hasSize(1);
    Secrets.Hit hit = hits.get(0);
    assertThat(hit.pointer()).isEqualTo(pointer);
    assertThat(hit.kind()).isEqualTo(kind);
    String text = value.at(pointer).asString();
    assertThat(text.substring(hit.start(), hit.end())).isEqualTo(secret);
  }

  private static ObjectNode holding(String field, String text) {
    ObjectNode node = NODES.objectNode();
    node.put(field, text);
    return node;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      aws-access-key | key AKIAIOSFODNN7EXAMPLE in use | AKIAIOSFODNN7EXAMPLE
      email          | write to jane.doe@example.com, thanks | jane.doe@example.com
      phone          | call +1 415 555 2671 today | +1 415 555 2671
      phone          | office (415) 555-2671 | (415) 555-2671
      credit-card    | card 4111 1111 1111 1111 exp 12/30 | 4111 1111 1111 1111
      credit-card    | amex 378282246310005 | 378282246310005
      iban           | pay to GB82 WEST 1234 5698 7654 32 please | GB82 WEST 1234 5698 7654 32
      iban           | DE89370400440532013000 | DE89370400440532013000
      us-ssn         | ssn: 123-45-6789. | 123-45-6789
      connection-string | DATABASE_URL=postgres://app:s3cr3t-Pa55@db.example.com:5432/app | postgres://app:s3cr3t-Pa55@db.example.com:5432
      password-assignment | login with password=hunter2! now | hunter2!
      password-assignment | {"api_key": "q8Wz!kLm29"} | q8Wz!kLm29
      """)
  void findsEachKindWithItsRange(String kind, String text, String secret) {
    assertSingleHit(holding("note", text), "/note", kind, secret);
  }

  @Test
  void findsVendorKeys() {
    assertSingleHit(holding("q", "id " + GITHUB + " here"), "/q", "github-token", GITHUB);
    assertSingleHit(holding("q", "bot " + SLACK), "/q", "slack-token", SLACK);
    assertSingleHit(holding("q", "charge with " + STRIPE + "."), "/q", "stripe-key", STRIPE);
    assertSingleHit(holding("q", "maps key=" + GOOGLE), "/q", "google-api-key", GOOGLE);
    assertSingleHit(holding("q", "ANTHROPIC_API_KEY " + ANTHROPIC), "/q", "anthropic-key", ANTHROPIC);
    assertSingleHit(holding("q", "use " + OPENAI + " for this"), "/q", "openai-key", OPENAI);
    assertSingleHit(holding("q", "key:\n" + PEM + "\nend"), "/q", "private-key", PEM);
    assertSingleHit(holding("q", "Authorization: Bearer " + JWT), "/q", "jwt", JWT);
  }

  @Test
  void aPrivateKeyWithoutItsFooterIsRedactedToTheEnd() {
    String cut = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ";
    assertSingleHit(holding("q", "here: " + cut), "/q", "private-key", cut);
  }

  @Test
  void aRandomValueUnderASecretNameIsAHit() {
    String value = "Zx9Qm3Lp7Rt2Vw8Ky4Bn6Hd1";
    assertSingleHit(holding("clientSecret", value), "/clientSecret", "high-entropy-near-secret-name", value);
    assertSingleHit(holding("Cookie", "sid=a8Kd03jfLq9ZmW2x"), "/Cookie", "high-entropy-near-secret-name",
        "sid=a8Kd03jfLq9ZmW2x");
    // the same value under an ordinary name, a word under a secret name, a short value: nothing
    assertThat(Secrets.find(holding("label", value))).isEmpty();
    assertThat(Secrets.find(holding("password_hint", "the name of my first dog"))).isEmpty();
    assertThat(Secrets.find(holding("token", "Zx9Qm3Lp7Rt"))).isEmpty();
    assertThat(Secrets.find(holding("author", value))).isEmpty();
  }

  @Test
  void pointersEscapeKeysAndIndexArrays() {
    JsonNode value = json("{\"a/b\":{\"m~n\":[\"x\",\"mail ann@example.org\"]}}");
    assertSingleHit(value, "/a~1b/m~0n/1", "email", "ann@example.org");
    assertSingleHit(NODES.stringNode(AWS), "", "aws-access-key", AWS);
  }

  @Test
  void categoriesSeparateCredentialsFromPersonalData() {
    List<Secrets.Hit> hits = Secrets.find(holding("q", AWS + " jane@example.com 123-45-6789"));
    assertThat(hits).extracting(Secrets.Hit::kind).containsExactly("aws-access-key", "email", "us-ssn");
    assertThat(hits).extracting(Secrets.Hit::category).containsExactly("credential", "personal", "personal");
  }

  @Test
  void checksumsRejectNearMisses() {
    assertThat(Secrets.find(holding("q", "card 4111 1111 1111 1112"))).isEmpty(); // Luhn fails
    assertThat(Secrets.find(holding("q", "GB83 WEST 1234 5698 7654 32"))).isEmpty(); // mod 97 fails
    assertThat(Secrets.find(holding("q", "GB82 WEST 1234 5698 7654 3"))).isEmpty(); // wrong length for GB
    assertThat(Secrets.find(holding("q", "666-12-3456 and 123-00-4567 and 123-45-0000"))).isEmpty();
    assertThat(Secrets.find(holding("q", "1234567812345670"))).isEmpty(); // Luhn-valid, but no issuer starts 1
    assertThat(SecretPatterns.luhn("79927398713")).isTrue();
    assertThat(SecretPatterns.luhn("79927398710")).isFalse();
  }

  @Test
  void overlappingRulesReportTheMostSpecific() {
    // sk-ant- is also sk-...; a key inside a URL's password is the URL's password; digits inside a key are not a
    // phone number.
    assertThat(Secrets.find(holding("q", ANTHROPIC))).extracting(Secrets.Hit::kind).containsExactly("anthropic-key");
    assertThat(Secrets.find(holding("q", "https://x:" + GITHUB + "@github.com/o/r.git")))
        .extracting(Secrets.Hit::kind).containsExactly("connection-string");
  }

  @Test
  void adjacentMatchesAreAllFound() {
    List<Secrets.Hit> hits = Secrets.find(holding("to", "a@example.com,b@example.org;c@example.net"));
    assertThat(hits).extracting(Secrets.Hit::kind).containsExactly("email", "email", "email");
  }

  @Test
  void redactionReplacesRangesInACopy() {
    ObjectNode value = NODES.objectNode();
    value.put("q", "key " + AWS + " mail jane@example.com");
    value.putArray("list").add(7).add("password=hunter22");
    value.put("clean", "nothing here");
    String before = value.toString();

    List<Secrets.Hit> hits = Secrets.find(value);
    JsonNode redacted = Secrets.redact(value, hits);

    assertThat(redacted.get("q").asString()).isEqualTo("key [REDACTED:aws-access-key] mail [REDACTED:email]");
    assertThat(redacted.at("/list/1").asString()).isEqualTo("password=[REDACTED:password-assignment]");
    assertThat(redacted.at("/list/0").asInt()).isEqualTo(7);
    assertThat(redacted.get("clean").asString()).isEqualTo("nothing here");
    assertThat(value.toString()).isEqualTo(before);
    assertThat(Secrets.find(redacted)).isEmpty();
  }

  @Test
  void redactionMergesOverlapsAndHandlesARootString() {
    JsonNode root = NODES.stringNode("abcdefghij");
    JsonNode out = Secrets.redact(root, List.of(new Secrets.Hit("", "x", 2, 6), new Secrets.Hit("", "y", 4, 8)));
    assertThat(out.asString()).isEqualTo("ab[REDACTED:x]ij");
    assertThat(root.asString()).isEqualTo("abcdefghij");
  }

  @Test
  void redactionRefusesHitsThatDoNotFit() {
    JsonNode value = holding("q", "short");
    assertThatThrownBy(() -> Secrets.redact(value, List.of(new Secrets.Hit("/q", "x", 2, 40))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("past the end");
    assertThatThrownBy(() -> Secrets.redact(value, List.of(new Secrets.Hit("/nope", "x", 0, 1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/nope");
    assertThatThrownBy(() -> new Secrets.Hit("/q", "x", 3, 3)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ordinaryToolArgumentsHaveNoHits() {
    byte[] png = new byte[48 * 1024];
    new Random(42).nextBytes(png);
    ObjectNode args = (ObjectNode) json("""
        {
          "path": "/home/user/projects/aegis/src/main/java/dev/aegis/policy/Secrets.java",
          "url": "https://github.com/modelcontextprotocol/servers/blob/main/README.md?tab=readme-ov-file#install",
          "remote": "git@github.com:modelcontextprotocol/servers.git",
          "clone": "https://deploy@gitlab.example.com/group/project.git",
          "id": "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
          "sessionId": "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
          "sha": "e83c5163316f89bfbde7d9ab23ca2e25604af290",
          "image": "sha256:9b2a1a5cbd1e8f5b14b7f3bd2c8e7a2bb2f6f9e3d0c7e4a1b2c3d4e5f6a7b8c9",
          "when": "2024-05-01T12:34:56.789+02:00",
          "epochMillis": "1714566896789",
          "snowflake": "1183942740935401472",
          "ip": "192.168.100.200:8080",
          "version": "@types/node@20.11.5",
          "asset": "assets/icon@2x.png",
          "query": "SELECT id, name FROM users WHERE created_at > '2024-01-01' LIMIT 100",
          "pageToken": "CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA0eGJ3cXUSBhoEYWJjZA",
          "max_tokens": 4096,
          "task": "risk-assessment-for-the-2024-quarter-planning",
          "package": "sk-learn-style-estimator-wrapper",
          "code": "String password = readPassword(console);\\nif (password == null) return;",
          "docs": "Set the password field to a string; see ${DB_PASSWORD} and postgres://user:${PASSWORD}@db/app",
          "text": "Meeting notes: we shipped 3 fixes (see #1234, #1240) and moved release 1.2.3 to 2024-06-15."
        }
        """);
    args.put("screenshot", "data:image/png;base64," + Base64.getEncoder().encodeToString(png));
    args.put("urlsafe", Base64.getUrlEncoder().encodeToString(png));
    assertThat(Secrets.find(args)).isEmpty();
  }

  /** The cheap conditions tested before a rule's automaton never skip a text the automaton would match. */
  @Test
  void preChecksNeverSkipAMatch() {
    String alphabet = "aAsSkKpPwWdDeEcCrRtToOnNyY_-=:\"' 0123456789\u017F\u212A";
    String[] words = {"password", "PASSWORD", "pa\u017F\u017Fword", "api_\u212Aey", "Api-Key", "Token", "secret",
        "pwd", "GB82", "DE89 3704 0044 0532 0130 00", "XX12", "=", ": ", "hunter22", "s3cr3tvalue"};
    Random random = new Random(5);
    int matched = 0;
    for (int i = 0; i < 60_000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = random.nextInt(8);
      for (int k = 0; k < n; k++) {
        if (random.nextBoolean()) {
          sb.append(words[random.nextInt(words.length)]);
        } else {
          sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      String text = sb.toString();
      for (SecretPatterns.Rule rule : SecretPatterns.RULES) {
        if (rule.pattern().matcher(text).find()) {
          matched++;
          assertThat(rule.may().test(text)).as(rule.kind() + " on \"" + text + "\"").isTrue();
        }
      }
    }
    assertThat(matched).isGreaterThan(5_000);
  }

  @Test
  void walkStopsAtTheStringLimit() {
    ArrayNode many = NODES.arrayNode();
    for (int i = 0; i < Secrets.MAX_STRINGS; i++) {
      many.add("plain " + i);
    }
    many.add(AWS);
    assertThat(Secrets.find(many)).isEmpty();
    many.remove(0);
    assertThat(Secrets.find(many)).extracting(Secrets.Hit::pointer).containsExactly("/" + (Secrets.MAX_STRINGS - 1));
  }

  @Test
  void walkStopsAtTheDepthLimit() {
    JsonNode shallow = nested(Secrets.MAX_DEPTH, NODES.stringNode(AWS));
    JsonNode deep = nested(Secrets.MAX_DEPTH + 1, NODES.stringNode(AWS));
    assertThat(Secrets.find(shallow)).hasSize(1);
    assertThat(Secrets.find(deep)).isEmpty();
  }

  private static JsonNode nested(int levels, JsonNode leaf) {
    JsonNode node = leaf;
    for (int i = 0; i < levels; i++) {
      node = NODES.arrayNode().add(node);
    }
    return node;
  }

  @Test
  void onlyTheFirstMebibyteOfAStringIsScanned() {
    String pad = "x".repeat(Secrets.MAX_STRING_CHARS - AWS.length() - 1) + " ";
    assertThat(Secrets.find(NODES.stringNode(pad + AWS))).hasSize(1);
    assertThat(Secrets.find(NODES.stringNode(pad + "-" + AWS))).isEmpty();
  }

  @Test
  void adversarialMegabyteStringsStayLinear() {
    String[] units = {"AKIA", "a@", "a@b.", "4111 ", "1-", "+1 ", "GB82 ", "sk-", "eyJa.", "password=",
        "://a:b@", "-----BEGIN RSA PRIVATE KEY-----", "0", "A", "Zx9Q"};
    for (String unit : units) {
      String text = unit.repeat(Secrets.MAX_STRING_CHARS / unit.length());
      long start = System.nanoTime();
      Secrets.find(holding("password", text));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(millis).as("1 MiB of %s", unit).isLessThan(2_000);
    }
  }
}
