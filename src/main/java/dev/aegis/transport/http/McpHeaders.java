package dev.aegis.transport.http;

import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.MetaKeys;
import dev.aegis.protocol.ProtocolVersion;
import dev.aegis.protocol.Request;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The HTTP headers MCP defines, and the 2026-07-28 rules that tie them to the body: {@code MCP-Protocol-Version}
 * equals {@code _meta}'s version, {@code Mcp-Method} equals the method, {@code Mcp-Name} equals the tool or prompt
 * name or the resource URI. Values that are not plain visible ASCII travel as {@code =?base64?<utf-8>?=}.
 */
final class McpHeaders {
  static final String SESSION_ID = "Mcp-Session-Id";
  static final String PROTOCOL_VERSION = "MCP-Protocol-Version";
  static final String METHOD = "Mcp-Method";
  static final String NAME = "Mcp-Name";
  static final String LAST_EVENT_ID = "Last-Event-ID";
  static final String STATELESS = ProtocolVersion.V2026_07_28.wire();
  static final String META_VERSION = MetaKeys.PROTOCOL_VERSION;
  static final String META_CAPABILITIES = MetaKeys.CLIENT_CAPABILITIES;
  private static final String B64_OPEN = "=?base64?";
  private static final String B64_CLOSE = "?=";

  private McpHeaders() {}

  /** Whether a request speaks 2026-07-28: its {@code _meta} names a protocol version. */
  static boolean claimsStateless(Message m) {
    return m instanceof Request r && r.params() != null && r.params().path("_meta").has(META_VERSION);
  }

  /** The body value {@code Mcp-Name} must carry for this request, or null when the method has none. */
  static String nameOf(Request r) {
    String field = switch (r.method()) {
      case "tools/call", "prompts/get" -> "name";
      case "resources/read" -> "uri";
      case "tasks/get", "tasks/update", "tasks/cancel" -> "taskId";
      default -> null;
    };
    return field == null ? null : Message.textOrNull(r.params(), field);
  }

  /**
   * Checks a 2026-07-28 request against its headers, in the spec's order: the {@code _meta} envelope (-32602), the
   * version header (-32020), {@code Mcp-Method} (-32020), {@code Mcp-Name} (-32020). Returns null when all agree.
   *
   * @param header a header by name (case-insensitive), or null when absent
   */
  static JsonRpcError check(Request r, Function<String, String> header) {
    JsonNode meta = r.params() == null ? null : r.params().get("_meta");
    JsonNode version = meta instanceof ObjectNode ? meta.get(META_VERSION) : null;
    if (version == null || !version.isString() || !(meta.get(META_CAPABILITIES) instanceof ObjectNode)) {
      return JsonRpcError.of(JsonRpcError.INVALID_PARAMS, "Invalid _meta: " + META_VERSION + " (a string) and "
          + META_CAPABILITIES + " (an object) are required");
    }
    String headerVersion = trim(header.apply(PROTOCOL_VERSION));
    if (headerVersion == null) {
      return mismatch("the " + PROTOCOL_VERSION + " header is required");
    }
    if (!headerVersion.equals(version.stringValue())) {
      return mismatch(PROTOCOL_VERSION + " header " + quote(headerVersion) + " does not match _meta "
          + quote(version.stringValue()));
    }
    String method = trim(header.apply(METHOD));
    if (method == null) {
      return mismatch("the " + METHOD + " header is required");
    }
    if (!method.equals(r.method())) {
      return mismatch(METHOD + " header " + quote(method) + " does not match the body's method "
          + quote(r.method()));
    }
    String expected = nameOf(r);
    if (expected != null) {
      String raw = trim(header.apply(NAME));
      if (raw == null) {
        return mismatch("the " + NAME + " header is required for " + r.method());
      }
      String name = decode(raw);
      if (name == null) {
        return mismatch(NAME + " header has invalid characters or bad base64");
      }
      if (!name.equals(expected)) {
        return mismatch(NAME + " header " + quote(name) + " does not match the body's " + quote(expected));
      }
    }
    return null;
  }

  /** A header value as it travels: plain when it is visible ASCII without edge spaces, else base64-wrapped. */
  static String encode(String value) {
    boolean plain = !value.isEmpty() && value.charAt(0) != ' ' && value.charAt(value.length() - 1) != ' '
        && !value.startsWith(B64_OPEN);
    for (int i = 0; plain && i < value.length(); i++) {
      char c = value.charAt(i);
      plain = c >= 0x20 && c < 0x7f;
    }
    return plain ? value
        : B64_OPEN + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + B64_CLOSE;
  }

  /** The value a header carries (already trimmed), or null when it has invalid characters or bad base64. */
  static String decode(String value) {
    if (value.startsWith(B64_OPEN) && value.endsWith(B64_CLOSE) && value.length() >= B64_OPEN.length() + 2) {
      try {
        byte[] bytes = Base64.getDecoder().decode(value.substring(B64_OPEN.length(), value.length() - 2));
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
      } catch (IllegalArgumentException | CharacterCodingException e) {
        return null;
      }
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        return null;
      }
    }
    return value;
  }

  /** The value without surrounding spaces and tabs (RFC 9110 OWS), or null when absent. */
  static String trim(String value) {
    if (value == null) {
      return null;
    }
    int from = 0;
    int to = value.length();
    while (from < to && (value.charAt(from) == ' ' || value.charAt(from) == '\t')) {
      from++;
    }
    while (to > from && (value.charAt(to - 1) == ' ' || value.charAt(to - 1) == '\t')) {
      to--;
    }
    return from == 0 && to == value.length() ? value : value.substring(from, to);
  }

  private static JsonRpcError mismatch(String why) {
    return JsonRpcError.of(JsonRpcError.HEADER_MISMATCH, "Header mismatch: " + why);
  }

  private static String quote(String s) {
    return '"' + (s.length() > 200 ? s.substring(0, 200) + "…" : s) + '"';
  }
}
