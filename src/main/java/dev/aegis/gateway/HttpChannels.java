package dev.aegis.gateway;

import dev.aegis.config.ServerConfig;
import dev.aegis.protocol.Codec;
import dev.aegis.transport.MessageChannel;
import java.io.IOException;

/** Opens the upstream HTTP channel for a remote server. */
final class HttpChannels {
  private HttpChannels() {}

  static MessageChannel open(ServerConfig server, Codec codec, GatewayLog log) throws IOException {
    throw new IOException("remote servers are not wired yet");
  }
}
