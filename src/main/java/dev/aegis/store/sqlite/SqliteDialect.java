package dev.aegis.store.sqlite;

import dev.aegis.store.Dialect;
import dev.aegis.store.JdbcStore;
import dev.aegis.store.KeyRange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;

/**
 * SQLite's schema and search. Every write transaction begins {@code IMMEDIATE}, which is the head lock (and the schema
 * lock) across processes.
 *
 * <p>Search: {@code memory_fts}, a contentless FTS5 index with the trigram tokenizer ({@code detail=none}: which
 * trigrams an entry has, not where), maps trigrams of each log entry's folded text to its seq. Like the log it is
 * append-only (an FTS5 delete costs as much as an insert, and would be paid on every update), and it is written behind
 * the appends, in chunks of {@link #INDEX_CHUNK} entries ({@link #index}): maintaining it inside every small
 * group-commit transaction cost two thirds of the writer's time, because FTS5 writes a segment per transaction.
 * {@code memory_fts_state} holds the seq up to which it is written. A query of three or more code points takes the
 * seqs holding all its trigrams from the index, adds the items changed after that seq (an index range on
 * {@code memory_current.seq}), keeps those seqs that are still their key's current entry (older versions and
 * tombstones drop out here) and of those the ones whose folded text contains the query ({@code instr}). So the match
 * is exact and sees every append that returned, whatever the index's lag. Case: the store folds text and query by
 * Java's rules (a case-sensitive tokenizer on folded text). A query shorter than a trigram scans the scopes' live
 * items newest first with {@code instr} and stops at {@code limit} matches, so its cost is the number of items read
 * before finding them (small for one or two characters, which match most text; the whole of the scopes when nothing
 * matches).
 */
final class SqliteDialect implements Dialect {
  /** Changed items the writer lets accumulate before it indexes them for search (searches scan these). */
  static final int INDEX_CHUNK = 1_000;
  /** Trigrams of a query looked up in the index; the rest are checked by {@code instr} on the candidates. */
  private static final int MAX_TRIGRAMS = 32;

  @Override
  public String name() {
    return "SQLite";
  }

  @Override
  public void lockSchema(Connection c) {
    // the writer's transactions are BEGIN IMMEDIATE: the first statement already holds the database's write lock
  }

  @Override
  public List<String> schema() {
    return List.of(
        "CREATE TABLE IF NOT EXISTS memory_log (seq INTEGER PRIMARY KEY, scope TEXT NOT NULL, key TEXT NOT NULL, "
            + "version INTEGER NOT NULL, op TEXT NOT NULL, content TEXT, text TEXT, author TEXT NOT NULL, "
            + "session TEXT, trust TEXT NOT NULL, quarantined INTEGER NOT NULL, provenance TEXT NOT NULL, "
            + "time_ms INTEGER NOT NULL, key_id TEXT, signature TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, "
            + "UNIQUE (scope, key, version))",
        "CREATE INDEX IF NOT EXISTS memory_log_author ON memory_log (author, time_ms)",
        "CREATE TABLE IF NOT EXISTS memory_current (scope TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, "
            + "version INTEGER NOT NULL, deleted INTEGER NOT NULL, folded TEXT, PRIMARY KEY (scope, key))",
        "CREATE INDEX IF NOT EXISTS memory_current_seq ON memory_current (seq)",
        "CREATE VIRTUAL TABLE IF NOT EXISTS memory_fts USING fts5(folded, content='', "
            + "detail='none', tokenize='trigram case_sensitive 1')",
        "CREATE TABLE IF NOT EXISTS memory_fts_state (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL)",
        "INSERT INTO memory_fts_state (id, seq) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
        "CREATE TABLE IF NOT EXISTS memory_head (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS memory_checkpoints (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, "
            + "time_ms INTEGER NOT NULL, key_id TEXT, signature TEXT)",
        "CREATE TABLE IF NOT EXISTS memory_keys (key_id TEXT PRIMARY KEY, principal TEXT NOT NULL, "
            + "public_key TEXT NOT NULL)");
  }

  /** An FTS5 query for the rows holding every trigram of {@code folded} (at least three code points). */
  static String trigrams(String folded) {
    int[] cps = folded.codePoints().toArray();
    java.util.Set<String> seen = new java.util.LinkedHashSet<>();
    for (int i = 0; i + 3 <= cps.length && seen.size() < MAX_TRIGRAMS; i++) {
      seen.add(new String(cps, i, 3));
    }
    StringBuilder q = new StringBuilder();
    for (String t : seen) {
      q.append(q.length() == 0 ? "" : " AND ").append('"').append(t.replace("\"", "\"\"")).append('"');
    }
    return q.toString();
  }

  @Override
  public int indexChunk() {
    return INDEX_CHUNK;
  }

  /** Writes the items changed since the last time into {@code memory_fts}, in one transaction of its own. */
  @Override
  public void index(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
      try {
        long from;
        try (ResultSet rs = s.executeQuery("SELECT seq FROM memory_fts_state WHERE id = 1")) {
          from = rs.next() ? rs.getLong(1) : 0;
        }
        long to = from;
        try (PreparedStatement added = c.prepareStatement("SELECT seq, text FROM memory_log WHERE seq > ? "
                + "ORDER BY seq");
            PreparedStatement insert = c.prepareStatement("INSERT INTO memory_fts (rowid, folded) VALUES (?, ?)")) {
          added.setLong(1, from);
          try (ResultSet rs = added.executeQuery()) {
            while (rs.next()) {
              to = rs.getLong(1);
              String text = rs.getString(2);
              if (text != null) {
                insert.setLong(1, to);
                insert.setString(2, JdbcStore.fold(text));
                insert.executeUpdate();
              }
            }
          }
        }
        s.executeUpdate("UPDATE memory_fts_state SET seq = " + to + " WHERE id = 1");
        s.execute("COMMIT");
      } catch (SQLException | RuntimeException e) {
        try {
          s.execute("ROLLBACK");
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }
  }

  @Override
  public String beginAppend() {
    return "BEGIN IMMEDIATE";
  }

  @Override
  public String lockHead() {
    return "SELECT seq, hash FROM memory_head WHERE id = 1";
  }

  @Override
  public PreparedStatement search(Connection c, List<String> scopes, KeyRange range, String foldedQuery, int limit)
      throws SQLException {
    boolean indexed = foldedQuery.codePointCount(0, foldedQuery.length()) >= 3;
    // the index's candidates and the items changed since it was written, looked up by seq: "+c.scope" keeps the
    // planner from walking the scopes' keys instead, and a UNION (not ALL) would make it scan memory_current in rowid
    // order to merge; IN takes each rowid once
    String where = (indexed ? "+" : "") + "c.scope IN (" + String.join(", ", Collections.nCopies(scopes.size(), "?")) + ") AND NOT "
        + "c.deleted AND " + range.condition("c.key") + " AND instr(c.folded, ?) > 0 ORDER BY c.seq DESC LIMIT ?";
    String sql = "SELECT " + JdbcStore.L_COLUMNS + " FROM memory_current c JOIN memory_log l ON l.seq = c.seq WHERE "
        + (indexed ? "c.seq IN (SELECT rowid FROM memory_fts WHERE memory_fts MATCH ? UNION ALL SELECT seq FROM "
            + "memory_current WHERE seq > (SELECT seq FROM memory_fts_state WHERE id = 1)) AND " : "") + where;
    PreparedStatement s = c.prepareStatement(sql);
    int i = 1;
    if (indexed) {
      s.setString(i++, trigrams(foldedQuery));
    }
    for (String scope : scopes) {
      s.setString(i++, scope);
    }
    i = range.bind(s, i);
    s.setString(i++, foldedQuery);
    s.setInt(i, limit);
    return s;
  }
}
