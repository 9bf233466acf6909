package dev.aegis.protocol;

/**
 * Bytes that cannot become a message. Carries the JSON-RPC error to answer with and, when it could be read, the id
 * of the offending request (so the error reply can name it).
 */
public final class ProtocolException extends Exception {
  private final transient JsonRpcError error;
  private final transient RequestId id;

  public ProtocolException(JsonRpcError error, RequestId id) {
    super(error.message());
    this.error = error;
    this.id = id;
  }

  public JsonRpcError error() {
    return error;
  }

  /** The id of the request that was malformed, or null when it could not be read. */
  public RequestId id() {
    return id;
  }
}
