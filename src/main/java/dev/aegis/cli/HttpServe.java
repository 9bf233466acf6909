package dev.aegis.cli;

import dev.aegis.gateway.Gateway;
import dev.aegis.gateway.GatewayLog;
import java.net.InetSocketAddress;
import java.util.List;

/** Starts the Streamable HTTP endpoint for {@code aegis gateway --listen}. */
final class HttpServe {
  private HttpServe() {}

  static Object start(InetSocketAddress bind, Gateway gateway, List<String> origins, GatewayLog log) {
    throw new UnsupportedOperationException("HTTP is not wired yet");
  }
}
