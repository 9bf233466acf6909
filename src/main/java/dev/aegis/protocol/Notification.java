package dev.aegis.protocol;

import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A JSON-RPC notification: a method with no id, never answered.
 *
 * <pre>{@code Notification.of("notifications/tools/list_changed", null) }</pre>
 */
public record Notification(String method, ObjectNode json) implements Message {

  public Notification {
    if (method == null || json == null) {
      throw new IllegalArgumentException("notification needs method and json");
    }
  }

  public static Notification of(String method, ObjectNode params) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("jsonrpc", "2.0");
    o.put("method", method);
    if (params != null) {
      o.set("params", params);
    }
    return new Notification(method, o);
  }

  public ObjectNode params() {
    return Message.objectOrNull(json, "params");
  }

  public McpMethod knownMethod() {
    return McpMethod.of(method);
  }

  public Notification withParams(ObjectNode params) {
    ObjectNode copy = Message.shallowCopy(json);
    copy.set("params", params);
    return new Notification(method, copy);
  }
}
