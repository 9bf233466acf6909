package dev.aegis.pin;

import static dev.aegis.pin.ChangeClass.BREAKING;
import static dev.aegis.pin.ChangeClass.CAPABILITY_WIDENING;
import static dev.aegis.pin.ChangeClass.COMPATIBLE;
import static dev.aegis.pin.ChangeClass.DESCRIPTION_CHANGED_BENIGN;

import com.google.re2j.Pattern;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.BooleanNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Compares two JSON Schemas keyword by keyword and records each difference as a {@link Change}. An input schema is
 * what the client sends, so a narrower schema breaks callers; an output schema is what the client receives, so
 * there a wider schema breaks consumers. {@link Direction} carries that variance, and the same kind (say
 * {@code enum_widened}) gets the class that fits the direction.
 *
 * <p>Modelled keywords: {@code type properties required enum const pattern format minimum exclusiveMinimum maximum
 * exclusiveMaximum minLength maxLength minItems maxItems minProperties maxProperties minContains maxContains
 * multipleOf uniqueItems additionalProperties items prefixItems description title $comment default examples
 * deprecated readOnly writeOnly $schema}. Any other keyword that differs is reported as {@code changed}, breaking,
 * because we cannot tell which way it moved; unless only description/title text inside it differs.
 */
final class SchemaWalk {
  enum Direction { INPUT, OUTPUT }

  static final Set<String> TEXT = Set.of("description", "title", "$comment");
  private static final Set<String> LOWER = Set.of("minimum", "exclusiveMinimum", "minLength", "minItems",
      "minProperties", "minContains");
  private static final Set<String> UPPER = Set.of("maximum", "exclusiveMaximum", "maxLength", "maxItems",
      "maxProperties", "maxContains");
  private static final Set<String> ANNOTATIONS = Set.of("default", "examples", "deprecated", "readOnly", "writeOnly",
      "$schema");
  /** Read by Java code only, never matched by a regex: the name is split into lower-case words first. */
  private static final Pattern CHANNEL_NAME = Pattern.compile("(?:^| )(?:urls?|uris?|endpoints?|webhooks?"
      + "|callbacks?|hosts?|hostnames?|servers?|e ?mails?|mail|mailto|recipients?|to|cc|bcc|forward|forwards"
      + "|forwarding|upload|uploads|destinations?|dest|sidenotes?|side ?notes?|notes|feedback|proxy|phone|sms"
      + "|sink|notify|channel|exfil\\w*)(?: |$)");
  /** What a parameter's description says it carries: a place data goes to. */
  private static final Pattern CHANNEL_TEXT = Pattern.compile("(?i)\\b(?:urls?|uris?|endpoints?|webhooks?"
      + "|callbacks?|hostnames?|e-?mail address(?:es)?|recipients?|bcc|destination)\\b"
      + "|\\bwhere (?:to|we) (?:send|forward|post|upload|deliver|report|copy|mail)\\b"
      + "|\\b(?:send|sends|sent|forward|forwards|forwarded|post|posts|posted|upload|uploads|uploaded|deliver"
      + "|delivers|delivered|transmit|transmits|transmitted|copy|copied|report|reported)\\b[^.\\n]{0,60}?\\bto\\b"
      + "[^.\\n]{0,40}?\\b(?:url|address|server|endpoint|host|e-?mail|recipient|webhook|inbox|number|channel)");
  private static final int MAX_TEXT = 4096;

  private final Direction dir;
  private final List<Change> out;

  SchemaWalk(Direction dir, List<Change> out) {
    this.dir = dir;
    this.out = out;
  }

  /** A schema that got narrower: input callers may now be refused, output consumers are safe. */
  private ChangeClass tightened() {
    return dir == Direction.INPUT ? BREAKING : COMPATIBLE;
  }

  /** A schema that got wider: input callers are safe, output consumers may see values they do not handle. */
  private ChangeClass relaxed() {
    return dir == Direction.INPUT ? COMPATIBLE : BREAKING;
  }

  private void add(String kind, ChangeClass c, String pointer, JsonNode before, JsonNode after) {
    out.add(new Change(kind, c, pointer, before, after));
  }

  /** Compares two schemas (absent is passed as {@code true}, the schema that accepts everything). */
  void schema(String p, JsonNode b, JsonNode a) {
    if (b.equals(a)) {
      return;
    }
    if (isFalse(b) || isFalse(a)) {
      boolean ap = p.endsWith("/additionalProperties");
      if (isFalse(a)) {
        add(ap ? "additional_properties_closed" : "schema_closed", tightened(), p, b, a);
      } else {
        add(ap ? "additional_properties_opened" : "schema_opened", relaxed(), p, b, a);
      }
      return;
    }
    ObjectNode empty = JsonNodeFactory.instance.objectNode();
    JsonNode bo = isTrue(b) ? empty : b;
    JsonNode ao = isTrue(a) ? empty : a;
    if (!bo.isObject() || !ao.isObject()) {
      unmodelled(p, b, a);
      return;
    }
    Set<String> keys = new LinkedHashSet<>(bo.propertyNames());
    keys.addAll(ao.propertyNames());
    boolean props = false;
    for (String k : keys) {
      JsonNode bv = bo.get(k);
      JsonNode av = ao.get(k);
      String kp = p + "/" + Change.escape(k);
      if (k.equals("properties") || k.equals("required")) {
        if (!props) {
          props = true;
          properties(p, bo, ao);
        }
      } else if (bv != null && av != null && bv.equals(av)) {
        continue;
      } else if (k.equals("type")) {
        type(kp, bv, av);
      } else if (k.equals("enum")) {
        enumValues(kp, bv, av);
      } else if (k.equals("const")) {
        addedChangedRemoved("const", kp, bv, av);
      } else if (k.equals("pattern") || k.equals("format")) {
        addedChangedRemoved(k, kp, bv, av);
      } else if (LOWER.contains(k) || UPPER.contains(k)) {
        bound(kp, bv, av, LOWER.contains(k));
      } else if (k.equals("multipleOf")) {
        multipleOf(kp, bv, av);
      } else if (k.equals("uniqueItems")) {
        uniqueItems(kp, bv, av);
      } else if (k.equals("additionalProperties")) {
        schema(kp, orTrue(bv), orTrue(av));
      } else if (k.equals("items") || k.equals("prefixItems")) {
        items(kp, bv, av);
      } else if (TEXT.contains(k)) {
        add("description_changed", DESCRIPTION_CHANGED_BENIGN, kp, bv, av);
      } else if (ANNOTATIONS.contains(k)) {
        add("schema_annotation_changed", COMPATIBLE, kp, bv, av);
      } else {
        unmodelled(kp, bv, av);
      }
    }
  }

  private void properties(String p, JsonNode b, JsonNode a) {
    JsonNode bp = b.get("properties");
    JsonNode ap = a.get("properties");
    JsonNode br = b.get("required");
    JsonNode ar = a.get("required");
    boolean propsOk = (bp == null || bp.isObject()) && (ap == null || ap.isObject());
    boolean reqOk = names(br) != null && names(ar) != null;
    if (!propsOk || !reqOk) {
      // Not the shape we model (say "required": true from draft 3): compare the raw values conservatively.
      if (!same(bp, ap)) {
        unmodelled(p + "/properties", bp, ap);
      }
      if (!same(br, ar)) {
        unmodelled(p + "/required", br, ar);
      }
      return;
    }
    Map<String, JsonNode> before = fields(bp);
    Map<String, JsonNode> after = fields(ap);
    List<String> bReq = names(br);
    List<String> aReq = names(ar);
    boolean in = dir == Direction.INPUT;
    for (Map.Entry<String, JsonNode> e : before.entrySet()) {
      String pp = p + "/properties/" + Change.escape(e.getKey());
      JsonNode now = after.get(e.getKey());
      if (now == null) {
        add(in ? "parameter_removed" : "output_property_removed", BREAKING, pp, e.getValue(), null);
      } else {
        schema(pp, e.getValue(), now);
      }
    }
    for (Map.Entry<String, JsonNode> e : after.entrySet()) {
      String name = e.getKey();
      if (before.containsKey(name)) {
        continue;
      }
      String pp = p + "/properties/" + Change.escape(name);
      if (!in) {
        add("output_property_added", COMPATIBLE, pp, null, e.getValue());
      } else if (aReq.contains(name)) {
        add("required_parameter_added", BREAKING, pp, null, e.getValue());
      } else if (isChannel(name, e.getValue())) {
        add("channel_parameter_added", CAPABILITY_WIDENING, pp, null, e.getValue());
      } else {
        add("parameter_added", COMPATIBLE, pp, null, e.getValue());
      }
    }
    for (int i = 0; i < aReq.size(); i++) {
      String name = aReq.get(i);
      boolean newProperty = after.containsKey(name) && !before.containsKey(name);
      if (!bReq.contains(name) && !newProperty) {
        add(in ? "parameter_now_required" : "output_property_now_required", tightened(), p + "/required/" + i,
            null, ar.get(i));
      }
    }
    for (int i = 0; i < bReq.size(); i++) {
      String name = bReq.get(i);
      boolean removedProperty = before.containsKey(name) && !after.containsKey(name);
      if (!aReq.contains(name) && !removedProperty) {
        add(in ? "parameter_now_optional" : "output_property_now_optional", relaxed(), p + "/required/" + i,
            br.get(i), null);
      }
    }
  }

  private void type(String p, JsonNode bv, JsonNode av) {
    Set<String> bt = types(bv);
    Set<String> at = types(av);
    if ((bv != null && bt == null) || (av != null && at == null)) {
      unmodelled(p, bv, av);
      return;
    }
    if (bt != null && bt.equals(at)) {
      return; // same set, other order or spelling ("string" vs ["string"])
    }
    if (covers(at, bt)) {
      add("type_widened", relaxed(), p, bv, av);
    } else if (covers(bt, at)) {
      add("type_narrowed", tightened(), p, bv, av);
    } else {
      add("type_changed", BREAKING, p, bv, av);
    }
  }

  /** Whether every type {@code inner} admits is admitted by {@code outer} (null = no {@code type}, any value). */
  private static boolean covers(Set<String> outer, Set<String> inner) {
    if (outer == null) {
      return true;
    }
    if (inner == null) {
      return false;
    }
    for (String t : inner) {
      if (!outer.contains(t) && !(t.equals("integer") && outer.contains("number"))) {
        return false;
      }
    }
    return true;
  }

  /** The {@code type} keyword as a set, null when absent or not a string or array of strings. */
  private static Set<String> types(JsonNode t) {
    if (t == null) {
      return null;
    }
    Set<String> out = new LinkedHashSet<>();
    if (t.isString()) {
      out.add(t.asString());
      return out;
    }
    if (!t.isArray()) {
      return null;
    }
    for (JsonNode e : t) {
      if (!e.isString()) {
        return null;
      }
      out.add(e.asString());
    }
    return out;
  }

  private void enumValues(String p, JsonNode bv, JsonNode av) {
    if ((bv != null && !bv.isArray()) || (av != null && !av.isArray())) {
      unmodelled(p, bv, av);
      return;
    }
    if (bv == null) {
      add("enum_narrowed", tightened(), p, null, av);
      return;
    }
    if (av == null) {
      add("enum_widened", relaxed(), p, bv, null);
      return;
    }
    Set<String> bk = keys(bv);
    Set<String> ak = keys(av);
    boolean removed = !ak.containsAll(bk);
    boolean addedValues = !bk.containsAll(ak);
    if (removed && addedValues) {
      add("enum_changed", BREAKING, p, bv, av);
    } else if (removed) {
      add("enum_narrowed", tightened(), p, bv, av);
    } else if (addedValues) {
      add("enum_widened", relaxed(), p, bv, av);
    }
  }

  /** {@code const}, {@code pattern}, {@code format}: adding one narrows, removing widens, changing is unknowable. */
  private void addedChangedRemoved(String k, String p, JsonNode bv, JsonNode av) {
    if (bv == null) {
      add(k + "_added", tightened(), p, null, av);
    } else if (av == null) {
      add(k + "_removed", relaxed(), p, bv, null);
    } else if (!same(bv, av)) {
      add(k + "_changed", BREAKING, p, bv, av);
    }
  }

  private void bound(String p, JsonNode bv, JsonNode av, boolean lower) {
    if ((bv != null && !bv.isNumber()) || (av != null && !av.isNumber())) {
      unmodelled(p, bv, av); // draft-04 boolean exclusiveMinimum and the like
      return;
    }
    boolean tighter;
    if (bv == null) {
      tighter = true;
    } else if (av == null) {
      tighter = false;
    } else {
      int cmp = av.decimalValue().compareTo(bv.decimalValue());
      if (cmp == 0) {
        return;
      }
      tighter = lower ? cmp > 0 : cmp < 0;
    }
    add(tighter ? "bound_tightened" : "bound_relaxed", tighter ? tightened() : relaxed(), p, bv, av);
  }

  private void multipleOf(String p, JsonNode bv, JsonNode av) {
    if ((bv != null && !positive(bv)) || (av != null && !positive(av))) {
      unmodelled(p, bv, av);
      return;
    }
    boolean tighter;
    if (bv == null || av == null) {
      tighter = bv == null;
    } else {
      BigDecimal old = bv.decimalValue();
      BigDecimal now = av.decimalValue();
      if (old.compareTo(now) == 0) {
        return;
      }
      tighter = old.remainder(now).signum() != 0; // every multiple of old is a multiple of now: relaxed
    }
    add(tighter ? "bound_tightened" : "bound_relaxed", tighter ? tightened() : relaxed(), p, bv, av);
  }

  private static boolean positive(JsonNode n) {
    return n.isNumber() && n.decimalValue().signum() > 0 && n.decimalValue().precision() <= 100
        && Math.abs(n.decimalValue().scale()) <= 100;
  }

  private void uniqueItems(String p, JsonNode bv, JsonNode av) {
    if ((bv != null && !bv.isBoolean()) || (av != null && !av.isBoolean())) {
      unmodelled(p, bv, av);
      return;
    }
    boolean was = bv != null && bv.booleanValue();
    boolean now = av != null && av.booleanValue();
    if (was != now) {
      add(now ? "bound_tightened" : "bound_relaxed", now ? tightened() : relaxed(), p, bv, av);
    }
  }

  private void items(String p, JsonNode bv, JsonNode av) {
    boolean tuple = (bv != null && bv.isArray()) || (av != null && av.isArray());
    if (!tuple) {
      schema(p, orTrue(bv), orTrue(av));
    } else if (bv != null && av != null && bv.isArray() && av.isArray() && bv.size() == av.size()) {
      for (int i = 0; i < bv.size(); i++) {
        schema(p + "/" + i, bv.get(i), av.get(i));
      }
    } else {
      unmodelled(p, bv, av);
    }
  }

  /**
   * A difference we do not model: breaking, unless only description/title text differs inside it (then each text
   * change is reported as such, so a reworded {@code anyOf} branch is not a breaking change).
   */
  void unmodelled(String p, JsonNode bv, JsonNode av) {
    if (same(bv, av)) {
      return;
    }
    if (bv != null && av != null && withoutText(bv).equals(withoutText(av))) {
      textChanges(p, bv, av);
    } else {
      add("changed", BREAKING, p, bv, av);
    }
  }

  private void textChanges(String p, JsonNode b, JsonNode a) {
    if (b.equals(a)) {
      return;
    }
    if (b.isObject() && a.isObject()) {
      Set<String> keys = new LinkedHashSet<>(b.propertyNames());
      keys.addAll(a.propertyNames());
      for (String k : keys) {
        JsonNode bv = b.get(k);
        JsonNode av = a.get(k);
        String kp = p + "/" + Change.escape(k);
        if (bv != null && av != null && !isText(k, bv) && !isText(k, av)) {
          textChanges(kp, bv, av);
        } else if (!same(bv, av)) {
          add("description_changed", DESCRIPTION_CHANGED_BENIGN, kp, bv, av);
        }
      }
    } else if (b.isArray() && a.isArray()) {
      for (int i = 0; i < b.size(); i++) {
        textChanges(p + "/" + i, b.get(i), a.get(i));
      }
    }
  }

  /** A description, title or comment: a text-valued keyword (a property named "title" is an object, not text). */
  private static boolean isText(String key, JsonNode v) {
    return TEXT.contains(key) && v.isString();
  }

  private static JsonNode withoutText(JsonNode n) {
    if (n.isObject()) {
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        if (!isText(e.getKey(), e.getValue())) {
          copy.set(e.getKey(), withoutText(e.getValue()));
        }
      }
      return copy;
    }
    if (n.isArray()) {
      var copy = JsonNodeFactory.instance.arrayNode(n.size());
      for (JsonNode e : n) {
        copy.add(withoutText(e));
      }
      return copy;
    }
    return n;
  }

  /**
   * Whether a new input parameter is a way to send data somewhere: its name (split into words) or its description
   * names a URL, host, mailbox, recipient or a note the model is told to fill in. The text is attacker-written, so
   * the regexes are RE2/J (linear time) and see at most {@value #MAX_TEXT} characters.
   */
  static boolean isChannel(String name, JsonNode schema) {
    if (CHANNEL_NAME.matcher(words(name)).find()) {
      return true;
    }
    String d = schema.path("description").asString("") + "\n" + schema.path("title").asString("");
    return CHANNEL_TEXT.matcher(d.length() > MAX_TEXT ? d.substring(0, MAX_TEXT) : d).find();
  }

  /** {@code callbackURL}, {@code reply_to}, {@code cc-list} → {@code "callback url"}, {@code "reply to"}, ... */
  static String words(String name) {
    String n = name.length() > 256 ? name.substring(0, 256) : name;
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      if (!Character.isLetterOrDigit(c)) {
        if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ' ') {
          sb.append(' ');
        }
        continue;
      }
      boolean camel = i > 0 && Character.isUpperCase(c) && Character.isLowerCase(n.charAt(i - 1));
      if (camel && sb.length() > 0 && sb.charAt(sb.length() - 1) != ' ') {
        sb.append(' ');
      }
      sb.append(c);
    }
    return sb.toString().trim().toLowerCase(Locale.ROOT);
  }

  // ---- values ----

  static JsonNode orTrue(JsonNode n) {
    return n == null ? BooleanNode.TRUE : n;
  }

  private static boolean isTrue(JsonNode n) {
    return n.isBoolean() && n.booleanValue();
  }

  private static boolean isFalse(JsonNode n) {
    return n.isBoolean() && !n.booleanValue();
  }

  private static Map<String, JsonNode> fields(JsonNode obj) {
    Map<String, JsonNode> m = new LinkedHashMap<>();
    if (obj != null) {
      for (Map.Entry<String, JsonNode> e : obj.properties()) {
        m.put(e.getKey(), e.getValue());
      }
    }
    return m;
  }

  /** {@code required} as names; empty when absent, null when not an array of strings. */
  private static List<String> names(JsonNode req) {
    List<String> out = new ArrayList<>();
    if (req == null) {
      return out;
    }
    if (!req.isArray()) {
      return null;
    }
    for (JsonNode e : req) {
      if (!e.isString()) {
        return null;
      }
      out.add(e.asString());
    }
    return out;
  }

  /** Equal as JSON values: numbers by value ({@code 1} and {@code 1.0} are the same), null for absent. */
  static boolean same(JsonNode b, JsonNode a) {
    if (b == null || a == null) {
      return b == a;
    }
    return b.equals(a) || key(b).equals(key(a));
  }

  private static Set<String> keys(JsonNode array) {
    Set<String> out = new LinkedHashSet<>();
    for (JsonNode e : array) {
      out.add(key(e));
    }
    return out;
  }

  /** A canonical text for set comparisons: numbers by value, anything else as its JSON. */
  private static String key(JsonNode n) {
    if (n.isNumber()) {
      BigDecimal d = n.decimalValue();
      return "#" + (d.signum() == 0 ? "0" : d.stripTrailingZeros().toString());
    }
    return n.toString();
  }
}
