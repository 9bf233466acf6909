package dev.aegis.gateway;

import dev.aegis.config.ServerConfig;
import dev.aegis.protocol.Codec;
import dev.aegis.transport.MessageChannel;
import dev.aegis.transport.http.StreamableHttpClientChannel;

/** Opens the upstream HTTP channel for a remote server. */
final class HttpChannels {
  private HttpChannels() {}

  static MessageChannel open(ServerConfig server, Codec codec, GatewayLog log) {
    ServerConfig.Http http = (ServerConfig.Http) server.transport();
    return StreamableHttpClientChannel.open(http.url(), http.headers(), http.legacySse(), codec,
        line -> log.info("[" + server.name() + "] " + line));
  }
}
