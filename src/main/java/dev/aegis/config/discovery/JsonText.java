package dev.aegis.config.discovery;

import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Writes a JSON value the way people indent host configs: {@code "key": value}, one member per line, short arrays of
 * scalars on one line; nested lines start with the indentation of the line the value is spliced into.
 */
final class JsonText {
  private final String unit;
  private final String newline;

  JsonText(String unit, String newline) {
    this.unit = unit;
    this.newline = newline;
  }

  /** Guesses the file's indentation unit and line ending. */
  static JsonText like(String text) {
    String newline = text.contains("\r\n") ? "\r\n" : "\n";
    String unit = "  ";
    for (String line : text.split("\n")) {
      int i = 0;
      while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
        i++;
      }
      if (i > 0 && i < line.length() && line.charAt(i) == '"') {
        unit = line.substring(0, i);
        break;
      }
    }
    return new JsonText(unit, newline);
  }

  String write(JsonNode node, String indent) {
    StringBuilder b = new StringBuilder();
    write(node, indent, b);
    return b.toString();
  }

  private void write(JsonNode node, String indent, StringBuilder b) {
    if (node.isObject()) {
      if (node.isEmpty()) {
        b.append("{}");
        return;
      }
      b.append('{');
      boolean first = true;
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        b.append(first ? "" : ",").append(newline).append(indent).append(unit).append(scalar(e.getKey())).append(": ");
        write(e.getValue(), indent + unit, b);
        first = false;
      }
      b.append(newline).append(indent).append('}');
    } else if (node.isArray()) {
      StringBuilder inline = new StringBuilder("[");
      boolean scalars = true;
      for (int i = 0; i < node.size(); i++) {
        scalars &= node.get(i).isValueNode();
        inline.append(i == 0 ? "" : ", ").append(JsoncDocument.MAPPER.writeValueAsString(node.get(i)));
      }
      inline.append(']');
      if (scalars && inline.length() + indent.length() <= 100) {
        b.append(inline);
        return;
      }
      b.append('[');
      for (int i = 0; i < node.size(); i++) {
        b.append(i == 0 ? "" : ",").append(newline).append(indent).append(unit);
        write(node.get(i), indent + unit, b);
      }
      b.append(newline).append(indent).append(']');
    } else {
      b.append(JsoncDocument.MAPPER.writeValueAsString(node));
    }
  }

  private static String scalar(String s) {
    return JsoncDocument.MAPPER.writeValueAsString(s);
  }
}
