package dev.aegis.protocol;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Bytes to messages and back. Thread-safe; one instance serves the whole gateway.
 *
 * <p>Every failure is a {@link ProtocolException} carrying the JSON-RPC error to answer with: {@code -32700} for
 * bytes that are not JSON, {@code -32600} for JSON that is not a JSON-RPC message, {@code -32013} for a message
 * over the size limit. Nesting depth is bounded so hostile input cannot exhaust the stack.
 *
 * <pre>{@code
 * Codec codec = new Codec(4 << 20);
 * List<Message> batch = codec.decode(bytes, 0, bytes.length);
 * byte[] out = codec.encode(batch.get(0));
 * }</pre>
 */
public final class Codec {
  /** Deepest nesting accepted in one message. JSON Schemas nest, but never this deep. */
  public static final int MAX_DEPTH = 256;

  private final JsonMapper mapper;
  private final int maxBytes;

  public Codec(int maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
    }
    this.maxBytes = maxBytes;
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_DEPTH)
            .maxStringLength(maxBytes)
            .maxDocumentLength(maxBytes)
            .build())
        .build();
    this.mapper = JsonMapper.builder(factory).build();
  }

  public int maxBytes() {
    return maxBytes;
  }

  public JsonMapper mapper() {
    return mapper;
  }

  /**
   * Decodes one line or body: a single message, or a JSON-RPC batch (an array), whose elements are returned in order.
   * An empty batch is invalid.
   */
  public List<Message> decode(byte[] bytes, int offset, int length) throws ProtocolException {
    if (length > maxBytes) {
      throw new ProtocolException(JsonRpcError.of(JsonRpcError.MESSAGE_TOO_LARGE,
          "message of " + length + " bytes exceeds the limit of " + maxBytes), null);
    }
    JsonNode tree;
    try {
      tree = mapper.readTree(bytes, offset, length);
    } catch (JacksonException e) {
      throw new ProtocolException(JsonRpcError.of(JsonRpcError.PARSE_ERROR, "Parse error: " + firstLine(e)), null);
    }
    if (tree == null || tree.isMissingNode()) {
      throw new ProtocolException(JsonRpcError.of(JsonRpcError.PARSE_ERROR, "Parse error: no JSON value"), null);
    }
    if (tree instanceof ArrayNode array) {
      if (array.isEmpty()) {
        throw new ProtocolException(JsonRpcError.of(JsonRpcError.INVALID_REQUEST, "empty batch"), null);
      }
      List<Message> out = new ArrayList<>(array.size());
      for (JsonNode element : array) {
        out.add(fromTree(element));
      }
      return out;
    }
    return List.of(fromTree(tree));
  }

  /** Receives what {@link #decodeEach} finds: each message, and each part that is not one. */
  public interface Sink {
    void message(Message message);

    void invalid(ProtocolException error);
  }

  /**
   * Like {@link #decode}, but a batch with some invalid elements yields each valid message and one error per invalid
   * element, as JSON-RPC asks.
   */
  public void decodeEach(byte[] bytes, int offset, int length, Sink sink) {
    if (length > maxBytes) {
      sink.invalid(new ProtocolException(JsonRpcError.of(JsonRpcError.MESSAGE_TOO_LARGE,
          "message of " + length + " bytes exceeds the limit of " + maxBytes), null));
      return;
    }
    JsonNode tree;
    try {
      tree = mapper.readTree(bytes, offset, length);
    } catch (JacksonException e) {
      sink.invalid(new ProtocolException(JsonRpcError.of(JsonRpcError.PARSE_ERROR, "Parse error: " + firstLine(e)),
          null));
      return;
    }
    if (tree == null || tree.isMissingNode()) {
      sink.invalid(new ProtocolException(JsonRpcError.of(JsonRpcError.PARSE_ERROR, "Parse error: no JSON value"),
          null));
      return;
    }
    if (tree instanceof ArrayNode array && !array.isEmpty()) {
      for (JsonNode element : array) {
        deliver(element, sink);
      }
    } else if (tree instanceof ArrayNode) {
      sink.invalid(new ProtocolException(JsonRpcError.of(JsonRpcError.INVALID_REQUEST, "empty batch"), null));
    } else {
      deliver(tree, sink);
    }
  }

  private void deliver(JsonNode tree, Sink sink) {
    Message m;
    try {
      m = fromTree(tree);
    } catch (ProtocolException e) {
      sink.invalid(e);
      return;
    }
    sink.message(m);
  }

  /** Decodes exactly one message; a batch is refused. */
  public Message decodeOne(byte[] bytes) throws ProtocolException {
    List<Message> all = decode(bytes, 0, bytes.length);
    if (all.size() != 1) {
      throw new ProtocolException(JsonRpcError.of(JsonRpcError.INVALID_REQUEST, "a batch is not allowed here"), null);
    }
    return all.get(0);
  }

  /** Turns a parsed JSON value into a message, checking the JSON-RPC shape. */
  public Message fromTree(JsonNode tree) throws ProtocolException {
    if (!(tree instanceof ObjectNode o)) {
      throw invalid("message must be a JSON object", null);
    }
    RequestId id = null;
    JsonNode idNode = o.get("id");
    boolean hasId = idNode != null && !idNode.isNull();
    if (hasId) {
      try {
        id = RequestId.fromJson(idNode);
      } catch (IllegalArgumentException e) {
        throw invalid(e.getMessage(), null);
      }
    }
    JsonNode version = o.get("jsonrpc");
    if (version == null || !version.isString() || !"2.0".equals(version.stringValue())) {
      throw invalid("jsonrpc must be \"2.0\"", id);
    }
    JsonNode method = o.get("method");
    if (method != null) {
      if (!method.isString() || method.stringValue().isEmpty()) {
        throw invalid("method must be a non-empty string", id);
      }
      JsonNode params = o.get("params");
      if (params != null && !params.isObject() && !params.isArray()) {
        throw invalid("params must be an object", id);
      }
      if (idNode != null && idNode.isNull()) {
        throw invalid("a request id must not be null", null);
      }
      return hasId ? new Request(id, method.stringValue(), o) : new Notification(method.stringValue(), o);
    }
    boolean hasResult = o.has("result");
    JsonNode error = o.get("error");
    if (hasResult == (error != null)) {
      throw invalid("a response must have exactly one of result and error", id);
    }
    if (error != null && (!error.isObject() || !error.path("code").isIntegralNumber())) {
      throw invalid("error must be an object with an integer code", id);
    }
    if (!hasId && hasResult) {
      throw invalid("a result must carry the request's id", null);
    }
    return new Response(id, o);
  }

  public byte[] encode(Message message) {
    return mapper.writeValueAsBytes(message.json());
  }

  public byte[] encode(JsonNode node) {
    return mapper.writeValueAsBytes(node);
  }

  public String encodeToString(Message message) {
    return mapper.writeValueAsString(message.json());
  }

  private static ProtocolException invalid(String why, RequestId id) {
    return new ProtocolException(JsonRpcError.of(JsonRpcError.INVALID_REQUEST, "Invalid Request: " + why), id);
  }

  private static String firstLine(JacksonException e) {
    String m = e.getOriginalMessage();
    if (m == null) {
      return e.getClass().getSimpleName();
    }
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
