package dev.aegis.memory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code aegis memory verify}: reads the whole log straight from the database and reports every edit, deletion,
 * insertion or reordering made behind Aegis's back. Checks, in one pass: gapless seq, each prevHash equal to the
 * previous entry's hash, each hash recomputed, each writer signature, each checkpoint (signed by a trusted instance
 * key, naming an entry whose hash it states, none beyond the head: a truncated log), and that the current index
 * points at each key's last entry.
 *
 * <pre>{@code
 * Verifier.Result r = new Verifier(store, keys, List.of(keys.instancePublicKey())).run(System.err::println);
 * if (!r.ok()) { r.problems().forEach(System.out::println); }
 * }</pre>
 */
public final class Verifier {
  private static final int MAX_PROBLEMS = 100;

  private final MemoryStore store;
  private final Keys keys;
  private final List<String> trustedInstanceKeys;

  /** What was checked and what failed (the first {@value #MAX_PROBLEMS} problems). */
  public record Result(long entries, int checkpoints, long keys, List<String> problems, long moreProblems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /** @param trustedInstanceKeys public keys (X.509, base64) whose checkpoints are trusted */
  public Verifier(MemoryStore store, Keys keys, List<String> trustedInstanceKeys) {
    this.store = store;
    this.keys = keys;
    this.trustedInstanceKeys = List.copyOf(trustedInstanceKeys);
  }

  public Result run(Consumer<String> progress) {
    List<String> problems = new ArrayList<>();
    long[] more = {0};
    Consumer<String> problem = p -> {
      if (problems.size() < MAX_PROBLEMS) {
        problems.add(p);
      } else {
        more[0]++;
      }
    };
    long head = store.head();
    Map<Long, String> hashAt = new HashMap<>();
    List<Checkpoint> checkpoints = store.checkpoints();
    for (Checkpoint c : checkpoints) {
      hashAt.put(c.seq(), null);
    }
    Map<String, Long> lastSeq = new HashMap<>();
    long[] expected = {1};
    String[] prev = {Chain.GENESIS};
    long step = Math.max(100_000, head / 10);
    store.scan(1, head, e -> {
      if (e.seq() != expected[0]) {
        problem.accept(e.seq() == expected[0] + 1 ? "entry " + expected[0] + " missing"
            : e.seq() > expected[0] ? "entries " + expected[0] + " to " + (e.seq() - 1) + " missing"
            : "entry " + e.seq() + " out of order (expected " + expected[0] + ")");
        expected[0] = e.seq();
      }
      if (!e.prevHash().equals(prev[0])) {
        problem.accept("entry " + e.seq() + " does not link to the entry before it (deleted, inserted or reordered)");
      }
      if (!Chain.hash(e).equals(e.hash())) {
        problem.accept("entry " + e.seq() + " (" + e.scope() + "/" + e.key() + " v" + e.version()
            + ") was edited: its content no longer matches its hash");
      } else if (!keys.verify(e.keyId(), e.draft().signingPayload(), e.signature())) {
        problem.accept("entry " + e.seq() + " (" + e.scope() + "/" + e.key() + " v" + e.version()
            + ") has no valid signature by " + e.author());
      }
      if (hashAt.containsKey(e.seq())) {
        hashAt.put(e.seq(), e.hash());
      }
      lastSeq.put(e.scope() + "\u0000" + e.key(), e.seq());
      prev[0] = e.hash();
      expected[0] = e.seq() + 1;
      if (e.seq() % step == 0) {
        progress.accept("verified " + e.seq() + " of " + head + " entries");
      }
    });
    if (expected[0] - 1 != head) {
      problem.accept("the log ends at " + (expected[0] - 1) + " but its head says " + head);
    }
    List<byte[]> trusted = trustedInstanceKeys.stream().map(Keys::rawPublic).toList();
    for (Checkpoint c : checkpoints) {
      if (!signedByTrusted(c, trusted)) {
        problem.accept("checkpoint at " + c.seq() + " is not signed by a trusted Aegis instance key");
      }
      if (c.seq() > head) {
        problem.accept("checkpoint at " + c.seq() + " is beyond the log's end (" + head + "): entries were removed");
      } else if (!c.hash().equals(hashAt.get(c.seq()))) {
        problem.accept("checkpoint at " + c.seq() + " disagrees with the log: history was rewritten");
      }
    }
    long n = 0;
    for (Map.Entry<String, Long> k : lastSeq.entrySet()) {
      int cut = k.getKey().indexOf('\u0000');
      String[] sk = {k.getKey().substring(0, cut), k.getKey().substring(cut + 1)};
      Optional<Entry> cur = store.current(sk[0], sk[1]);
      if (cur.isEmpty() || cur.get().seq() != k.getValue()) {
        problem.accept(sk[0] + "/" + sk[1] + ": the current index points at "
            + cur.map(e -> "entry " + e.seq()).orElse("nothing") + ", the log's last entry is " + k.getValue());
      }
      if (++n % step == 0) {
        progress.accept("checked the index of " + n + " of " + lastSeq.size() + " keys");
      }
    }
    return new Result(expected[0] - 1, checkpoints.size(), lastSeq.size(), problems, more[0]);
  }

  private static boolean signedByTrusted(Checkpoint c, List<byte[]> trusted) {
    byte[] payload = Memory.checkpointPayload(c.seq(), c.hash(), c.time(), c.keyId());
    return trusted.stream().anyMatch(k -> Keys.verifyRaw(k, payload, c.signature()));
  }
}
