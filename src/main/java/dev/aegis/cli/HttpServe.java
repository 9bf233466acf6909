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
    return start(bind, gateway, origins, log, null);
  }

  /** With {@code auth} (null: none), every request must authenticate and sessions act for their caller. */
  static StreamableHttpServer start(InetSocketAddress bind, Gateway gateway, List<String> origins, GatewayLog log,
      dev.aegis.transport.http.HttpAuth auth) throws IOException {
    StreamableHttpServer server = new StreamableHttpServer(bind, gateway.codec(), gateway, origins, log::info);
    if (auth != null) {
      server.auth(auth);
    }
    server.start();
    return server;
  }
}
