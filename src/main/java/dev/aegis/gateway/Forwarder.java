package dev.aegis.gateway;

import dev.aegis.chain.Chain;
import dev.aegis.chain.Interceptor;
import dev.aegis.chain.Reply;
import dev.aegis.chain.Target;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.Request;

/**
 * The terminal link for requests the gateway itself sends to one upstream on a host's behalf (the pages of a list it
 * aggregates): delivers to the exchange's target server. These pass the same guards as everything else.
 */
final class Forwarder implements Interceptor {
  private final GatewaySession session;

  Forwarder(GatewaySession session) {
    this.session = session;
  }

  @Override
  public Reply intercept(Chain chain) {
    Target target = chain.exchange().target();
    UpstreamConnection up = target == null ? null : session.upstream(target.server());
    if (up == null) {
      return Reply.error(chain.message(), JsonRpcError.INTERNAL_ERROR, "no upstream for " + target);
    }
    if (chain.message() instanceof Request r) {
      return Reply.later(up.send(r));
    }
    up.notify((Notification) chain.message());
    return Reply.none();
  }

  @Override
  public String name() {
    return "forward";
  }
}
