package dev.aegis.pin;

import tools.jackson.databind.JsonNode;

/**
 * One difference between two versions of a tool definition.
 *
 * <pre>{@code
 * new Change("parameter_removed", ChangeClass.BREAKING, "/inputSchema/properties/path", oldSchema, null)
 * }</pre>
 *
 * @param kind what changed, a stable snake_case name (see {@link ToolDiff} for the list)
 * @param changeClass how much it matters
 * @param pointer RFC 6901 JSON Pointer into the definition ({@code ""} is the whole definition); for a removed
 *     thing it points into the old definition, otherwise into the new one
 * @param before the old value, or null when it was absent
 * @param after the new value, or null when it is absent (for {@code suspicious_text_added}: the finding)
 */
public record Change(String kind, ChangeClass changeClass, String pointer, JsonNode before, JsonNode after) {
  public Change {
    if (kind == null || kind.isEmpty() || changeClass == null || pointer == null) {
      throw new IllegalArgumentException("a change needs a kind, a class and a pointer");
    }
    if (!pointer.isEmpty() && pointer.charAt(0) != '/') {
      throw new IllegalArgumentException("pointer must be empty or start with '/': '" + pointer + "'");
    }
  }

  /** The same change seen from a list of tools: the pointer gets {@code prefix} in front. */
  Change under(String prefix) {
    return new Change(kind, changeClass, prefix + pointer, before, after);
  }

  Change withClass(ChangeClass c) {
    return new Change(kind, c, pointer, before, after);
  }

  /** Escapes one JSON Pointer reference token (RFC 6901: {@code ~} as {@code ~0}, {@code /} as {@code ~1}). */
  static String escape(String token) {
    return token.indexOf('~') < 0 && token.indexOf('/') < 0 ? token
        : token.replace("~", "~0").replace("/", "~1");
  }
}
