package dev.aegis.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.aegis.memory.StoreException;
import dev.aegis.store.JdbcStore;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The memory store in a PostgreSQL database that several gateway instances share: each process group-commits its
 * own appends, and the transactions of all processes serialise on the chain head's row lock, so the chain neither
 * forks nor loses an entry. Needs the {@code pg_trgm} extension (created on open if the user may, else ask a
 * superuser for {@code CREATE EXTENSION pg_trgm}).
 *
 * <pre>{@code
 * try (PostgresStore store = PostgresStore.open("jdbc:postgresql://db/aegis", "aegis", password)) {
 *   store.append(List.of(draft));
 * }
 * }</pre>
 */
public final class PostgresStore extends JdbcStore {
  private static final int POOL_SIZE = 8;

  private final HikariDataSource pool;

  private PostgresStore(HikariDataSource pool, PGSimpleDataSource writer) {
    super(new PostgresDialect(), pool, pool, writer);
    this.pool = pool;
  }

  /** Connects (creating the schema if absent) to the database at {@code jdbcUrl}. */
  public static PostgresStore open(String jdbcUrl, String user, String password) {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(jdbcUrl);
    hc.setUsername(user);
    hc.setPassword(password);
    hc.setPoolName("aegis-memory-postgres");
    hc.setMaximumPoolSize(POOL_SIZE);
    hc.setMinimumIdle(1);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw new StoreException("cannot connect to the memory database " + jdbcUrl + ": " + e.getMessage(), e);
    }
    try {
      PGSimpleDataSource writer = new PGSimpleDataSource();
      writer.setURL(jdbcUrl);
      if (user != null) {
        writer.setUser(user);
      }
      if (password != null) {
        writer.setPassword(password);
      }
      return new PostgresStore(pool, writer);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      super.close();
    } finally {
      pool.close();
    }
  }
}
