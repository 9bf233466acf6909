package dev.aegis.scan.live;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * What one live server offers, as listed over MCP: its tools, prompts, resources and resource templates in the order
 * it sent them, and its {@code initialize} instructions; or why it could not be listed.
 *
 * <pre>{@code
 * Listing l = Lister.list("everything", stdio, Duration.ofSeconds(30));
 * if (l.error() == null) { l.tools().forEach(t -> System.out.println(t.path("name").asString())); }
 * }</pre>
 *
 * @param instructions the server's instructions, or null when it gave none
 * @param error null when listing succeeded; otherwise one line saying what failed (start, timeout, protocol)
 * @param initialize the server's initialize result (serverInfo, protocolVersion, capabilities), null on failure
 */
public record Listing(String server, String instructions, List<JsonNode> tools, List<JsonNode> prompts,
    List<JsonNode> resources, List<JsonNode> templates, String error, JsonNode initialize) {
  public Listing(String server, String instructions, List<JsonNode> tools, List<JsonNode> prompts,
      List<JsonNode> resources, List<JsonNode> templates, String error) {
    this(server, instructions, tools, prompts, resources, templates, error, null);
  }

  public Listing {
    tools = List.copyOf(tools);
    prompts = List.copyOf(prompts);
    resources = List.copyOf(resources);
    templates = List.copyOf(templates);
  }

  static Listing failed(String server, String error) {
    return new Listing(server, null, List.of(), List.of(), List.of(), List.of(), error);
  }
}
