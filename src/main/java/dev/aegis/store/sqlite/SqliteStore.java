package dev.aegis.store.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.aegis.memory.StoreException;
import dev.aegis.store.JdbcStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The memory store in one SQLite file: WAL, {@code synchronous=FULL} (an append returns after its commit reached the
 * disk), one writer connection that group-commits concurrent appends, and a small pool of reader connections (WAL
 * lets them read while the writer writes); checkpoints and keys are written on a connection of their own. Several processes may open the same file: every write transaction is
 * {@code BEGIN IMMEDIATE} with a busy timeout, and continues the chain from the head it finds.
 *
 * <pre>{@code
 * try (SqliteStore store = SqliteStore.open(home.resolve("memory.db"))) {
 *   store.append(List.of(draft));
 * }
 * }</pre>
 */
public final class SqliteStore extends JdbcStore {
  private static final int BUSY_TIMEOUT_MS = 30_000;
  private static final int READERS = 4;
  /** Reads through a memory map of the file's first GiB rather than copying pages into each connection's cache. */
  private static final long MMAP_BYTES = 1L << 30;

  private final HikariDataSource reads;
  private final HikariDataSource writes;

  private SqliteStore(HikariDataSource reads, HikariDataSource writes, SQLiteDataSource writer) {
    super(new SqliteDialect(), reads, writes, writer);
    this.reads = reads;
    this.writes = writes;
  }

  /** Opens (creating it and its schema if absent) the store in {@code file}. */
  public static SqliteStore open(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new StoreException("cannot create the directory of " + file + ": " + e.getMessage(), e);
    }
    HikariDataSource writes = pool(file, "aegis-memory-sqlite-writer", 1, SQLiteConfig.TransactionMode.IMMEDIATE);
    HikariDataSource reads = null;
    try {
      reads = pool(file, "aegis-memory-sqlite-reader", READERS, SQLiteConfig.TransactionMode.DEFERRED);
      return new SqliteStore(reads, writes, source(file, SQLiteConfig.TransactionMode.DEFERRED));
    } catch (RuntimeException e) {
      writes.close();
      if (reads != null) {
        reads.close();
      }
      throw e;
    }
  }

  private static HikariDataSource pool(Path file, String name, int size, SQLiteConfig.TransactionMode mode) {
    HikariConfig hc = new HikariConfig();
    hc.setDataSource(source(file, mode));
    hc.setPoolName(name);
    hc.setMaximumPoolSize(size);
    hc.setMinimumIdle(1);
    try {
      return new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw new StoreException("cannot open the memory database " + file + ": " + e.getMessage(), e);
    }
  }

  private static SQLiteDataSource source(Path file, SQLiteConfig.TransactionMode mode) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(BUSY_TIMEOUT_MS);
    config.setTransactionMode(mode);
    config.setCacheSize(-32 * 1024); // KiB: the search index's hot pages at a million items
    config.setPragma(SQLiteConfig.Pragma.MMAP_SIZE, String.valueOf(MMAP_BYTES));
    SQLiteDataSource ds = new SQLiteDataSource(config);
    ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
    return ds;
  }

  @Override
  public void close() {
    try {
      super.close();
    } finally {
      reads.close();
      writes.close();
    }
  }
}
