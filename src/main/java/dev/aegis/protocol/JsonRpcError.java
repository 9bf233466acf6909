package dev.aegis.protocol;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A JSON-RPC error object. Codes in the {@code -32000..-32099} range that Aegis itself uses are constants here so
 * that clients can rely on them.
 *
 * <pre>{@code JsonRpcError.of(JsonRpcError.METHOD_NOT_FOUND, "no such method: foo/bar") }</pre>
 *
 * @param data optional extra detail; may be null
 */
public record JsonRpcError(int code, String message, JsonNode data) {

  public static final int PARSE_ERROR = -32700;
  public static final int INVALID_REQUEST = -32600;
  public static final int METHOD_NOT_FOUND = -32601;
  public static final int INVALID_PARAMS = -32602;
  public static final int INTERNAL_ERROR = -32603;
  /** MCP: a resource URI that no server knows. */
  public static final int RESOURCE_NOT_FOUND = -32002;
  /** Aegis: the upstream server that owns the call is not running or failed while the call was in flight. */
  public static final int UPSTREAM_UNAVAILABLE = -32010;
  /** Aegis: the upstream server did not answer within the configured time. */
  public static final int UPSTREAM_TIMEOUT = -32011;
  /** Aegis: a guard in the interceptor chain refused the message. */
  public static final int BLOCKED = -32012;
  /** Aegis: the message is larger than the configured limit. */
  public static final int MESSAGE_TOO_LARGE = -32013;
  /** Aegis: the session is closed or unknown. */
  public static final int SESSION_CLOSED = -32014;
  /** MCP 2026-07-28 over HTTP: a required header is missing or does not agree with the body. */
  public static final int HEADER_MISMATCH = -32020;
  /** MCP 2026-07-28: the request needs a client capability the client did not declare. */
  public static final int MISSING_CAPABILITY = -32021;
  /** MCP 2026-07-28: the requested protocol version is not supported ({@code data.supported} lists them). */
  public static final int UNSUPPORTED_VERSION = -32022;

  public JsonRpcError {
    if (message == null) {
      throw new IllegalArgumentException("error message must not be null");
    }
  }

  public static JsonRpcError of(int code, String message) {
    return new JsonRpcError(code, message, null);
  }

  /** Reads an error object; tolerant of a missing or odd message, since peers are not always careful. */
  public static JsonRpcError fromJson(JsonNode node) {
    int code = node.path("code").isIntegralNumber() ? node.path("code").intValue() : INTERNAL_ERROR;
    JsonNode m = node.path("message");
    String message = m.isString() ? m.stringValue() : String.valueOf(m);
    JsonNode data = node.get("data");
    return new JsonRpcError(code, message, data);
  }

  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("code", code);
    o.put("message", message);
    if (data != null) {
      o.set("data", data);
    }
    return o;
  }
}
