package dev.aegis.memory;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Persistence of the shared memory: an append-only, hash-chained log of {@link Entry entries} plus an index of each
 * key's current entry. SQLite ({@code dev.aegis.store.sqlite}) and PostgreSQL ({@code dev.aegis.store.postgres})
 * implement it; one contract test suite runs against both. Knows nothing of principals' rights, signatures or
 * scanning: {@code Memory} does that on top.
 *
 * <p>Contract: {@link #append} is atomic (all drafts or none), assigns gapless {@code seq} and per-key
 * {@code version}, links the chain ({@code prevHash}, {@code hash} per {@link Chain#hash}) and returns only when the
 * entries are durable (committed with a full sync). Appends from many threads and from several processes on one
 * database are serialised on the chain head; none is lost. Reads see every append that returned before they began.
 *
 * <pre>{@code
 * try (MemoryStore store = SqliteStore.open(Path.of("memory.db"))) {
 *   List<Entry> written = store.append(List.of(draft));
 *   Optional<Entry> now = store.current("team:ops", "notes");
 * }
 * }</pre>
 */
public interface MemoryStore extends AutoCloseable {

  /** Appends {@code drafts} in order, atomically; returns the stored entries. {@link ConflictException} when any
   * draft's expected version does not hold (then nothing is written). */
  List<Entry> append(List<Draft> drafts);

  /** The latest entry of scope/key (possibly a delete tombstone), or empty if it was never written. */
  Optional<Entry> current(String scope, String key);

  /** One version of scope/key. */
  Optional<Entry> version(String scope, String key, long version);

  /** Every version of scope/key, oldest first. */
  List<Entry> history(String scope, String key);

  /** The current, not deleted entries of {@code scope} whose key starts with {@code keyPrefix}, by key, at most
   * {@code limit}. */
  List<Entry> list(String scope, String keyPrefix, int limit);

  /** The current, not deleted entries in any of {@code scopes} whose key starts with {@code keyPrefix} and whose
   * {@code text} contains {@code query} ignoring case (substring, as server-memory's search does); at most
   * {@code limit}, newest first (by seq, descending: so the query stops at {@code limit} instead of sorting every
   * match; at a million items that is ~3 ms instead of ~17 ms for a common word). Ignoring case means both are lower-cased by {@link java.util.Locale#ROOT}
   * rules, not fully case-folded ({@code "STRASSE"} does not find {@code "Straße"}); an entry without text never
   * matches. Indexed: fast at a million items for queries of three or more characters; a shorter one reads the scopes'
   * items newest first until it has {@code limit} matches. */
  List<Entry> search(Collection<String> scopes, String keyPrefix, String query, int limit);

  /** Entries written by {@code author} at or after {@code since}, in seq order (for revert). */
  List<Entry> writtenBy(String author, Instant since);

  /** Feeds entries {@code fromSeq..toSeq} (inclusive) in seq order, read straight from the log. */
  void scan(long fromSeq, long toSeq, Consumer<Entry> sink);

  /** The seq of the last entry, 0 when empty. */
  long head();

  /** Stores a checkpoint (idempotent per seq). */
  void checkpoint(Checkpoint checkpoint);

  /** All checkpoints, by seq. */
  List<Checkpoint> checkpoints();

  /** Records a principal's public key (X.509 DER, base64) under {@code keyId}; a second call with the same id and
   * key is a no-op, with another key a {@link StoreException}. */
  void registerKey(String keyId, String principal, String publicKey);

  /** The public key recorded under {@code keyId}. */
  Optional<String> publicKey(String keyId);

  @Override
  void close();
}
