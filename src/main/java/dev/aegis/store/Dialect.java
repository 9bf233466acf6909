package dev.aegis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * What differs between the databases {@link JdbcStore} runs on: the schema, how an append transaction takes the chain
 * head, and how text search is indexed. Everything else is one SQL text for both.
 */
public interface Dialect {

  /** A name for messages, e.g. {@code SQLite}. */
  String name();

  /** Takes whatever lock serialises schema creation across processes, inside the current transaction. */
  void lockSchema(Connection c) throws SQLException;

  /** DDL run on open, each statement idempotent ({@code IF NOT EXISTS}). */
  List<String> schema();

  /**
   * The statement that opens an append transaction on a connection left in auto-commit (then {@code COMMIT} and
   * {@code ROLLBACK} end it), or null to use JDBC's transactions. SQLite needs the former: its driver begins the next
   * transaction as soon as one commits, which for the writer's {@code IMMEDIATE} transactions would hold the write
   * lock between appends.
   */
  default String beginAppend() {
    return null;
  }

  /** Selects {@code seq, hash} of the one row of {@code memory_head} and holds it until the transaction ends. */
  String lockHead();

  /**
   * A statement selecting every {@code memory_log} column ({@link JdbcStore#LOG_COLUMNS}, prefixed {@code l.}) of
   * the current, not deleted entries in {@code scopes} under {@code range} whose folded text contains
   * {@code foldedQuery}, newest first (seq descending), at most {@code limit}; parameters bound.
   */
  PreparedStatement search(Connection c, List<String> scopes, KeyRange range, String foldedQuery, int limit)
      throws SQLException;

  /** Items appended after which the writer calls {@link #index}; 0 when search needs no index written apart. */
  default int indexChunk() {
    return 0;
  }

  /** Brings a search index kept apart from the appends up to date, on the writer's connection (in auto-commit),
   * between two batches. */
  default void index(Connection c) throws SQLException {}

  /** Prepares {@code c} to stream a long result set with {@code fetchSize} (PostgreSQL needs a transaction). */
  default void streaming(Connection c, PreparedStatement s) throws SQLException {}
}
