package dev.aegis.cli;

import java.nio.file.Path;

/** Where Aegis keeps its state: {@code $AEGIS_HOME}, default {@code ~/.aegis}. */
final class AegisHome {
  private AegisHome() {}

  static Path resolve() {
    String env = System.getenv("AEGIS_HOME");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".aegis");
  }

  /** The configuration file a command reads: {@code given} ({@code --config}), else {@code $AEGIS_HOME/aegis.yaml}. */
  static Path config(Path given) {
    return given != null ? given : resolve().resolve("aegis.yaml");
  }
}
