package dev.aegis.store;

import dev.aegis.memory.Chain;
import dev.aegis.memory.Checkpoint;
import dev.aegis.memory.Draft;
import dev.aegis.memory.Entry;
import dev.aegis.memory.MemoryStore;
import dev.aegis.memory.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * A {@link MemoryStore} on JDBC: appends go through one {@link GroupCommit} writer ({@link Appender} writes each
 * batch in one transaction that first locks the chain head, on a connection it keeps); reads run on pooled connections, each one statement.
 * {@code dev.aegis.store.sqlite.SqliteStore} and {@code dev.aegis.store.postgres.PostgresStore} give it a
 * {@link Dialect} and their connections.
 *
 * <p>Tables: {@code memory_log} (every entry, by seq), {@code memory_current} (scope, key: the seq and version of the
 * latest entry, whether it is deleted, and its text lower-cased for search), {@code memory_head} (one row: the last
 * seq and hash, the lock appends take), {@code memory_checkpoints}, {@code memory_keys} and {@code memory_schema}.
 */
public abstract class JdbcStore implements MemoryStore {
  /** The schema this code writes; a database with a newer one is refused. */
  public static final int SCHEMA_VERSION = 1;

  /** Every column of {@code memory_log}, in {@link Entry}'s order. */
  public static final String LOG_COLUMNS = "seq, scope, key, version, op, content, text, author, session, trust, "
      + "quarantined, provenance, time_ms, key_id, signature, prev_hash, hash";
  /** {@link #LOG_COLUMNS} of the table aliased {@code l}. */
  public static final String L_COLUMNS = "l." + LOG_COLUMNS.replace(", ", ", l.");

  private static final int MAX_SCOPES = 500;

  private final Dialect dialect;
  private final DataSource reads;
  private final DataSource writes;
  private final GroupCommit group;

  /**
   * @param reads connections for reads (pooled)
   * @param writes connections for the few writes outside appends: schema, checkpoints, keys
   * @param writer where the append writer gets the one connection it keeps (not pooled: it holds it for good)
   */
  protected JdbcStore(Dialect dialect, DataSource reads, DataSource writes, DataSource writer) {
    this.dialect = dialect;
    this.reads = reads;
    this.writes = writes;
    createSchema();
    this.group = new GroupCommit("aegis-memory-writer", new Appender(dialect, writer));
  }

  /** The text search matches: {@code text} lower-cased by {@link Locale#ROOT} rules (so is the query). */
  public static String fold(String text) {
    return text == null ? null : text.toLowerCase(Locale.ROOT);
  }

  private void createSchema() {
    try (Connection c = writes.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        dialect.lockSchema(c);
        s.execute("CREATE TABLE IF NOT EXISTS memory_schema (id INTEGER PRIMARY KEY, version INTEGER NOT NULL)");
        try (ResultSet rs = s.executeQuery("SELECT version FROM memory_schema WHERE id = 1")) {
          if (rs.next() && rs.getInt(1) > SCHEMA_VERSION) {
            throw new StoreException("the memory database has schema version " + rs.getInt(1)
                + ", newer than this Aegis supports (" + SCHEMA_VERSION + "): upgrade Aegis, or use another database",
                null);
          }
        }
        for (String ddl : dialect.schema()) {
          s.execute(ddl);
        }
        s.execute("INSERT INTO memory_schema (id, version) VALUES (1, " + SCHEMA_VERSION + ") ON CONFLICT (id) DO NOTHING");
        s.execute("INSERT INTO memory_head (id, seq, hash) VALUES (1, 0, '" + Chain.GENESIS + "') "
            + "ON CONFLICT (id) DO NOTHING");
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("could not create the memory schema in " + dialect.name() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<Entry> append(List<Draft> drafts) {
    DraftCheck.check(drafts);
    if (drafts.isEmpty()) {
      return List.of();
    }
    return group.submit(List.copyOf(drafts));
  }

  @Override
  public Optional<Entry> current(String scope, String key) {
    return one("SELECT " + L_COLUMNS + " FROM memory_current c JOIN memory_log l ON l.seq = c.seq "
        + "WHERE c.scope = ? AND c.key = ?", scope, key);
  }

  @Override
  public Optional<Entry> version(String scope, String key, long version) {
    return one("SELECT " + LOG_COLUMNS + " FROM memory_log WHERE scope = ? AND key = ? AND version = ?", scope, key,
        version);
  }

  @Override
  public List<Entry> history(String scope, String key) {
    return many("SELECT " + LOG_COLUMNS + " FROM memory_log WHERE scope = ? AND key = ? ORDER BY version", scope,
        key);
  }

  @Override
  public List<Entry> list(String scope, String keyPrefix, int limit) {
    checkLimit(limit);
    KeyRange range = KeyRange.of(keyPrefix);
    String sql = "SELECT " + L_COLUMNS + " FROM memory_current c JOIN memory_log l ON l.seq = c.seq "
        + "WHERE c.scope = ? AND NOT c.deleted AND " + range.condition("c.key") + " ORDER BY c.key LIMIT ?";
    return query(c -> {
      PreparedStatement s = c.prepareStatement(sql);
      s.setString(1, scope);
      s.setInt(range.bind(s, 2), limit);
      return s;
    });
  }

  @Override
  public List<Entry> search(Collection<String> scopes, String keyPrefix, String query, int limit) {
    checkLimit(limit);
    if (scopes.size() > MAX_SCOPES) {
      throw new IllegalArgumentException("search: " + scopes.size() + " scopes, at most " + MAX_SCOPES);
    }
    if (scopes.isEmpty() || limit == 0) {
      return List.of();
    }
    List<String> sorted = scopes.stream().distinct().sorted().toList();
    String folded = fold(query == null ? "" : query);
    return query(c -> dialect.search(c, sorted, KeyRange.of(keyPrefix), folded, limit));
  }

  @Override
  public List<Entry> writtenBy(String author, Instant since) {
    return many("SELECT " + LOG_COLUMNS + " FROM memory_log WHERE author = ? AND time_ms >= ? ORDER BY seq", author,
        since.toEpochMilli());
  }

  @Override
  public void scan(long fromSeq, long toSeq, Consumer<Entry> sink) {
    try (Connection c = reads.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT " + LOG_COLUMNS
            + " FROM memory_log WHERE seq >= ? AND seq <= ? ORDER BY seq")) {
      dialect.streaming(c, s);
      s.setLong(1, fromSeq);
      s.setLong(2, toSeq);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          sink.accept(entry(rs));
        }
      }
    } catch (SQLException e) {
      throw failed("scan", e);
    }
  }

  @Override
  public long head() {
    try (Connection c = reads.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT seq FROM memory_head WHERE id = 1")) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      throw failed("head", e);
    }
  }

  @Override
  public void checkpoint(Checkpoint cp) {
    try (Connection c = writes.getConnection();
        PreparedStatement s = c.prepareStatement("INSERT INTO memory_checkpoints (seq, hash, time_ms, key_id, "
            + "signature) VALUES (?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING")) {
      s.setLong(1, cp.seq());
      s.setString(2, cp.hash());
      s.setLong(3, cp.time().toEpochMilli());
      s.setString(4, cp.keyId());
      s.setString(5, cp.signature());
      s.executeUpdate();
    } catch (SQLException e) {
      throw failed("checkpoint", e);
    }
  }

  @Override
  public List<Checkpoint> checkpoints() {
    List<Checkpoint> out = new ArrayList<>();
    try (Connection c = reads.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT seq, hash, time_ms, key_id, signature FROM memory_checkpoints "
            + "ORDER BY seq")) {
      while (rs.next()) {
        out.add(new Checkpoint(rs.getLong(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4),
            rs.getString(5)));
      }
      return out;
    } catch (SQLException e) {
      throw failed("checkpoints", e);
    }
  }

  @Override
  public void registerKey(String keyId, String principal, String publicKey) {
    try (Connection c = writes.getConnection()) {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO memory_keys (key_id, principal, public_key) "
          + "VALUES (?, ?, ?) ON CONFLICT (key_id) DO NOTHING")) {
        s.setString(1, keyId);
        s.setString(2, principal);
        s.setString(3, publicKey);
        if (s.executeUpdate() == 1) {
          return;
        }
      }
      try (PreparedStatement s = c.prepareStatement("SELECT principal, public_key FROM memory_keys WHERE key_id = ?")) {
        s.setString(1, keyId);
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next() && rs.getString(1).equals(principal) && rs.getString(2).equals(publicKey)) {
            return;
          }
        }
      }
      throw new StoreException("key id " + keyId + " is already registered with another key or principal", null);
    } catch (SQLException e) {
      throw failed("registerKey", e);
    }
  }

  @Override
  public Optional<String> publicKey(String keyId) {
    try (Connection c = reads.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT public_key FROM memory_keys WHERE key_id = ?")) {
      s.setString(1, keyId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failed("publicKey", e);
    }
  }

  /** Commits what is queued, stops the writer; the subclass then closes its connections. */
  @Override
  public void close() {
    group.close();
  }

  /** Reads one entry of a {@link #LOG_COLUMNS} row. */
  public static Entry entry(ResultSet rs) throws SQLException {
    return new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5),
        rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getBoolean(11),
        rs.getString(12), Instant.ofEpochMilli(rs.getLong(13)), rs.getString(14), rs.getString(15),
        rs.getString(16), rs.getString(17));
  }

  private static void checkLimit(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit " + limit + " is negative");
    }
  }

  private interface Statements {
    PreparedStatement prepare(Connection c) throws SQLException;
  }

  private Optional<Entry> one(String sql, Object... params) {
    List<Entry> all = many(sql, params);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  private List<Entry> many(String sql, Object... params) {
    return query(c -> {
      PreparedStatement s = c.prepareStatement(sql);
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, params[i]);
      }
      return s;
    });
  }

  private List<Entry> query(Statements statements) {
    try (Connection c = reads.getConnection(); PreparedStatement s = statements.prepare(c);
        ResultSet rs = s.executeQuery()) {
      List<Entry> out = new ArrayList<>();
      while (rs.next()) {
        out.add(entry(rs));
      }
      return out;
    } catch (SQLException e) {
      throw failed("read", e);
    }
  }

  private StoreException failed(String what, SQLException e) {
    return new StoreException(what + " failed in " + dialect.name() + ": " + e.getMessage(), e);
  }
}
