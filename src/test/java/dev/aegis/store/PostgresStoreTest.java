package dev.aegis.store;

import dev.aegis.memory.MemoryStore;
import dev.aegis.store.postgres.PostgresStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The contract on a real PostgreSQL (embedded binaries), one server per class and a fresh database per test. */
class PostgresStoreTest extends MemoryStoreContract {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgres pg;
  private String url;

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = EmbeddedPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    pg.close();
  }

  @BeforeEach
  @Override
  void openStore() {
    url = createDatabase(pg, "contract_" + DATABASES.incrementAndGet());
    super.openStore();
  }

  /** Creates database {@code name} on {@code pg}; returns its JDBC URL. */
  static String createDatabase(EmbeddedPostgres pg, String name) {
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create database " + name, e);
    }
    return pg.getJdbcUrl("postgres", name);
  }

  @Override
  protected MemoryStore open() {
    return PostgresStore.open(url, "postgres", null);
  }

  @Override
  protected void sql(String statement) throws Exception {
    try (Connection c = pg.getDatabase("postgres", url.substring(url.lastIndexOf('/') + 1).replaceAll("\\?.*", ""))
        .getConnection(); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
