package dev.aegis.store;

import dev.aegis.memory.Chain;
import dev.aegis.memory.ConflictException;
import dev.aegis.memory.Draft;
import dev.aegis.memory.Entry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Writes one group-commit batch in one transaction: lock the chain head (so another process appending to the same
 * database waits, then continues the chain it left), read the current version of every key the batch touches, decide
 * each request in memory (a request whose expected versions do not hold fails alone, writing nothing), then write the
 * log, the current index and the head with a few batched statements, and commit. Runs on the group commit's thread
 * only, on a connection of its own that it keeps, with its statements prepared once; after a failure it starts over
 * with a new connection.
 */
final class Appender implements GroupCommit.Committer {
  /** Placeholder pairs of the version queries: a key list is padded to one of these sizes (few statements to cache). */
  private static final int[] KEY_CHUNKS = {1, 4, 16, 64, 256};
  private static final String INSERT_LOG = "INSERT INTO memory_log (" + JdbcStore.LOG_COLUMNS
      + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String UPSERT_CURRENT = "INSERT INTO memory_current (scope, key, seq, version, deleted, folded) "
      + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET seq = excluded.seq, "
      + "version = excluded.version, deleted = excluded.deleted, folded = excluded.folded";

  private record ScopeKey(String scope, String key) {}

  private final Dialect dialect;
  private final DataSource writer;
  private final Map<String, PreparedStatement> statements = new HashMap<>();
  private Connection connection;
  private int unindexed = Integer.MAX_VALUE / 2; // index whatever earlier runs left, at the first batch

  Appender(Dialect dialect, DataSource writer) {
    this.dialect = dialect;
    this.writer = writer;
  }

  private PreparedStatement statement(String sql) throws SQLException {
    PreparedStatement s = statements.get(sql);
    if (s == null) {
      s = connection.prepareStatement(sql);
      statements.put(sql, s);
    }
    return s;
  }

  @Override
  public void stopped() {
    if (connection != null && dialect.indexChunk() > 0 && unindexed > 0) {
      index(); // a reopened store starts with nothing to scan
    }
    release();
  }

  private void release() {
    for (PreparedStatement s : statements.values()) {
      try {
        s.close();
      } catch (SQLException e) {
        // closing anyway
      }
    }
    statements.clear();
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // closing anyway
      }
      connection = null;
    }
  }

  @Override
  public void commit(List<GroupCommit.Request> batch) throws SQLException {
    Map<GroupCommit.Request, List<Entry>> written = new LinkedHashMap<>();
    String begin = dialect.beginAppend();
    if (connection == null) {
      connection = writer.getConnection();
      connection.setAutoCommit(begin != null);
    }
    Connection c = connection;
    try {
      if (begin != null) {
        statement(begin).execute();
      }
      long seq;
      String hash;
      try (ResultSet rs = statement(dialect.lockHead()).executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("memory_head has no row");
        }
        seq = rs.getLong(1);
        hash = rs.getString(2);
      }
      Map<ScopeKey, Long> versions = versions(batch);
      Map<ScopeKey, Entry> latest = new LinkedHashMap<>();
      List<Entry> log = new ArrayList<>();
      for (GroupCommit.Request r : batch) {
        ConflictException conflict = conflict(r.drafts, versions);
        if (conflict != null) {
          r.done.completeExceptionally(conflict);
          continue;
        }
        List<Entry> entries = new ArrayList<>(r.drafts.size());
        for (Draft d : r.drafts) {
          ScopeKey k = new ScopeKey(d.scope(), d.key());
          long version = versions.getOrDefault(k, 0L) + 1;
          Entry e = new Entry(++seq, d.scope(), d.key(), version, d.op(), d.content(), d.text(), d.author(),
              d.session(), d.trust(), d.quarantined(), d.provenance(), Instant.ofEpochMilli(d.time().toEpochMilli()),
              d.keyId(), d.signature(), hash, null);
          hash = Chain.hash(e);
          e = withHash(e, hash);
          versions.put(k, version);
          latest.put(k, e);
          entries.add(e);
        }
        log.addAll(entries);
        written.put(r, entries);
      }
      if (!log.isEmpty()) {
        write(log, latest.values(), seq, hash);
      }
      if (begin != null) {
        statement("COMMIT").execute();
      } else {
        c.commit();
      }
    } catch (SQLException | RuntimeException e) {
      try {
        if (begin != null) {
          statement("ROLLBACK").execute();
        } else {
          c.rollback();
        }
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      release(); // the next batch starts on a fresh connection
      throw e;
    }
    written.forEach((r, entries) -> r.done.complete(List.copyOf(entries)));
    for (List<Entry> entries : written.values()) {
      unindexed += entries.size();
    }
    if (dialect.indexChunk() > 0 && unindexed >= dialect.indexChunk()) {
      index();
    }
  }

  /** Lets the dialect write its search index; a failure here fails no append (search scans what is not indexed). */
  private void index() {
    try {
      dialect.index(connection);
      unindexed = 0;
    } catch (SQLException | RuntimeException e) {
      System.getLogger(Appender.class.getName()).log(System.Logger.Level.WARNING,
          "memory search index not brought up to date (searches scan the rest): " + e, e);
      unindexed = 0; // try again after another chunk rather than after every batch
    }
  }

  /** Null when every expected version of {@code drafts} holds, applied in order (so a draft may expect the version an
   * earlier draft of the same request creates). */
  private static ConflictException conflict(List<Draft> drafts, Map<ScopeKey, Long> versions) {
    Map<ScopeKey, Long> mine = new HashMap<>();
    for (Draft d : drafts) {
      ScopeKey k = new ScopeKey(d.scope(), d.key());
      long now = mine.containsKey(k) ? mine.get(k) : versions.getOrDefault(k, 0L);
      if (d.expectedVersion() != null && d.expectedVersion() != now) {
        return new ConflictException(d.scope() + "/" + d.key() + " is at version " + now + ", not the expected "
            + d.expectedVersion() + "; nothing was written");
      }
      mine.put(k, now + 1);
    }
    return null;
  }

  /** The current version of every key in the batch (absent: never written), read after the head lock. */
  private Map<ScopeKey, Long> versions(List<GroupCommit.Request> batch) throws SQLException {
    List<ScopeKey> keys = batch.stream().flatMap(r -> r.drafts.stream())
        .map(d -> new ScopeKey(d.scope(), d.key())).distinct().toList();
    Map<ScopeKey, Long> versions = new HashMap<>();
    int largest = KEY_CHUNKS[KEY_CHUNKS.length - 1];
    for (int from = 0; from < keys.size(); from += largest) {
      List<ScopeKey> chunk = keys.subList(from, Math.min(keys.size(), from + largest));
      int size = 0;
      for (int candidate : KEY_CHUNKS) {
        size = candidate;
        if (candidate >= chunk.size()) {
          break;
        }
      }
      PreparedStatement s = statement("SELECT scope, key, version FROM memory_current WHERE (scope, key) IN ("
          + String.join(", ", java.util.Collections.nCopies(size, "(?, ?)")) + ")");
      int i = 1;
      for (int j = 0; j < size; j++) {
        ScopeKey k = chunk.get(Math.min(j, chunk.size() - 1)); // padding repeats the last key
        s.setString(i++, k.scope());
        s.setString(i++, k.key());
      }
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          versions.put(new ScopeKey(rs.getString(1), rs.getString(2)), rs.getLong(3));
        }
      }
    }
    return versions;
  }

  private void write(List<Entry> log, Iterable<Entry> latest, long seq, String hash) throws SQLException {
    PreparedStatement s = statement(INSERT_LOG);
    int n = 0;
    for (Entry e : log) {
      s.setLong(1, e.seq());
      s.setString(2, e.scope());
      s.setString(3, e.key());
      s.setLong(4, e.version());
      s.setString(5, e.op());
      s.setString(6, e.content());
      s.setString(7, e.text());
      s.setString(8, e.author());
      s.setString(9, e.session());
      s.setString(10, e.trust());
      s.setBoolean(11, e.quarantined());
      s.setString(12, e.provenance());
      s.setLong(13, e.time().toEpochMilli());
      s.setString(14, e.keyId());
      s.setString(15, e.signature());
      s.setString(16, e.prevHash());
      s.setString(17, e.hash());
      s.addBatch();
      if (++n % 1000 == 0) {
        s.executeBatch();
      }
    }
    s.executeBatch();
    writeCurrent(latest);
    PreparedStatement head = statement("UPDATE memory_head SET seq = ?, hash = ? WHERE id = 1");
    head.setLong(1, seq);
    head.setString(2, hash);
    head.executeUpdate();
  }

  /** One upsert per key, of its latest entry (a batch may hold several versions of one key). */
  private void writeCurrent(Iterable<Entry> latest) throws SQLException {
    PreparedStatement s = statement(UPSERT_CURRENT);
    int n = 0;
    for (Entry e : latest) {
      s.setString(1, e.scope());
      s.setString(2, e.key());
      s.setLong(3, e.seq());
      s.setLong(4, e.version());
      s.setBoolean(5, e.deleted());
      s.setString(6, e.deleted() ? null : JdbcStore.fold(e.text()));
      s.addBatch();
      if (++n % 1000 == 0) {
        s.executeBatch();
      }
    }
    s.executeBatch();
  }

  private static Entry withHash(Entry e, String hash) {
    return new Entry(e.seq(), e.scope(), e.key(), e.version(), e.op(), e.content(), e.text(), e.author(), e.session(),
        e.trust(), e.quarantined(), e.provenance(), e.time(), e.keyId(), e.signature(), e.prevHash(), hash);
  }
}
