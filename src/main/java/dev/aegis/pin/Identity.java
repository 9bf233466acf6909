package dev.aegis.pin;

import dev.aegis.config.ServerConfig;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Who offered a definition: how the server is reached (its command line, or its URL) and the name it gives itself in
 * {@code serverInfo}. Every definition's fingerprint is bound to this identity, so the same tool moved to another
 * server, or a server whose launch changed, no longer matches what was approved.
 *
 * <p>The server's version is recorded but not part of the identity: an upgrade that keeps every definition is not a
 * change to hold; one that changes definitions is held through those definitions.
 *
 * <pre>{@code
 * Identity id = Identity.of(serverConfig, initializeResult);
 * String fp = id.fingerprint();   // "sha256:..."
 * }</pre>
 *
 * @param command the command line of a stdio server, else null
 * @param url the endpoint of an HTTP server, else null
 * @param serverName {@code serverInfo.name} from initialize ("" when the server gave none)
 * @param serverVersion {@code serverInfo.version}, or null
 */
public record Identity(List<String> command, String url, String serverName, String serverVersion) {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  public Identity {
    command = command == null ? null : List.copyOf(command);
    serverName = serverName == null ? "" : serverName;
    if ((command == null) == (url == null)) {
      throw new IllegalArgumentException("an identity has either a command or a url");
    }
  }

  /** The identity of a configured server as it answered {@code initialize} (null: not known, name ""). */
  public static Identity of(ServerConfig server, JsonNode initializeResult) {
    JsonNode info = initializeResult == null ? NODES.missingNode() : initializeResult.path("serverInfo");
    String name = info.path("name").asString("");
    String version = info.path("version").isString() ? info.path("version").asString() : null;
    if (server.transport() instanceof ServerConfig.Stdio stdio) {
      return new Identity(stdio.command(), null, name, version);
    }
    if (server.transport() instanceof ServerConfig.Builtin b) {
      return new Identity(null, "builtin:" + b.kind(), name, version);
    }
    return new Identity(null, ((ServerConfig.Http) server.transport()).url().toString(), name, version);
  }

  /** SHA-256 over the canonical JSON of the launch (command or url) and the server's name. */
  public String fingerprint() {
    ObjectNode o = launch();
    o.put("serverName", serverName);
    return Canonical.sha256(o);
  }

  /** Same launch and same name: the version may differ. */
  public boolean sameAs(Identity other) {
    return other != null && fingerprint().equals(other.fingerprint());
  }

  /** One line for messages: {@code 'npx -y x' (serverInfo everything 1.2.0)}. */
  public String describe() {
    String launch = command != null ? "'" + String.join(" ", command) + "'" : url;
    return launch + " (serverInfo " + (serverName.isEmpty() ? "without a name" : serverName)
        + (serverVersion != null ? " " + serverVersion : "") + ")";
  }

  private ObjectNode launch() {
    ObjectNode o = NODES.objectNode();
    if (command != null) {
      command.forEach(o.putArray("command")::add);
    } else {
      o.put("url", url);
    }
    return o;
  }

  ObjectNode toJson() {
    ObjectNode o = launch();
    ObjectNode info = o.putObject("serverInfo");
    info.put("name", serverName);
    if (serverVersion != null) {
      info.put("version", serverVersion);
    }
    o.put("fingerprint", fingerprint());
    return o;
  }

  static Identity fromJson(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + " must be a mapping with 'command' or 'url' and 'serverInfo'");
    }
    List<String> command = null;
    if (node.path("command").isArray()) {
      command = new ArrayList<>();
      for (JsonNode c : node.get("command")) {
        command.add(c.asString(""));
      }
    }
    String url = Lockfile.text(node, "url");
    if ((command == null) == (url == null)) {
      throw new IllegalArgumentException(where + " needs either 'command' (a list) or 'url'");
    }
    Identity id = new Identity(command, url, node.path("serverInfo").path("name").asString(""),
        Lockfile.text(node.path("serverInfo"), "version"));
    String recorded = Lockfile.text(node, "fingerprint");
    if (recorded != null && !recorded.equals(id.fingerprint())) {
      throw new IllegalArgumentException(where + ".fingerprint " + recorded + " does not match the identity written"
          + " there (" + id.fingerprint() + "): the lockfile was edited by hand or is corrupt");
    }
    return id;
  }
}
