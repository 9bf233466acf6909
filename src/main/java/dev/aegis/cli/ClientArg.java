package dev.aegis.cli;

import dev.aegis.config.discovery.Client;
import java.util.Arrays;

/** The {@code --client NAME} of wrap and unwrap, checked in one place. */
final class ClientArg {
  private ClientArg() {}

  /** The client with this id, or null after telling the user which ids exist. */
  static Client resolve(String name) {
    Client c = Client.byId(name);
    if (c == null) {
      System.err.println("aegis: unknown client '" + name + "'; known: "
          + Arrays.stream(Client.values()).map(Client::id).toList());
    }
    return c;
  }
}
