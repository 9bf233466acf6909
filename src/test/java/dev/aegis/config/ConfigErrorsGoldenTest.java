package dev.aegis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each broken configuration under {@code src/test/resources/config} must fail with exactly the errors in the
 * {@code .errors} file next to it, one {@code file:line:col: message} per line. Run with
 * {@code -Daegis.regenerate=true} to rewrite the {@code .errors} files from what the loader says now, then review the
 * diff.
 */
class ConfigErrorsGoldenTest {
  private static final Path CORPUS = Path.of("src/test/resources/config");
  private static final boolean REGENERATE = Boolean.getBoolean("aegis.regenerate");

  static Stream<String> corpus() throws IOException {
    try (Stream<Path> files = Files.list(CORPUS)) {
      List<String> names = files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml") || n.endsWith(".json"))
          .sorted()
          .toList();
      assertThat(names).as("config corpus in %s", CORPUS.toAbsolutePath()).isNotEmpty();
      return names.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void brokenConfigurationReportsExactlyTheGoldenErrors(String name) throws IOException {
    byte[] bytes = Files.readAllBytes(CORPUS.resolve(name));
    List<String> errors;
    try {
      ConfigLoader.Loaded loaded = ConfigLoader.parse("config/" + name, bytes);
      fail("expected %s to be refused, but it loaded: %s", name, loaded.config());
      return;
    } catch (ConfigException e) {
      errors = e.errors();
      assertThat(e.getMessage()).isEqualTo(String.join(System.lineSeparator(), errors));
    }
    String actual = String.join("\n", errors) + "\n";
    Path golden = CORPUS.resolve(name.substring(0, name.lastIndexOf('.')) + ".errors");
    if (REGENERATE) {
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
    }
    assertThat(golden).as("golden file (create it with -Daegis.regenerate=true)").exists();
    assertThat(actual).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
  }
}
