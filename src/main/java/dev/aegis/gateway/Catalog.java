package dev.aegis.gateway;

import dev.aegis.chain.Target;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What one session's host has been shown: for each kind of list, the exposed names (or URIs) and where each really
 * lives. Rebuilt from each full listing; a kind is marked stale when a server says its list changed or restarts.
 * Two servers never silently shadow each other: a clash keeps the earlier server's item and reports the other.
 */
final class Catalog {

  /** The lists the gateway aggregates. */
  enum Kind {
    TOOLS("tools/list", "tools", "tools", "name"),
    PROMPTS("prompts/list", "prompts", "prompts", "name"),
    RESOURCES("resources/list", "resources", "resources", "uri"),
    TEMPLATES("resources/templates/list", "resourceTemplates", "resources", "uriTemplate");

    final String method;
    final String field;
    final String capability;
    final String key;

    Kind(String method, String field, String capability, String key) {
      this.method = method;
      this.field = field;
      this.capability = capability;
      this.key = key;
    }

    /** Tools and prompts are namespaced by name; resources keep their URIs. */
    boolean namespaced() {
      return this == TOOLS || this == PROMPTS;
    }
  }

  /** One server's complete list of one kind, in the server's order. */
  record ServerItems(String server, String prefix, List<JsonNode> items) {}

  /** A built listing: what the host sees, and where each exposed key leads. */
  record Listing(List<JsonNode> items, Map<String, Target> index) {
    static final Listing EMPTY = new Listing(List.of(), Map.of());
  }

  private final Map<Kind, Listing> listings = new HashMap<>();
  private final Map<Kind, Boolean> fresh = new HashMap<>();

  synchronized Listing listing(Kind kind) {
    return listings.getOrDefault(kind, Listing.EMPTY);
  }

  synchronized boolean isFresh(Kind kind) {
    return fresh.getOrDefault(kind, false);
  }

  synchronized void invalidate(Kind kind) {
    fresh.put(kind, false);
  }

  synchronized void invalidateAll() {
    fresh.clear();
  }

  /** The target behind an exposed name or URI, or null. */
  synchronized Target lookup(Kind kind, String exposed) {
    if (exposed == null) {
      return null;
    }
    return listing(kind).index().get(exposed);
  }

  /**
   * Builds and stores the listing for {@code kind} from every server's items, in configuration order. Items without
   * a usable key are skipped; clashes go to {@code conflicts}.
   */
  Listing build(Kind kind, List<ServerItems> perServer, Consumer<String> conflicts) {
    Map<String, Target> index = new LinkedHashMap<>();
    List<JsonNode> items = new ArrayList<>();
    for (ServerItems s : perServer) {
      for (JsonNode item : s.items()) {
        JsonNode keyNode = item.get(kind.key);
        if (!(item instanceof ObjectNode o) || keyNode == null || !keyNode.isString()) {
          conflicts.accept("server '" + s.server() + "' listed an item of " + kind.field + " without a string '"
              + kind.key + "'; it is not shown");
          continue;
        }
        String original = keyNode.stringValue();
        String exposed = kind.namespaced() ? Names.expose(s.prefix(), original) : original;
        Target clash = index.get(exposed);
        if (clash != null) {
          conflicts.accept(kind.field + " '" + exposed + "' of server '" + s.server() + "' clashes with server '"
              + clash.server() + "' and is not shown; give server '" + s.server() + "' a prefix");
          continue;
        }
        index.put(exposed, new Target(s.server(), original));
        if (exposed.equals(original)) {
          items.add(o);
        } else {
          ObjectNode copy = o.deepCopy();
          copy.put(kind.key, exposed);
          items.add(copy);
        }
      }
    }
    Listing listing = new Listing(List.copyOf(items), java.util.Collections.unmodifiableMap(index));
    synchronized (this) {
      listings.put(kind, listing);
      fresh.put(kind, true);
    }
    return listing;
  }

  /** The server whose resource template matches {@code uri}, or null (first match in configuration order). */
  synchronized String templateOwner(String uri) {
    for (Map.Entry<String, Target> e : listing(Kind.TEMPLATES).index().entrySet()) {
      if (UriTemplates.matches(e.getKey(), uri)) {
        return e.getValue().server();
      }
    }
    return null;
  }
}
