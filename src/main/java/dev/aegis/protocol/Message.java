package dev.aegis.protocol;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One JSON-RPC message: a request, a notification or a response. The whole envelope is kept as {@link #json()} so
 * fields Aegis does not know travel on untouched.
 *
 * <p>Treat {@code json()} as immutable: the {@code with*} methods return a new message over a shallow copy, so a
 * rewrite never changes a message another party still holds.
 */
public sealed interface Message permits Request, Notification, Response {

  /** The whole envelope, as it travels. Do not mutate. */
  ObjectNode json();

  /**
   * Characters in the strings under {@code node} (a payload's text, what scanning it costs); counting stops once past
   * {@code stop}, so a huge payload is not walked to the end to learn it is too big.
   */
  static long textLength(JsonNode node, long stop) {
    if (node.isString()) {
      return node.asString().length();
    }
    long total = 0;
    for (JsonNode child : node) {
      total += textLength(child, stop - total);
      if (total >= stop) {
        break;
      }
    }
    return total;
  }

  /** Shallow copy of an object node: the top-level map is new, the values are shared. */
  static ObjectNode shallowCopy(ObjectNode node) {
    ObjectNode copy = JsonNodeFactory.instance.objectNode();
    copy.setAll(node);
    return copy;
  }

  /** The object at {@code field}, or null when absent or not an object. */
  static ObjectNode objectOrNull(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v instanceof ObjectNode o ? o : null;
  }

  /** The string at {@code field}, or null when absent or not a string. */
  static String textOrNull(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.isString() ? v.stringValue() : null;
  }
}
