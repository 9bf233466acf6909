package dev.aegis.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Files of tool definitions given to {@code aegis scan --tools} and {@code aegis diff}: read bounded, with errors that
 * name the file and, for bad JSON, the line and column.
 */
final class ToolFiles {
  static final long MAX_FILE = 64L << 20;

  private ToolFiles() {}

  /** The JSON in {@code file}. */
  static JsonNode readJson(Path file) throws InputError {
    if (!Files.exists(file)) {
      throw new InputError(file + ": file not found");
    }
    if (!Files.isRegularFile(file)) {
      throw new InputError(file + ": not a regular file");
    }
    try {
      long size = Files.size(file);
      if (size > MAX_FILE) {
        throw new InputError(file + ": too large (" + size + " bytes; at most " + MAX_FILE + ")");
      }
      JsonNode root = JsonMapper.shared().readTree(Files.readAllBytes(file));
      if (root == null || root.isMissingNode()) {
        throw new InputError(file + ": empty, expected JSON");
      }
      return root;
    } catch (JacksonException e) {
      var at = e.getLocation();
      throw new InputError(file + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
          + ": not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InputError(file + ": cannot read: " + e.getMessage());
    }
  }

  /** The tools of a JSON array, each an object with a string {@code name}. */
  static List<JsonNode> tools(Path file, JsonNode array) throws InputError {
    List<JsonNode> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      JsonNode t = array.get(i);
      if (!t.isObject() || !t.path("name").isString()) {
        throw new InputError(file + ": tool " + i + " is not an object with a string 'name'");
      }
      out.add(t);
    }
    return out;
  }
}
