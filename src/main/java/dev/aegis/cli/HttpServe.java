package dev.aegis.cli;

import dev.aegis.gateway.Gateway;
import dev.aegis.gateway.GatewayLog;
import dev.aegis.transport.http.StreamableHttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/** Starts the Streamable HTTP endpoint for {@code aegis gateway --listen}. */
final class HttpServe {
  private HttpServe() {}

  static StreamableHttpServer start(InetSocketAddress bind, Gateway gateway, List<String> origins, GatewayLog log)
      throws IOException {
    StreamableHttpServer server = new StreamableHttpServer(bind, gateway.codec(), gateway, origins, log::info);
    server.start();
    return server;
  }
}
