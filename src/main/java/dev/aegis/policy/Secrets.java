package dev.aegis.policy;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * Finds credentials and personal data in a JSON value (tool arguments, tool results) and redacts them. Every string
 * is scanned; a string under a secret-sounding key ({@code password}, {@code token}, {@code api_key},
 * {@code authorization}, {@code cookie}...) that looks random also counts. Object keys themselves are not scanned.
 *
 * <pre>{@code
 * List<Secrets.Hit> hits = Secrets.find(arguments);
 * if (hits.stream().anyMatch(h -> h.category().equals("credential"))) {
 *   JsonNode safe = Secrets.redact(arguments, hits); // {"q": "key [REDACTED:aws-access-key]"}
 * }
 * }</pre>
 *
 * <p>Bounded because the text is written by whoever controls the arguments: at most {@link #MAX_STRINGS} strings,
 * the first {@link #MAX_STRING_CHARS} characters of each, {@link #MAX_DEPTH} levels of nesting. What lies beyond
 * is not scanned; callers that must be sure bound the value first (see {@link ArgumentSchema}). Every pattern is
 * RE2/J, linear in the text.
 */
public final class Secrets {
  /** Strings scanned per value; the walk stops after this many. */
  public static final int MAX_STRINGS = 20_000;
  /** Characters scanned per string (1 MiB); the rest of a longer string is not scanned. */
  public static final int MAX_STRING_CHARS = 1 << 20;
  /** Containers deeper than this are not entered. */
  public static final int MAX_DEPTH = 64;
  /** Hits kept per string: a string of ten thousand emails needs redacting, not ten thousand findings. */
  static final int MAX_HITS_PER_STRING = 1_000;

  /**
   * A secret-sounding key, matched against the key in snake case ({@code sessionId} reads {@code session_id}).
   * Short words must stand alone: {@code auth} is not {@code author}, {@code pass} is not {@code passenger}.
   */
  private static final Pattern SECRET_NAME = Pattern.compile("password|passwd|passphrase|secret|token|api_?key"
      + "|authorization|cookie|credential|private_?key|access_?key|bearer"
      + "|(?:^|[^a-z])(?:pwd|pass|auth|session|sid|sig|signature)(?:[^a-z]|$)");
  /** Opaque but not secret: paging cursors are handed to whoever asks for the next page. */
  private static final Pattern PAGING_NAME = Pattern.compile("(?:^|[^a-z])(?:page|next|cursor|continuation|sync"
      + "|resume)(?:[^a-z]|$)");
  private static final Pattern AUTH_SCHEME = Pattern.compile("(?i)(?:bearer|basic|token|digest) ");
  /** A UUID identifies; it is not, on its own, a credential. */
  private static final Pattern UUID = Pattern.compile(
      "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  private static final int NEAR_NAME_MIN_LENGTH = 16;
  private static final double NEAR_NAME_MIN_BITS = 3.5;

  private Secrets() {}

  /**
   * One finding: the string at {@code pointer} (RFC 6901) holds {@code kind} at characters
   * {@code [start, end)}.
   */
  public record Hit(String pointer, String kind, int start, int end) {
    public Hit {
      Objects.requireNonNull(pointer, "pointer");
      Objects.requireNonNull(kind, "kind");
      if (start < 0 || end <= start) {
        throw new IllegalArgumentException("hit " + kind + " at " + pointer + ": range [" + start + ", " + end
            + ") is empty or negative");
      }
    }

    /** {@code "personal"} for data about a person (email, phone, card, IBAN, SSN), else {@code "credential"}. */
    public String category() {
      return SecretPatterns.PERSONAL.contains(kind) ? "personal" : "credential";
    }
  }

  /** Every hit in {@code value}, in document order, then by position in the string. Null finds nothing. */
  public static List<Hit> find(JsonNode value) {
    List<Hit> hits = new ArrayList<>();
    if (value != null) {
      walk(value, "", null, 0, hits, new int[] {0});
    }
    return hits;
  }

  private static void walk(JsonNode node, String pointer, String key, int depth, List<Hit> hits, int[] strings) {
    if (strings[0] >= MAX_STRINGS) {
      return;
    }
    if (node.isString()) {
      strings[0]++;
      scan(node.asString(), pointer, key, hits);
    } else if (node.isObject() && depth < MAX_DEPTH) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        walk(e.getValue(), pointer + "/" + escape(e.getKey()), e.getKey(), depth + 1, hits, strings);
      }
    } else if (node.isArray() && depth < MAX_DEPTH) {
      // Array elements inherit the key: {"tokens": ["...", "..."]} holds tokens.
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), pointer + "/" + i, key, depth + 1, hits, strings);
      }
    }
  }

  private static void scan(String full, String pointer, String key, List<Hit> hits) {
    String text = full.length() > MAX_STRING_CHARS ? full.substring(0, MAX_STRING_CHARS) : full;
    // start -> end of the ranges already claimed by a higher-priority rule
    TreeMap<Integer, Integer> taken = new TreeMap<>();
    List<Hit> found = new ArrayList<>();
    int digits = SecretPatterns.countDigits(text);
    for (SecretPatterns.Rule rule : SecretPatterns.RULES) {
      if (!rule.gate(text, digits)) {
        continue;
      }
      Matcher m = rule.pattern().matcher(text);
      int from = 0;
      // find(from) instead of find(): rules that consume one character of context on each side must be able to
      // use the separator between two adjacent matches ("a@x.org,b@y.org") as the next match's left context.
      while (found.size() < MAX_HITS_PER_STRING && from <= text.length() && m.find(from)) {
        int start = m.start(rule.group());
        int end = m.end(rule.group());
        from = Math.max(end, m.start() + 1);
        if (end > start && rule.check().test(text.substring(start, end)) && free(taken, start, end)) {
          taken.put(start, end);
          found.add(new Hit(pointer, rule.kind(), start, end));
        }
      }
    }
    if (key != null && taken.isEmpty() && nearSecretName(key, text)) {
      found.add(new Hit(pointer, "high-entropy-near-secret-name", 0, text.length()));
    }
    found.sort(Comparator.comparingInt(Hit::start));
    hits.addAll(found);
  }

  private static boolean free(TreeMap<Integer, Integer> taken, int start, int end) {
    Map.Entry<Integer, Integer> before = taken.floorEntry(start);
    if (before != null && before.getValue() > start) {
      return false;
    }
    Integer next = taken.ceilingKey(start);
    return next == null || next >= end;
  }

  private static boolean nearSecretName(String key, String value) {
    // Shannon entropy alone does not tell prose from keys (English runs near 4 bits a letter), so a secret must
    // also be one token: "Bearer <token>" is judged on the token.
    String token = AUTH_SCHEME.matcher(value).lookingAt() ? value.substring(value.indexOf(' ') + 1) : value;
    if (token.length() < NEAR_NAME_MIN_LENGTH || hasWhitespace(token) || UUID.matcher(token).matches()) {
      return false;
    }
    String name = snakeCase(key.length() > 256 ? key.substring(0, 256) : key);
    return SECRET_NAME.matcher(name).find() && !PAGING_NAME.matcher(name).find()
        && SecretPatterns.entropy(token) >= NEAR_NAME_MIN_BITS;
  }

  private static boolean hasWhitespace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /** {@code sessionId} and {@code Session-ID} both read {@code session_id}. */
  static String snakeCase(String key) {
    StringBuilder sb = new StringBuilder(key.length() + 4);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isUpperCase(c) && i > 0 && Character.isLowerCase(key.charAt(i - 1))) {
        sb.append('_');
      }
      sb.append(c == '-' ? '_' : Character.toLowerCase(c));
    }
    return sb.toString();
  }

  /**
   * A deep copy of {@code value} in which each hit's range reads {@code [REDACTED:kind]}; {@code value} is not
   * changed. Overlapping ranges are merged under the kind of the first. A hit whose pointer does not name a string
   * long enough for its range is a programmer error.
   *
   * @throws IllegalArgumentException when a hit does not fit {@code value}
   */
  public static JsonNode redact(JsonNode value, List<Hit> hits) {
    Objects.requireNonNull(value, "value");
    JsonNode copy = value.deepCopy();
    Map<String, List<Hit>> byPointer = new TreeMap<>();
    for (Hit hit : hits) {
      byPointer.computeIfAbsent(hit.pointer(), p -> new ArrayList<>()).add(hit);
    }
    for (Map.Entry<String, List<Hit>> e : byPointer.entrySet()) {
      JsonNode target = copy.at(e.getKey());
      if (!target.isString()) {
        throw new IllegalArgumentException("hit at " + e.getKey() + ": no string there to redact");
      }
      String redacted = redactText(target.asString(), e.getKey(), e.getValue());
      if (e.getKey().isEmpty()) {
        copy = StringNode.valueOf(redacted);
      } else {
        replace(copy, e.getKey(), StringNode.valueOf(redacted));
      }
    }
    return copy;
  }

  private static String redactText(String text, String pointer, List<Hit> hits) {
    List<Hit> sorted = new ArrayList<>(hits);
    sorted.sort(Comparator.comparingInt(Hit::start).thenComparing(Comparator.comparingInt(Hit::end).reversed()));
    StringBuilder sb = new StringBuilder(text.length());
    int last = 0;
    for (Hit hit : sorted) {
      if (hit.end() > text.length()) {
        throw new IllegalArgumentException("hit " + hit.kind() + " at " + pointer + ": range [" + hit.start() + ", "
            + hit.end() + ") is past the end of a " + text.length() + "-character string");
      }
      if (hit.end() <= last) {
        continue; // inside a range already redacted
      }
      if (hit.start() >= last) {
        sb.append(text, last, hit.start()).append("[REDACTED:").append(hit.kind()).append(']');
      }
      // an overlapping hit only extends the redaction already written
      last = hit.end();
    }
    return sb.append(text, last, text.length()).toString();
  }

  /** Sets the node at a non-empty pointer that {@link JsonNode#at(String)} has already resolved. */
  private static void replace(JsonNode root, String pointer, JsonNode replacement) {
    int slash = pointer.lastIndexOf('/');
    JsonNode parent = slash == 0 ? root : root.at(pointer.substring(0, slash));
    String token = unescape(pointer.substring(slash + 1));
    if (parent instanceof ObjectNode object) {
      object.set(token, replacement);
    } else if (parent instanceof ArrayNode array) {
      array.set(Integer.parseInt(token), replacement);
    } else {
      throw new IllegalArgumentException("hit at " + pointer + ": parent is not a container");
    }
  }

  static String escape(String key) {
    return key.indexOf('~') < 0 && key.indexOf('/') < 0 ? key : key.replace("~", "~0").replace("/", "~1");
  }

  private static String unescape(String token) {
    return token.replace("~1", "/").replace("~0", "~");
  }
}
