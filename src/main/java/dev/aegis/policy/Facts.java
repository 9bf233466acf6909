package dev.aegis.policy;

import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelVariableResolver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The CEL variables for one call, built on first use: most calls are decided by rules without a {@code when}, and
 * those never pay for turning the argument tree into CEL values. Not thread-safe; one per {@link Policy#decide} call.
 */
final class Facts implements CelVariableResolver {
  /** Deeper argument trees are not converted; a condition reaching into one fails (and fails closed for deny). */
  static final int MAX_DEPTH = 64;
  private static final JsonNode EMPTY = JsonNodeFactory.instance.objectNode();

  private final PolicyRequest request;
  private Map<String, Object> args;
  private Map<String, Object> principal;
  private Map<String, Object> session;
  private Boolean argsTooDeep;

  Facts(PolicyRequest request) {
    this.request = request;
  }

  @Override
  public Optional<Object> find(String name) {
    return switch (name) {
      case "args" -> Optional.of(args());
      case "principal" -> Optional.of(principal());
      case "session" -> Optional.of(session());
      case "server" -> Optional.of(request.server());
      case "tool" -> Optional.of(request.tool());
      case "method" -> Optional.of(request.method());
      default -> Optional.empty();
    };
  }

  PolicyRequest request() {
    return request;
  }

  /** The arguments as {@link Shortcut} reads them: the object, or an empty one when they are not an object. */
  JsonNode argsObject() {
    JsonNode a = request.args();
    return a.isObject() ? a : EMPTY;
  }

  /** Whether building {@code args} for CEL fails because the tree is deeper than {@link #MAX_DEPTH}. */
  boolean argsTooDeep() {
    if (argsTooDeep == null) {
      argsTooDeep = deeperThanMax(request.args(), 0);
    }
    return argsTooDeep;
  }

  /** Mirrors {@link #value}: true when it would reach a node at depth {@code MAX_DEPTH + 1}. */
  private static boolean deeperThanMax(JsonNode n, int depth) {
    if (depth > MAX_DEPTH) {
      return true;
    }
    if (n.isObject() || n.isArray()) {
      for (JsonNode child : n) {
        if (deeperThanMax(child, depth + 1)) {
          return true;
        }
      }
    }
    return false;
  }

  private Map<String, Object> args() {
    if (args == null) {
      Object v = value(request.args(), 0);
      args = v instanceof Map<?, ?> ? cast(v) : Map.of();
    }
    return args;
  }

  private Map<String, Object> principal() {
    if (principal == null) {
      principal = Map.of("name", request.principal(), "groups", request.groups());
    }
    return principal;
  }

  private Map<String, Object> session() {
    if (session == null) {
      session = Map.of("labels", request.labels());
    }
    return session;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Object v) {
    return (Map<String, Object>) v;
  }

  /** A JSON value as CEL sees it: int64 for integers that fit, double for other numbers, maps and lists. */
  static Object value(JsonNode n, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalStateException("arguments nested deeper than " + MAX_DEPTH);
    }
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        m.put(e.getKey(), value(e.getValue(), depth + 1));
      }
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>(n.size());
      for (JsonNode item : n) {
        l.add(value(item, depth + 1));
      }
      return l;
    }
    if (n.isString()) {
      return n.stringValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return n.longValue();
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    return NullValue.NULL_VALUE;
  }
}
