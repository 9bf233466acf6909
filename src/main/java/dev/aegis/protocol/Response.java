package dev.aegis.protocol;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A JSON-RPC response: a result or an error for one request.
 *
 * <pre>{@code Response.error(id, JsonRpcError.of(JsonRpcError.INVALID_PARAMS, "name is required")) }</pre>
 *
 * @param id the request's id; null only for an error about a request whose id could not be read
 */
public record Response(RequestId id, ObjectNode json) implements Message {

  public Response {
    if (json == null) {
      throw new IllegalArgumentException("response needs json");
    }
    if (id == null && !json.has("error")) {
      throw new IllegalArgumentException("only an error response may have a null id");
    }
  }

  public static Response result(RequestId id, JsonNode result) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("jsonrpc", "2.0");
    o.set("id", id.toJson());
    o.set("result", result == null ? JsonNodeFactory.instance.objectNode() : result);
    return new Response(id, o);
  }

  public static Response error(RequestId id, JsonRpcError error) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("jsonrpc", "2.0");
    o.set("id", id == null ? JsonNodeFactory.instance.nullNode() : id.toJson());
    o.set("error", error.toJson());
    return new Response(id, o);
  }

  public boolean isError() {
    return json.has("error");
  }

  /** The result, or null for an error response. */
  public JsonNode result() {
    return json.get("result");
  }

  /** The error, or null for a result. */
  public JsonRpcError error() {
    JsonNode e = json.get("error");
    return e == null ? null : JsonRpcError.fromJson(e);
  }

  public Response withId(RequestId newId) {
    ObjectNode copy = Message.shallowCopy(json);
    copy.set("id", newId.toJson());
    return new Response(newId, copy);
  }

  public Response withResult(JsonNode result) {
    ObjectNode copy = Message.shallowCopy(json);
    copy.set("result", result);
    return new Response(id, copy);
  }

  /**
   * This response with one member of its (object) result replaced, e.g. a list filtered by a guard. The other members
   * are shared, not copied: replies are never changed in place.
   */
  public Response withResultMember(String field, JsonNode value) {
    ObjectNode result = Message.shallowCopy((ObjectNode) result());
    result.set(field, value);
    return withResult(result);
  }
}
