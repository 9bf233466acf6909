package dev.aegis.transport;

import dev.aegis.protocol.Message;

/** One downstream session as a transport sees it: messages in, and a close when the host goes away. */
public interface ServerSession {

  /** The session id (the {@code Mcp-Session-Id} header over HTTP). */
  String id();

  /** A message from the host: a request, a notification, or a response to a server-initiated request. */
  void receive(Message message);

  /** The host went away or ended the session; stop its work and release what it holds. Idempotent. */
  void close();
}
