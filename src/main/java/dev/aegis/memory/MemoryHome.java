package dev.aegis.memory;

import dev.aegis.config.MemoryConfig;
import dev.aegis.scan.Scanner;
import dev.aegis.store.postgres.PostgresStore;
import dev.aegis.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Opens the memory a configuration describes: its store (SQLite file or PostgreSQL), its key folder and the service.
 *
 * <pre>{@code
 * try (Memory memory = MemoryHome.open(config.memory(), aegisHome)) { ... }
 * }</pre>
 */
public final class MemoryHome {
  private MemoryHome() {}

  /** The store {@code config} names; {@code home} ($AEGIS_HOME) supplies the defaults. */
  public static MemoryStore store(MemoryConfig config, Path home) {
    if (config.postgres() != null) {
      MemoryConfig.Postgres pg = config.postgres();
      String password = pg.passwordEnv() == null ? null : System.getenv(pg.passwordEnv());
      if (pg.passwordEnv() != null && password == null) {
        throw new StoreException("memory.postgres.passwordEnv names " + pg.passwordEnv()
            + ", which is not set in the environment", null);
      }
      return PostgresStore.open(pg.url(), pg.user(), password);
    }
    return SqliteStore.open(config.store() != null ? config.store() : home.resolve("memory.db"));
  }

  /** The key folder {@code config} names. */
  public static Path keys(MemoryConfig config, Path home) {
    return config.keys() != null ? config.keys() : home.resolve("memory-keys");
  }

  /** The memory service over {@code config}'s store and keys. */
  public static Memory open(MemoryConfig config, Path home) {
    MemoryStore store = store(config, home);
    try {
      return new Memory(store, Keys.open(keys(config, home), store), config, Scanner.builtIn(), Clock.systemUTC());
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }
}
