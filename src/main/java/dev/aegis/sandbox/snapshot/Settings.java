package dev.aegis.sandbox.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code <state>/<id>/workspace.json}: the workspace's path and the options it was last opened with. */
record Settings(Path root, Workspace.Options options) {

  static void write(Path state, Path root, Workspace.Options o) throws IOException {
    ObjectNode n = Manifest.JSON.createObjectNode();
    n.put("root", root.toString());
    n.put("maxFiles", o.maxFiles());
    n.put("maxBytes", o.maxBytes());
    n.put("keep", o.keep());
    n.put("racyWindowMillis", o.racyWindow().toMillis());
    o.exclude().forEach(n.putArray("exclude")::add);
    byte[] bytes = Manifest.JSON.writeValueAsBytes(n);
    Path file = state.resolve("workspace.json");
    if (Files.exists(file) && java.util.Arrays.equals(Files.readAllBytes(file), bytes)) {
      return;
    }
    Path tmp = Files.createTempFile(state, "tmp-", ".json");
    Files.write(tmp, bytes);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static Settings read(Path state) throws IOException {
    Path file = state.resolve("workspace.json");
    JsonNode n;
    try {
      n = Manifest.JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new SnapshotException("no workspace state at " + state, false);
    } catch (JacksonException e) {
      throw new SnapshotException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    List<String> exclude = new ArrayList<>();
    n.path("exclude").forEach(e -> exclude.add(e.asString()));
    try {
      return new Settings(Path.of(n.path("root").asString("")), new Workspace.Options(n.path("maxFiles").asInt(0),
          n.path("maxBytes").asLong(-1), n.path("keep").asInt(0), exclude,
          Duration.ofMillis(n.path("racyWindowMillis").asLong(2000)), Clock.systemUTC()));
    } catch (IllegalArgumentException e) {
      throw new SnapshotException(file + ": " + e.getMessage(), false);
    }
  }
}
