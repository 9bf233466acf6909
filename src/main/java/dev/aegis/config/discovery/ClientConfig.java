package dev.aegis.config.discovery;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A configuration file of a client that exists: its exact bytes, and its servers; or why it could not be read.
 *
 * <pre>{@code
 * for (ClientConfig f : new Discovery(Platform.current(), null).find(Client.CURSOR)) {
 *   f.servers().forEach(s -> System.out.println(s.name() + " " + s.target()));
 * }
 * }</pre>
 *
 * @param document null when {@code error} says why the file could not be read
 */
public record ClientConfig(Client client, Path path, Client.Scope scope, byte[] bytes, JsoncDocument document,
    List<ServerEntry> servers, String error) {
  public ClientConfig {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(path, "path");
    servers = List.copyOf(servers);
  }

  public boolean readable() {
    return error == null;
  }
}
