package dev.aegis.store.postgres;

import dev.aegis.store.Dialect;
import dev.aegis.store.JdbcStore;
import dev.aegis.store.KeyRange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;

/**
 * PostgreSQL's schema and search. Keys and scopes are {@code COLLATE "C"} so that they sort by code point as in
 * SQLite. An append transaction takes {@code memory_head}'s row {@code FOR UPDATE}: a second process waits there,
 * then reads the head and versions the first one committed. Search is {@code folded LIKE '%query%'} (the query's
 * wildcards escaped) on a {@code pg_trgm} GIN index of the live items' folded text; PostgreSQL rechecks each
 * candidate, so the match is exact however pg_trgm splits non-ASCII text into trigrams, and it falls back to the
 * (scope, key) order for a query too short to have trigrams.
 */
final class PostgresDialect implements Dialect {
  /** The key of the advisory lock that serialises schema creation (any constant distinct from other users'). */
  private static final long SCHEMA_LOCK = 0x41454749534d454dL; // "AEGISMEM"

  @Override
  public String name() {
    return "PostgreSQL";
  }

  @Override
  public void lockSchema(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
    }
  }

  @Override
  public List<String> schema() {
    return List.of(
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE TABLE IF NOT EXISTS memory_log (seq BIGINT PRIMARY KEY, scope TEXT COLLATE \"C\" NOT NULL, "
            + "key TEXT COLLATE \"C\" NOT NULL, version BIGINT NOT NULL, op TEXT NOT NULL, content TEXT, text TEXT, "
            + "author TEXT NOT NULL, session TEXT, trust TEXT NOT NULL, quarantined BOOLEAN NOT NULL, "
            + "provenance TEXT NOT NULL, time_ms BIGINT NOT NULL, key_id TEXT, signature TEXT, "
            + "prev_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (scope, key, version))",
        "CREATE INDEX IF NOT EXISTS memory_log_author ON memory_log (author, time_ms)",
        "CREATE TABLE IF NOT EXISTS memory_current (scope TEXT COLLATE \"C\" NOT NULL, key TEXT COLLATE \"C\" NOT NULL, "
            + "seq BIGINT NOT NULL, version BIGINT NOT NULL, deleted BOOLEAN NOT NULL, folded TEXT, "
            + "PRIMARY KEY (scope, key))",
        "CREATE INDEX IF NOT EXISTS memory_current_folded ON memory_current USING gin (folded gin_trgm_ops) "
            + "WHERE NOT deleted",
        "CREATE TABLE IF NOT EXISTS memory_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS memory_checkpoints (seq BIGINT PRIMARY KEY, hash TEXT NOT NULL, "
            + "time_ms BIGINT NOT NULL, key_id TEXT, signature TEXT)",
        "CREATE TABLE IF NOT EXISTS memory_keys (key_id TEXT PRIMARY KEY, principal TEXT NOT NULL, "
            + "public_key TEXT NOT NULL)");
  }

  @Override
  public String lockHead() {
    return "SELECT seq, hash FROM memory_head WHERE id = 1 FOR UPDATE";
  }

  @Override
  public PreparedStatement search(Connection c, List<String> scopes, KeyRange range, String foldedQuery, int limit)
      throws SQLException {
    String sql = "SELECT " + JdbcStore.L_COLUMNS + " FROM memory_current c JOIN memory_log l ON l.seq = c.seq "
        + "WHERE c.folded LIKE ? ESCAPE '\\' AND c.scope IN ("
        + String.join(", ", Collections.nCopies(scopes.size(), "?")) + ") AND NOT c.deleted AND "
        + range.condition("c.key") + " ORDER BY c.seq DESC LIMIT ?";
    PreparedStatement s = c.prepareStatement(sql);
    int i = 1;
    s.setString(i++, "%" + foldedQuery.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
    for (String scope : scopes) {
      s.setString(i++, scope);
    }
    s.setInt(range.bind(s, i), limit);
    return s;
  }

  @Override
  public void streaming(Connection c, PreparedStatement s) throws SQLException {
    c.setAutoCommit(false); // the driver streams with a cursor only inside a transaction; the pool resets it
    s.setFetchSize(1_000);
  }
}
