package dev.aegis.policy;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.regex.RegularExpression;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Checks a {@code tools/call}'s arguments against the tool's {@code inputSchema} and explains each failure with the
 * field's JSON Pointer.
 *
 * <pre>{@code
 * List<String> errors = ArgumentSchema.validate(tool.get("inputSchema"), params.get("arguments"));
 * // ["/limit: must be at most 100", "/repo: is required"]; empty means the arguments fit
 * }</pre>
 *
 * <p>The dialect is the schema's {@code $schema} (draft-07 and 2020-12; also draft-04, -06 and 2019-09), 2020-12
 * when absent, as MCP specifies. Fail closed: a schema that does not compile, that is not valid against its
 * meta-schema, or that names an unknown dialect yields one error saying so, and the caller refuses the call.
 *
 * <p>No network. A {@code $ref} or {@code $schema} to an http(s) address is never fetched: only the meta-schemas
 * bundled with the validator resolve, so such a schema does not compile and every call to the tool is refused with
 * "inputSchema does not compile: ...". {@code pattern} and {@code patternProperties} run on RE2/J, because the
 * arguments are attacker-written: a pattern RE2 cannot express (look-around, back-references) does not compile
 * either.
 *
 * <p>Compiled schemas are cached by content ({@link #CACHE_SIZE} entries, least recently used first out), so a
 * call costs one hash and one equality walk of the schema plus the validation itself.
 */
public final class ArgumentSchema {
  /** Arguments larger than this (characters of their JSON text, estimated without serialising) are refused. */
  public static final long MAX_ARGUMENT_CHARS = 4L << 20;
  /** Arguments nested deeper than this are refused. */
  public static final int MAX_DEPTH = 64;
  /** Compiled schemas kept. */
  public static final int CACHE_SIZE = 512;
  /** Errors reported per call; the rest are summarised in one line. */
  static final int MAX_ERRORS = 20;

  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
      builder -> builder
          .schemaRegistryConfig(SchemaRegistryConfig.builder()
              .regularExpressionFactory(ArgumentSchema::re2)
              .build())
          // Explicit although it is the default: the validator must never open a connection for a $ref.
          .schemaLoader(loader -> loader.fetchRemoteResources(false))
          .schemaCacheEnabled(false));

  private static final Map<SpecificationVersion, Schema> META = new ConcurrentHashMap<>();
  private static final Map<JsonNode, Compiled> CACHE = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<JsonNode, Compiled> eldest) {
      return size() > CACHE_SIZE;
    }
  };
  private static final AtomicLong COMPILATIONS = new AtomicLong();

  /** A compiled schema, or why it does not compile. */
  private record Compiled(Schema schema, String error) {}

  private ArgumentSchema() {}

  /**
   * Errors of {@code arguments} against {@code inputSchema}, each {@code "<pointer>: <why>"}; empty when they fit.
   * Absent arguments are validated as {@code {}}, as a server receives them. The root is written {@code (root)}.
   */
  public static List<String> validate(JsonNode inputSchema, JsonNode arguments) {
    if (inputSchema == null || inputSchema.isMissingNode() || inputSchema.isNull()) {
      return List.of("(root): the tool has no inputSchema");
    }
    JsonNode args = arguments == null || arguments.isMissingNode() || arguments.isNull()
        ? JsonNodeFactory.instance.objectNode() : arguments;
    String bound = bound(args);
    if (bound != null) {
      return List.of("(root): " + bound);
    }
    Compiled compiled = compiled(inputSchema);
    if (compiled.error() != null) {
      return List.of("(root): inputSchema does not compile: " + compiled.error());
    }
    List<Error> errors;
    try {
      errors = compiled.schema().validate(args);
    } catch (RuntimeException e) {
      // A $ref cycle or a library fault: the arguments were not shown to fit, so they do not pass.
      return List.of("(root): arguments could not be validated: " + oneLine(e.getMessage()));
    }
    Set<String> out = new LinkedHashSet<>();
    for (Error error : errors) {
      out.add(describe(error));
    }
    List<String> list = new ArrayList<>(out);
    if (list.size() > MAX_ERRORS) {
      int more = list.size() - MAX_ERRORS;
      list = new ArrayList<>(list.subList(0, MAX_ERRORS));
      list.add("(root): and " + more + " more errors");
    }
    return List.copyOf(list);
  }

  /** Schemas compiled since the class loaded; lets tests see a cache hit. */
  static long compilations() {
    return COMPILATIONS.get();
  }

  private static Compiled compiled(JsonNode inputSchema) {
    synchronized (CACHE) {
      Compiled hit = CACHE.get(inputSchema);
      if (hit != null) {
        return hit;
      }
    }
    // Compiled outside the lock: two threads may compile the same schema once each, which is cheaper than making
    // every call wait behind a slow compilation.
    JsonNode key = inputSchema.deepCopy();
    Compiled fresh = compile(key);
    synchronized (CACHE) {
      CACHE.put(key, fresh);
    }
    return fresh;
  }

  private static Compiled compile(JsonNode schemaNode) {
    COMPILATIONS.incrementAndGet();
    String bound = bound(schemaNode);
    if (bound != null) {
      return new Compiled(null, bound);
    }
    if (!schemaNode.isObject() && !schemaNode.isBoolean()) {
      return new Compiled(null, "a schema is an object or a boolean");
    }
    try {
      SpecificationVersion version = SpecificationVersion.DRAFT_2020_12;
      JsonNode declared = schemaNode.get("$schema");
      if (declared != null) {
        if (!declared.isString()) {
          return new Compiled(null, "$schema is not a string");
        }
        version = SpecificationVersion.fromDialectId(declared.asString()).orElse(null);
        if (version == null) {
          return new Compiled(null, "unknown $schema " + oneLine(declared.asString())
              + " (known: draft-04, -06, -07, 2019-09, 2020-12; nothing is fetched)");
        }
      }
      List<Error> invalid = meta(version).validate(schemaNode);
      if (!invalid.isEmpty()) {
        Error first = invalid.get(0);
        return new Compiled(null, "not a valid " + version.getDialectId() + " schema: "
            + pointer(first.getInstanceLocation(), null) + " " + first.getMessage());
      }
      Schema schema = REGISTRY.getSchema(schemaNode);
      // Resolve every $ref now, so a schema that cannot work fails here rather than on the first call that
      // happens to reach the broken branch.
      schema.initializeValidators();
      return new Compiled(schema, null);
    } catch (RuntimeException e) {
      return new Compiled(null, oneLine(e.getMessage()));
    }
  }

  private static Schema meta(SpecificationVersion version) {
    return META.computeIfAbsent(version, v -> {
      Schema schema = REGISTRY.getSchema(SchemaLocation.of(v.getDialectId()));
      schema.initializeValidators();
      return schema;
    });
  }

  /** Why {@code node} is too big or too deep, or null. One walk, no serialisation, stops at the first excess. */
  private static String bound(JsonNode node) {
    long[] chars = {0};
    return bound(node, 0, chars);
  }

  private static String bound(JsonNode node, int depth, long[] chars) {
    if (depth > MAX_DEPTH) {
      return "nested deeper than " + MAX_DEPTH + " levels";
    }
    if (node.isString()) {
      chars[0] += node.asString().length() + 2;
    } else if (node.isObject()) {
      chars[0] += 2;
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        chars[0] += e.getKey().length() + 4;
        String why = chars[0] > MAX_ARGUMENT_CHARS ? null : bound(e.getValue(), depth + 1, chars);
        if (why != null) {
          return why;
        }
        if (chars[0] > MAX_ARGUMENT_CHARS) {
          break;
        }
      }
    } else if (node.isArray()) {
      chars[0] += 2;
      for (JsonNode item : node) {
        String why = bound(item, depth + 1, chars);
        if (why != null) {
          return why;
        }
        chars[0] += 1;
        if (chars[0] > MAX_ARGUMENT_CHARS) {
          break;
        }
      }
    } else {
      chars[0] += node.isNumber() ? node.asString().length() : 5;
    }
    return chars[0] > MAX_ARGUMENT_CHARS ? "larger than " + (MAX_ARGUMENT_CHARS >> 20) + " MiB" : null;
  }

  private static String describe(Error error) {
    String keyword = error.getKeyword() == null ? "" : error.getKeyword();
    Object[] args = error.getArguments() == null ? new Object[0] : error.getArguments();
    String at = pointer(error.getInstanceLocation(), null);
    String why = switch (keyword) {
      case "required" -> {
        at = pointer(error.getInstanceLocation(), error.getProperty());
        yield "is required";
      }
      case "additionalProperties", "unevaluatedProperties" -> {
        at = pointer(error.getInstanceLocation(), error.getProperty());
        yield "is not allowed";
      }
      case "maximum" -> "must be at most " + first(args);
      case "minimum" -> "must be at least " + first(args);
      case "exclusiveMaximum" -> "must be less than " + first(args);
      case "exclusiveMinimum" -> "must be greater than " + first(args);
      case "maxLength" -> "must be at most " + first(args) + " characters long";
      case "minLength" -> "must be at least " + first(args) + " characters long";
      case "maxItems" -> "must have at most " + first(args) + " items";
      case "minItems" -> "must have at least " + first(args) + " items";
      case "enum" -> "must be one of " + first(args);
      case "pattern" -> "must match the pattern " + first(args);
      default -> error.getMessage();
    };
    return at + ": " + oneLine(why);
  }

  private static String first(Object[] args) {
    return args.length == 0 ? "?" : String.valueOf(args[0]);
  }

  /** The RFC 6901 pointer of {@code path}, plus {@code child} when given; the empty pointer reads (root). */
  private static String pointer(NodePath path, String child) {
    StringBuilder sb = new StringBuilder();
    if (path != null) {
      for (int i = 0; i < path.getNameCount(); i++) {
        sb.append('/').append(Secrets.escape(String.valueOf(path.getElement(i))));
      }
    }
    if (child != null) {
      sb.append('/').append(Secrets.escape(child));
    }
    return sb.length() == 0 ? "(root)" : sb.toString();
  }

  /** Messages may quote schema text; keep each on one bounded line. */
  private static String oneLine(String s) {
    if (s == null) {
      return "no detail";
    }
    StringBuilder sb = new StringBuilder(Math.min(s.length(), 301));
    for (int i = 0; i < s.length() && sb.length() <= 300; i++) {
      char c = s.charAt(i);
      if (!Character.isWhitespace(c) && !Character.isISOControl(c)) {
        sb.append(c);
      } else if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ' ') {
        sb.append(' ');
      }
    }
    String flat = sb.toString().trim();
    return flat.length() > 300 ? flat.substring(0, 300) + "..." : flat;
  }

  private static RegularExpression re2(String pattern) {
    com.google.re2j.Pattern compiled = com.google.re2j.Pattern.compile(pattern);
    // JSON Schema patterns are unanchored: "a" matches "cat".
    return text -> compiled.matcher(text).find();
  }
}
