package dev.aegis.transport;

/** Opens downstream sessions for a transport; implemented by the gateway. */
public interface SessionFactory {

  /**
   * A new session.
   *
   * @param transport "stdio" or "http"
   * @param port where the session's messages to the host go
   */
  ServerSession open(String transport, ClientPort port);

  /** A new session acting for {@code caller}, as the transport authenticated it. */
  default ServerSession open(String transport, ClientPort port, Caller caller) {
    return open(transport, port);
  }

  /**
   * A view for one stateless (2026-07-28) HTTP request that carries no session id. The gateway serves all such
   * requests from one shared set of upstream connections; what it sends to {@code port} answers only the messages
   * given to this view's {@link ServerSession#receive}. The transport closes the view once the response is sent.
   */
  ServerSession stateless(ClientPort port);
}
