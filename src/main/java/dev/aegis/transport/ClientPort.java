package dev.aegis.transport;

import dev.aegis.protocol.Message;
import dev.aegis.protocol.RequestId;

/**
 * The way back to a host (an MCP client) for one downstream session. Over stdio everything goes down one pipe; over
 * Streamable HTTP a message related to an open request goes down that request's stream, anything else down the
 * session's standalone stream.
 */
public interface ClientPort {

  /**
   * Sends a message to the host.
   *
   * @param related the host's request this message answers or belongs to (a response's own id, or the request a
   *     progress notification or a server-initiated request arose from); null when unrelated
   */
  void send(Message message, RequestId related);
}
