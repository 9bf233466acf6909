package dev.aegis.store.sqlite;

import dev.aegis.store.Dialect;
import dev.aegis.store.JdbcStore;
import dev.aegis.store.KeyRange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;

/**
 * SQLite's schema and search. Every write transaction begins {@code IMMEDIATE}, which is the head lock (and the schema lock) across processes. Search: {@code memory_fts}, an FTS5 index over
 * {@code memory_current.folded} (external content, kept in step by triggers) with the trigram tokenizer and
 * {@code detail=none} (which trigrams a row has, not where: a third of the size, and cheaper appends). A query of
 * three or more code points is {@code folded GLOB '*query*'} (its GLOB characters bracketed): FTS5 narrows it to
 * the rows holding every trigram of the query and SQLite tests the pattern on each, so the match is an exact substring
 * of the folded text (case-sensitive tokenizer: the store folds, by Java's rules, both the text and the query). A
 * shorter query has no trigram: it scans the scopes' live items in key order with {@code instr} and stops at
 * {@code limit} matches, so its cost is the number of items read before finding them (small for one or two
 * characters, which match most text; the whole of the scopes when nothing matches).
 */
final class SqliteDialect implements Dialect {

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
        "CREATE VIRTUAL TABLE IF NOT EXISTS memory_fts USING fts5(folded, content='memory_current', "
            + "content_rowid='rowid', detail='none', tokenize='trigram case_sensitive 1')",
        "CREATE TRIGGER IF NOT EXISTS memory_current_insert AFTER INSERT ON memory_current "
            + "WHEN NOT new.deleted AND new.folded IS NOT NULL BEGIN "
            + "INSERT INTO memory_fts (rowid, folded) VALUES (new.rowid, new.folded); END",
        "CREATE TRIGGER IF NOT EXISTS memory_current_update AFTER UPDATE ON memory_current BEGIN "
            + "INSERT INTO memory_fts (memory_fts, rowid, folded) SELECT 'delete', old.rowid, old.folded "
            + "WHERE NOT old.deleted AND old.folded IS NOT NULL; "
            + "INSERT INTO memory_fts (rowid, folded) SELECT new.rowid, new.folded "
            + "WHERE NOT new.deleted AND new.folded IS NOT NULL; END",
        "CREATE TABLE IF NOT EXISTS memory_head (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS memory_checkpoints (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, "
            + "time_ms INTEGER NOT NULL, key_id TEXT, signature TEXT)",
        "CREATE TABLE IF NOT EXISTS memory_keys (key_id TEXT PRIMARY KEY, principal TEXT NOT NULL, "
            + "public_key TEXT NOT NULL)");
  }

  /** {@code text} as a GLOB pattern matching itself: its wildcards each in a bracket of their own. */
  static String glob(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == '*' || ch == '?' || ch == '[') {
        out.append('[').append(ch).append(']');
      } else {
        out.append(ch);
      }
    }
    return out.toString();
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
    String in = String.join(", ", Collections.nCopies(scopes.size(), "?"));
    String sql = indexed
        ? "SELECT " + JdbcStore.L_COLUMNS + " FROM memory_fts CROSS JOIN memory_current c "
            + "ON c.rowid = memory_fts.rowid JOIN memory_log l ON l.seq = c.seq WHERE memory_fts.folded GLOB ? "
            + "AND c.scope IN (" + in + ") AND NOT c.deleted AND " + range.condition("c.key")
            + " ORDER BY c.scope, c.key LIMIT ?"
        : "SELECT " + JdbcStore.L_COLUMNS + " FROM memory_current c JOIN memory_log l ON l.seq = c.seq "
            + "WHERE c.scope IN (" + in + ") AND NOT c.deleted AND " + range.condition("c.key")
            + " AND instr(c.folded, ?) > 0 ORDER BY c.scope, c.key LIMIT ?";
    PreparedStatement s = c.prepareStatement(sql);
    int i = 1;
    if (indexed) {
      s.setString(i++, "*" + glob(foldedQuery) + "*");
    }
    for (String scope : scopes) {
      s.setString(i++, scope);
    }
    i = range.bind(s, i);
    if (!indexed) {
      s.setString(i++, foldedQuery);
    }
    s.setInt(i, limit);
    return s;
  }
}
