package dev.aegis.config.discovery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Finds the configuration files of each {@link Client} on a {@link Platform}, at user level and (given a project
 * folder) project level, and reads their servers.
 *
 * <pre>{@code
 * Discovery d = new Discovery(Platform.current(), Path.of("."));
 * List<ClientConfig> cursor = d.find(Client.CURSOR);   // empty: Cursor is not configured here
 * }</pre>
 */
public final class Discovery {
  private final Platform platform;
  private final Path project;

  /** {@code project} may be null: then only user-level files are looked for. */
  public Discovery(Platform platform, Path project) {
    this.platform = platform;
    this.project = project == null ? null : project.toAbsolutePath().normalize();
  }

  /** The places this client's files may be. */
  public List<Path> searched(Client client) {
    return client.candidates(platform, project).stream().map(Client.Candidate::path).toList();
  }

  /** The files of this client that exist, each read; unreadable ones carry an error. */
  public List<ClientConfig> find(Client client) {
    List<ClientConfig> out = new ArrayList<>();
    for (Client.Candidate c : client.candidates(platform, project)) {
      if (Files.isRegularFile(c.path())) {
        out.add(read(client, c));
      }
    }
    return out;
  }

  static ClientConfig read(Client client, Client.Candidate c) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(c.path());
    } catch (IOException e) {
      return new ClientConfig(client, c.path(), c.scope(), new byte[0], null, List.of(), "cannot read: " + e);
    }
    JsoncDocument doc;
    try {
      doc = JsoncDocument.parse(bytes);
    } catch (IllegalArgumentException e) {
      return new ClientConfig(client, c.path(), c.scope(), bytes, null, List.of(), e.getMessage());
    }
    List<ServerEntry> servers = new ArrayList<>();
    if (doc.root() != null) {
      for (List<String> pattern : c.sections()) {
        collect(client, doc, doc.root(), pattern, 0, new ArrayList<>(), servers);
      }
    }
    return new ClientConfig(client, c.path(), c.scope(), bytes, doc, servers, null);
  }

  private static void collect(Client client, JsoncDocument doc, JsonNode node, List<String> pattern, int i,
      List<String> keys, List<ServerEntry> out) {
    if (node == null || !node.isObject()) {
      return;
    }
    if (i == pattern.size()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        if (!e.getValue().isObject()) {
          continue;
        }
        List<String> at = new ArrayList<>(keys);
        at.add(e.getKey());
        JsoncDocument.Span span = doc.span(JsoncDocument.pointer(at));
        if (span != null) {
          out.add(new ServerEntry(client, keys, e.getKey(), e.getValue(), span));
        }
      }
      return;
    }
    String key = pattern.get(i);
    for (String k : key.equals("*") ? node.propertyNames() : List.of(key)) {
      keys.add(k);
      collect(client, doc, node.get(k), pattern, i + 1, keys, out);
      keys.remove(keys.size() - 1);
    }
  }
}
