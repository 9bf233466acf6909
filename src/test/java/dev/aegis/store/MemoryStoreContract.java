package dev.aegis.store;

import static dev.aegis.store.MemoryFixtures.T0;
import static dev.aegis.store.MemoryFixtures.delete;
import static dev.aegis.store.MemoryFixtures.put;
import static dev.aegis.store.MemoryFixtures.verifiedLog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.memory.Chain;
import dev.aegis.memory.Checkpoint;
import dev.aegis.memory.ConflictException;
import dev.aegis.memory.Draft;
import dev.aegis.memory.Entry;
import dev.aegis.memory.MemoryStore;
import dev.aegis.memory.StoreException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link MemoryStore} contract, run against every implementation: each subclass opens a store on a fresh
 * database per test ({@link #open} twice in one test reopens the same database).
 */
public abstract class MemoryStoreContract {
  protected MemoryStore store;

  /** A store on this test's database. */
  protected abstract MemoryStore open();

  /** Runs one SQL statement on this test's database, behind the store's back. */
  protected abstract void sql(String statement) throws Exception;

  @BeforeEach
  void openStore() {
    store = open();
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  private MemoryStore reopen() {
    store.close();
    store = open();
    return store;
  }

  @Test
  void appendAssignsSeqAndVersionAndLinksTheChain() {
    List<Entry> first = store.append(List.of(put("team:ops", "a", "one"), put("team:ops", "b", "two"),
        put("team:ops", "a", "three")));
    List<Entry> second = store.append(List.of(put("agent:bob", "a", "four")));

    assertThat(first).extracting(Entry::seq).containsExactly(1L, 2L, 3L);
    assertThat(first).extracting(Entry::version).containsExactly(1L, 1L, 2L);
    assertThat(second).extracting(Entry::seq, Entry::version).containsExactly(org.assertj.core.groups.Tuple.tuple(4L,
        1L));
    assertThat(first.get(0).prevHash()).isEqualTo(Chain.GENESIS);
    assertThat(first.get(1).prevHash()).isEqualTo(first.get(0).hash());
    assertThat(second.get(0).prevHash()).isEqualTo(first.get(2).hash());
    for (Entry e : List.of(first.get(0), first.get(1), first.get(2), second.get(0))) {
      assertThat(e.hash()).startsWith("sha256:").isEqualTo(Chain.hash(e));
    }
    assertThat(store.head()).isEqualTo(4);
    assertThat(verifiedLog(store)).containsExactly(first.get(0), first.get(1), first.get(2), second.get(0));
  }

  @Test
  void storedEntryIsTheDraftWithWhatTheStoreAssigned() {
    Draft d = put("team:ops", "notes", "Deploy on Friday").withSignature("key-9", "c2ln");
    Entry e = store.append(List.of(d)).get(0);

    assertThat(e.draft()).isEqualTo(d.expecting(null));
    assertThat(store.current("team:ops", "notes")).contains(e);
  }

  @Test
  void timeIsKeptToTheMillisecondSoTheHashStillVerifiesAfterReading() {
    Instant precise = Instant.parse("2026-03-01T10:00:00.123456789Z");
    Entry e = store.append(List.of(put("s", "k", "t", "alice", precise))).get(0);

    assertThat(e.time()).isEqualTo(Instant.parse("2026-03-01T10:00:00.123Z"));
    assertThat(store.current("s", "k")).contains(e);
    verifiedLog(store);
  }

  @Test
  void aBatchWithOneConflictingDraftWritesNothing() {
    store.append(List.of(put("s", "taken", "v1")));

    assertThatThrownBy(() -> store.append(List.of(put("s", "fresh", "x"), put("s", "taken", "v2").expecting(5L))))
        .isInstanceOf(ConflictException.class).hasMessageContaining("s/taken").hasMessageContaining("version 1");
    assertThat(store.head()).isEqualTo(1);
    assertThat(store.current("s", "fresh")).isEmpty();
    assertThat(store.history("s", "taken")).hasSize(1);
    assertThat(store.append(List.of(put("s", "fresh", "y"))).get(0).seq()).isEqualTo(2);
    verifiedLog(store);
  }

  @Test
  void expectedVersionZeroMeansNeverWrittenAndNMeansExactlyN() {
    assertThat(store.append(List.of(put("s", "k", "a").expecting(0L))).get(0).version()).isEqualTo(1);
    assertThatThrownBy(() -> store.append(List.of(put("s", "k", "b").expecting(0L))))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> store.append(List.of(put("s", "k", "b").expecting(2L))))
        .isInstanceOf(ConflictException.class);
    assertThat(store.append(List.of(put("s", "k", "b").expecting(1L))).get(0).version()).isEqualTo(2);
    // drafts of one append see the versions the earlier ones create
    assertThat(store.append(List.of(put("s", "n", "x").expecting(0L), put("s", "n", "y").expecting(1L),
        delete("s", "n").expecting(2L)))).extracting(Entry::version).containsExactly(1L, 2L, 3L);
    assertThat(store.append(List.of(put("s", "n", "back").expecting(3L))).get(0).version()).isEqualTo(4);
  }

  @Test
  void aConflictFailsOnlyItsOwnCallerAmongConcurrentAppends() throws Exception {
    store.append(List.of(put("s", "contended", "v1")));
    int threads = 8;
    int rounds = 50;
    AtomicInteger conflicts = new AtomicInteger();
    List<Callable<List<Long>>> jobs = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      jobs.add(() -> {
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
          if (i % 2 == 0) {
            try {
              store.append(List.of(put("s", "w" + id + "-" + i, "x"), put("s", "contended", "no").expecting(99L)));
            } catch (ConflictException e) {
              conflicts.incrementAndGet();
            }
          } else {
            seqs.add(store.append(List.of(put("s", "w" + id + "-" + i, "ok"))).get(0).seq());
          }
        }
        return seqs;
      });
    }
    List<Long> acknowledged = runAll(jobs);

    assertThat(conflicts.get()).isEqualTo(threads * rounds / 2);
    assertThat(acknowledged).hasSize(threads * rounds / 2).doesNotHaveDuplicates();
    assertThat(store.head()).isEqualTo(1 + threads * rounds / 2);
    assertThat(store.history("s", "contended")).hasSize(1);
    verifiedLog(store);
  }

  @Test
  void currentVersionAndHistoryFollowEveryChange() {
    store.append(List.of(put("s", "k", "first")));
    store.append(List.of(put("s", "k", "second")));
    Entry tombstone = store.append(List.of(delete("s", "k"))).get(0);

    assertThat(store.current("s", "k")).contains(tombstone);
    assertThat(tombstone.deleted()).isTrue();
    assertThat(tombstone.content()).isNull();
    assertThat(store.version("s", "k", 2)).get().extracting(Entry::text).isEqualTo("second");
    assertThat(store.version("s", "k", 4)).isEmpty();
    assertThat(store.history("s", "k")).extracting(Entry::version, Entry::op).containsExactly(
        org.assertj.core.groups.Tuple.tuple(1L, "put"), org.assertj.core.groups.Tuple.tuple(2L, "put"),
        org.assertj.core.groups.Tuple.tuple(3L, "delete"));
    assertThat(store.current("s", "never")).isEmpty();
    assertThat(store.current("other", "k")).isEmpty();
    assertThat(store.history("s", "never")).isEmpty();
  }

  @Test
  void listGivesLiveItemsOfOneScopeUnderAKeyPrefixInKeyOrder() {
    store.append(List.of(put("s", "notes/b", "1"), put("s", "notes/a", "2"), put("s", "notes/c", "3"),
        put("s", "notesX", "4"), put("s", "other", "5"), put("t", "notes/a", "6"), put("s", "notes/é", "7"),
        put("s", "notes/\uD83D\uDE00", "8"), put("s", "notes/%", "9"), put("s", "notes_", "10")));
    store.append(List.of(delete("s", "notes/c")));

    assertThat(store.list("s", "notes/", 100)).extracting(Entry::key)
        .containsExactly("notes/%", "notes/a", "notes/b", "notes/é", "notes/\uD83D\uDE00");
    assertThat(store.list("s", "notes/", 2)).extracting(Entry::key).containsExactly("notes/%", "notes/a");
    assertThat(store.list("s", "notes_", 10)).extracting(Entry::key).containsExactly("notes_");
    assertThat(store.list("s", "notes/\uD83D", 10)).isEmpty(); // half a character is no prefix of a whole one
    assertThat(store.list("s", "notes/\uD83D\uDE00", 10)).extracting(Entry::key).containsExactly("notes/\uD83D\uDE00");
    assertThat(store.list("s", "", 100)).hasSize(8);
    assertThat(store.list("s", "", 0)).isEmpty();
    assertThat(store.list("nobody", "", 10)).isEmpty();
  }

  @Test
  void searchIgnoresCaseAndMatchesSubstringsOfUnicodeText() {
    store.append(List.of(put("s", "fox", "The Quick Brown Fox"), put("s", "anger", "ÄRGER über die Straße"),
        put("s", "greek", "ΣΊΣΥΦΟΣ rolls"), put("s", "emoji", "deploy \uD83D\uDE80 friday"),
        put("s", "plain", "nothing here")));

    assertThat(keys(store.search(List.of("s"), "", "quick", 10))).containsExactly("fox");
    assertThat(keys(store.search(List.of("s"), "", "K BROWN f", 10))).containsExactly("fox");
    assertThat(keys(store.search(List.of("s"), "", "ärger ÜBER", 10))).containsExactly("anger");
    assertThat(keys(store.search(List.of("s"), "", "STRASSE", 10))).isEmpty(); // lower-casing, not full case folding
    assertThat(keys(store.search(List.of("s"), "", "straße", 10))).containsExactly("anger");
    assertThat(keys(store.search(List.of("s"), "", "σίσυφος", 10))).containsExactly("greek");
    assertThat(keys(store.search(List.of("s"), "", "\uD83D\uDE80 FRI", 10))).containsExactly("emoji");
    assertThat(keys(store.search(List.of("s"), "", "absent", 10))).isEmpty();
  }

  @Test
  void searchTakesWildcardsAndQuotesInTheQueryLiterally() {
    store.append(List.of(put("s", "pct", "100% sure"), put("s", "num", "1000 sure"), put("s", "under", "a_b_c"),
        put("s", "nounder", "aXbXc"), put("s", "quote", "say \"hi\" now"), put("s", "slash", "C:\\temp\\x"),
        put("s", "star", "a*b OR c")));

    assertThat(keys(store.search(List.of("s"), "", "100%", 10))).containsExactly("pct");
    assertThat(keys(store.search(List.of("s"), "", "0% s", 10))).containsExactly("pct");
    assertThat(keys(store.search(List.of("s"), "", "a_b", 10))).containsExactly("under");
    assertThat(keys(store.search(List.of("s"), "", "_", 10))).containsExactly("under");
    assertThat(keys(store.search(List.of("s"), "", "%", 10))).containsExactly("pct");
    assertThat(keys(store.search(List.of("s"), "", "\"hi\"", 10))).containsExactly("quote");
    assertThat(keys(store.search(List.of("s"), "", "\\temp\\", 10))).containsExactly("slash");
    assertThat(keys(store.search(List.of("s"), "", "a*b OR", 10))).containsExactly("star");
    assertThat(keys(store.search(List.of("s"), "", "b OR d", 10))).isEmpty();
  }

  @Test
  void searchFiltersByScopeKeyPrefixAndLiveItemsNewestFirst() {
    store.append(List.of(put("team:ops", "runbook/db", "restart the database"),
        put("team:ops", "runbook/web", "restart the web tier"), put("team:ops", "notes", "restart plan"),
        put("agent:alice", "todo", "restart laptop"), put("agent:bob", "todo", "restart router"),
        put("team:ops", "runbook/old", "restart the mainframe")));
    store.append(List.of(delete("team:ops", "runbook/old")));
    Draft noText = new Draft("team:ops", "runbook/blob", Entry.PUT, "{}", null, "alice", null, "trusted", false,
        "{}", T0, null, null, null);
    store.append(List.of(noText));

    List<String> both = List.of("team:ops", "agent:alice");
    assertThat(store.search(both, "", "RESTART", 10)).extracting(e -> e.scope() + "/" + e.key()).containsExactly(
        "agent:alice/todo", "team:ops/notes", "team:ops/runbook/web", "team:ops/runbook/db");
    assertThat(keys(store.search(both, "runbook/", "restart", 10))).containsExactly("runbook/web", "runbook/db");
    assertThat(keys(store.search(both, "", "restart", 2))).containsExactly("todo", "notes");
    assertThat(keys(store.search(List.of("team:ops"), "", "mainframe", 10))).isEmpty();
    assertThat(keys(store.search(List.of("agent:bob"), "", "router", 10))).containsExactly("todo");
    assertThat(store.search(List.of(), "", "restart", 10)).isEmpty();
    // queries shorter than a trigram take the scanning path, with the same answers
    assertThat(keys(store.search(List.of("team:ops"), "", "DA", 10))).containsExactly("runbook/db");
    assertThat(keys(store.search(List.of("team:ops"), "", "w", 10))).containsExactly("runbook/web");
    assertThat(keys(store.search(List.of("team:ops"), "", "", 10))).containsExactly("notes", "runbook/web",
        "runbook/db");
  }

  @Test
  void searchFollowsUpdatesAndUndeletes() {
    store.append(List.of(put("s", "k", "alpha version")));
    store.append(List.of(put("s", "k", "beta version")));
    assertThat(keys(store.search(List.of("s"), "", "alpha", 10))).isEmpty();
    assertThat(keys(store.search(List.of("s"), "", "beta", 10))).containsExactly("k");

    store.append(List.of(delete("s", "k")));
    assertThat(keys(store.search(List.of("s"), "", "beta", 10))).isEmpty();
    store.append(List.of(put("s", "k", "gamma version")));
    assertThat(store.search(List.of("s"), "", "gamma", 10)).extracting(Entry::version).containsExactly(4L);
    assertThat(keys(store.search(List.of("s"), "", "beta", 10))).isEmpty();
  }

  @Test
  void writtenByGivesAnAuthorsEntriesSinceATimeInSeqOrder() {
    Instant t1 = T0.plus(Duration.ofMinutes(1));
    store.append(List.of(put("s", "a", "x", "alice", T0), put("s", "b", "x", "bob", t1)));
    store.append(List.of(put("s", "c", "x", "alice", t1.plusSeconds(60)), put("s", "a", "y", "alice", t1)));

    assertThat(store.writtenBy("alice", T0)).extracting(Entry::seq).containsExactly(1L, 3L, 4L);
    assertThat(store.writtenBy("alice", t1)).extracting(Entry::seq).containsExactly(3L, 4L);
    assertThat(store.writtenBy("bob", t1.plusMillis(1))).isEmpty();
    assertThat(store.writtenBy("carol", T0)).isEmpty();
  }

  @Test
  void scanFeedsARangeOfTheLogInSeqOrder() {
    for (int i = 0; i < 5; i++) {
      store.append(List.of(put("s", "k" + (i % 2), "v" + i)));
    }
    List<Long> seqs = new ArrayList<>();
    store.scan(2, 4, e -> seqs.add(e.seq()));
    assertThat(seqs).containsExactly(2L, 3L, 4L);
    List<Long> tail = new ArrayList<>();
    store.scan(4, 100, e -> tail.add(e.seq()));
    assertThat(tail).containsExactly(4L, 5L);
    store.scan(6, 10, e -> tail.add(e.seq()));
    assertThat(tail).hasSize(2);
  }

  @Test
  void checkpointsAreKeptOncePerSeqInSeqOrder() {
    Checkpoint ten = new Checkpoint(10, "sha256:" + "a".repeat(64), T0, "gw-1", "c2ln");
    Checkpoint five = new Checkpoint(5, "sha256:" + "b".repeat(64), T0.plusSeconds(1), "gw-1", "c2lnMg");
    store.checkpoint(ten);
    store.checkpoint(five);
    store.checkpoint(ten);
    store.checkpoint(new Checkpoint(10, "sha256:" + "a".repeat(64), T0, "gw-2", "b3RoZXI"));

    assertThat(store.checkpoints()).containsExactly(five, ten);
  }

  @Test
  void registerKeyIsIdempotentAndRefusesAnotherKeyUnderTheSameId() {
    store.registerKey("k1", "alice", "MCowBQYDK2VwAyEAaaaa");
    store.registerKey("k1", "alice", "MCowBQYDK2VwAyEAaaaa");

    assertThatThrownBy(() -> store.registerKey("k1", "alice", "MCowBQYDK2VwAyEAbbbb"))
        .isInstanceOf(StoreException.class).hasMessageContaining("k1");
    assertThatThrownBy(() -> store.registerKey("k1", "mallory", "MCowBQYDK2VwAyEAaaaa"))
        .isInstanceOf(StoreException.class);
    assertThat(store.publicKey("k1")).contains("MCowBQYDK2VwAyEAaaaa");
    assertThat(store.publicKey("k2")).isEmpty();
  }

  @Test
  void reopeningKeepsEverythingAndContinuesTheChain() {
    store.append(List.of(put("s", "k", "searchable words"), put("s", "j", "x")));
    store.append(List.of(delete("s", "j")));
    store.checkpoint(new Checkpoint(3, "sha256:" + "c".repeat(64), T0, "gw", "c2ln"));
    store.registerKey("k1", "alice", "MCow");
    List<Entry> before = verifiedLog(store);

    reopen();
    assertThat(verifiedLog(store)).isEqualTo(before);
    assertThat(store.current("s", "j").orElseThrow().deleted()).isTrue();
    assertThat(keys(store.search(List.of("s"), "", "WORDS", 10))).containsExactly("k");
    assertThat(store.checkpoints()).hasSize(1);
    assertThat(store.publicKey("k1")).contains("MCow");
    Entry next = store.append(List.of(put("s", "k", "more").expecting(1L))).get(0);
    assertThat(next.seq()).isEqualTo(4);
    assertThat(next.prevHash()).isEqualTo(before.get(2).hash());
    verifiedLog(store);
  }

  @Test
  void aDatabaseWithANewerSchemaIsRefused() throws Exception {
    store.close();
    sql("UPDATE memory_schema SET version = 99 WHERE id = 1");
    store = null;
    assertThatThrownBy(this::open).isInstanceOf(StoreException.class).hasMessageContaining("schema version 99")
        .hasMessageContaining("upgrade Aegis");
  }

  @Test
  void sixteenThreadsAppendingConcurrentlyLoseNothingAndKeepTheChain() throws Exception {
    int threads = 16;
    int each = 200;
    List<Callable<List<Long>>> jobs = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      jobs.add(() -> {
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < each; i++) {
          Entry e = store.append(List.of(put("agent:" + id, "k" + (i % 10), "writer " + id + " item " + i))).get(0);
          assertThat(e.text()).isEqualTo("writer " + id + " item " + i);
          seqs.add(e.seq());
        }
        return seqs;
      });
    }
    List<Long> acknowledged = runAll(jobs);

    assertThat(acknowledged).hasSize(threads * each).doesNotHaveDuplicates();
    List<Entry> log = verifiedLog(store);
    assertThat(log).hasSize(threads * each);
    for (int t = 0; t < threads; t++) {
      assertThat(store.history("agent:" + t, "k3")).extracting(Entry::version)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L);
    }
  }

  @Test
  void overLongOrUnstorableInputIsRejectedNotTruncated() {
    assertThatThrownBy(() -> store.append(List.of(put("s", "ok", "x"), put("s", "k".repeat(Draft.MAX_KEY + 1), "x"))))
        .isInstanceOf(StoreException.class).hasMessageContaining("key of 1001 characters, at most 1000");
    assertThatThrownBy(() -> store.append(List.of(put("s".repeat(Draft.MAX_SCOPE + 1), "k", "x"))))
        .isInstanceOf(StoreException.class).hasMessageContaining("scope");
    Draft huge = put("s", "k", "x");
    Draft tooBig = new Draft("s", "k", Entry.PUT, "x".repeat(Draft.MAX_CONTENT + 1), "x", "alice", null, "trusted",
        false, "{}", T0, null, null, null);
    assertThatThrownBy(() -> store.append(List.of(tooBig))).isInstanceOf(StoreException.class)
        .hasMessageContaining("content");
    assertThatThrownBy(() -> store.append(List.of(put("s", "k", "nul\u0000here"))))
        .isInstanceOf(StoreException.class).hasMessageContaining("NUL");
    assertThatThrownBy(() -> store.append(List.of(put("s", "half\uD800", "x"))))
        .isInstanceOf(StoreException.class).hasMessageContaining("unpaired surrogate");
    assertThatThrownBy(() -> store.append(List.of(new Draft("s", "k", "update", "{}", null, "alice", null, "trusted",
        false, "{}", T0, null, null, null)))).isInstanceOf(StoreException.class).hasMessageContaining("op");
    assertThat(store.head()).isZero();

    Entry longest = store.append(List.of(put("s", "k".repeat(Draft.MAX_KEY), "x"), huge)).get(0);
    assertThat(store.current("s", longest.key())).contains(longest);
  }

  private static List<String> keys(List<Entry> entries) {
    return entries.stream().map(Entry::key).toList();
  }

  private static List<Long> runAll(List<Callable<List<Long>>> jobs) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(jobs.size());
    try {
      List<Long> all = Collections.synchronizedList(new ArrayList<>());
      for (Future<List<Long>> f : pool.invokeAll(jobs)) {
        all.addAll(f.get());
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }
}
