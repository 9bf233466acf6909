package dev.aegis.protocol;

import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A JSON-RPC request: it has an id and expects exactly one {@link Response}.
 *
 * <pre>{@code Request r = Request.of(RequestId.of(1), "tools/list", null); }</pre>
 */
public record Request(RequestId id, String method, ObjectNode json) implements Message {

  public Request {
    if (id == null || method == null || json == null) {
      throw new IllegalArgumentException("request needs id, method and json");
    }
  }

  public static Request of(RequestId id, String method, ObjectNode params) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("jsonrpc", "2.0");
    o.set("id", id.toJson());
    o.put("method", method);
    if (params != null) {
      o.set("params", params);
    }
    return new Request(id, method, o);
  }

  /** The params object, or null when absent (or, unusually for MCP, an array). */
  public ObjectNode params() {
    return Message.objectOrNull(json, "params");
  }

  /** The known method, or null when this method is not one MCP defines. */
  public McpMethod knownMethod() {
    return McpMethod.of(method);
  }

  public Request withId(RequestId newId) {
    ObjectNode copy = Message.shallowCopy(json);
    copy.set("id", newId.toJson());
    return new Request(newId, method, copy);
  }

  public Request withParams(ObjectNode params) {
    ObjectNode copy = Message.shallowCopy(json);
    copy.set("params", params);
    return new Request(id, method, copy);
  }
}
