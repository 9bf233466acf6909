package dev.aegis.chain;

/**
 * Where a message is going (or, for {@link Direction#TO_CLIENT}, where it came from): an upstream server and the
 * name of the tool, prompt or resource URI as that server knows it.
 *
 * @param server the upstream server's configured name
 * @param name the tool or prompt name, or the resource URI, as the server knows it; null when the method has none
 */
public record Target(String server, String name) {
  public Target {
    if (server == null || server.isEmpty()) {
      throw new IllegalArgumentException("target server must be named");
    }
  }
}
