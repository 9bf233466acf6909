package dev.aegis.config.discovery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A copy of {@code src/test/resources/clients} in a temporary folder: fake homes per OS and a project folder. */
final class FixtureTree {
  final Path root;

  private FixtureTree(Path root) {
    this.root = root;
  }

  static FixtureTree copyInto(Path dir) throws IOException {
    Path source;
    try {
      source = Path.of(FixtureTree.class.getResource("/clients").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    try (Stream<Path> files = Files.walk(source)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = dir.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return new FixtureTree(dir);
  }

  Platform platform(Platform.Os os) {
    return Platform.of(os, root.resolve(os.name().toLowerCase(java.util.Locale.ROOT)).resolve("home"));
  }

  Path project() {
    return root.resolve("project");
  }

  /** Every regular file under {@code dir}, or none if it does not exist. */
  static List<Path> filesUnder(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return new ArrayList<>(s.filter(Files::isRegularFile).toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
