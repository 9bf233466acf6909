package dev.aegis.store;

import dev.aegis.memory.MemoryStore;
import dev.aegis.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends MemoryStoreContract {
  @TempDir
  Path dir;

  @Override
  protected MemoryStore open() {
    return SqliteStore.open(dir.resolve("memory.db"));
  }

  @Override
  protected void sql(String statement) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("memory.db"));
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
