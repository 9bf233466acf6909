package dev.aegis.gateway;

import dev.aegis.protocol.Message;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import dev.aegis.transport.ClientPort;
import dev.aegis.transport.ServerSession;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One stateless (2026-07-28) HTTP request's view of the shared stateless session. Request ids are replaced by
 * gateway-unique ones on the way in and restored on the way out, so concurrent clients that all use id 1 never
 * collide.
 */
final class StatelessView implements ServerSession {
  private static final AtomicLong NEXT = new AtomicLong(1);
  private final GatewaySession shared;
  private final ClientPort port;
  private final java.util.List<RequestId> received = new java.util.concurrent.CopyOnWriteArrayList<>();

  StatelessView(GatewaySession shared, ClientPort port) {
    this.shared = shared;
    this.port = port;
  }

  @Override
  public String id() {
    return shared.id();
  }

  @Override
  public void receive(Message message) {
    if (!(message instanceof Request r)) {
      shared.receive(message, port);
      return;
    }
    RequestId original = r.id();
    RequestId unique = RequestId.of("s-" + NEXT.getAndIncrement());
    received.add(unique);
    shared.receive(r.withId(unique), (out, related) -> {
      if (out instanceof Response resp && unique.equals(resp.id())) {
        port.send(resp.withId(original), original);
      } else {
        port.send(out, original);
      }
    });
  }

  @Override
  public void close() {
    // the shared session lives on; a closed stream ends what this request held (a subscriptions/listen stream)
    for (RequestId id : received) {
      shared.stopListening(id);
    }
  }
}
