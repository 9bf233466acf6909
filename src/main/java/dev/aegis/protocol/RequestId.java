package dev.aegis.protocol;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A JSON-RPC request id: a string or an integral number, never anything else.
 *
 * <pre>{@code RequestId id = RequestId.of(7); id.toJson(); // 7 }</pre>
 */
public sealed interface RequestId permits RequestId.Text, RequestId.Number {

  /** The id as a JSON value, exactly as it travels. */
  JsonNode toJson();

  static RequestId of(long value) {
    return new Number(value);
  }

  static RequestId of(String value) {
    return new Text(value);
  }

  /**
   * Reads an id from JSON.
   *
   * @throws IllegalArgumentException when the node is not a string or an integral number that fits a long
   */
  static RequestId fromJson(JsonNode node) {
    if (node != null && node.isString()) {
      return new Text(node.stringValue());
    }
    if (node != null && node.isIntegralNumber() && node.canConvertToLong()) {
      return new Number(node.longValue());
    }
    throw new IllegalArgumentException("id must be a string or an integer, was " + (node == null ? "missing" : node));
  }

  /** A string id. */
  record Text(String value) implements RequestId {
    public Text {
      if (value == null) {
        throw new IllegalArgumentException("string id must not be null");
      }
    }

    @Override
    public JsonNode toJson() {
      return JsonNodeFactory.instance.stringNode(value);
    }

    @Override
    public String toString() {
      return '"' + value + '"';
    }
  }

  /** An integral id. */
  record Number(long value) implements RequestId {
    @Override
    public JsonNode toJson() {
      return JsonNodeFactory.instance.numberNode(value);
    }

    @Override
    public String toString() {
      return Long.toString(value);
    }
  }
}
