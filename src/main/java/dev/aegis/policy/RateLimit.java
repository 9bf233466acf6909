package dev.aegis.policy;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A rule's {@code rate}: at most {@link #calls} matching calls per principal in any sliding window of {@link #per}.
 * Exact (a ring of the last {@code calls} call times per principal) rather than fixed buckets, so a caller cannot
 * fit twice the limit around a bucket boundary; the bounds on {@code calls} and on the number of principals tracked
 * keep that affordable.
 */
final class RateLimit {
  static final int MAX_CALLS = 10_000;
  static final Duration MAX_PER = Duration.ofDays(1);
  /** Principals tracked per rule; past this, idle ones are dropped, and if none is idle the call is refused. */
  static final int MAX_PRINCIPALS = 100_000;

  final int calls;
  final Duration per;
  private final long perMillis;
  private final ConcurrentHashMap<String, Ring> byPrincipal = new ConcurrentHashMap<>();

  RateLimit(int calls, Duration per) {
    if (calls < 1 || calls > MAX_CALLS || per.isNegative() || per.isZero() || per.compareTo(MAX_PER) > 0) {
      throw new IllegalArgumentException("rate out of bounds: " + calls + " per " + per);
    }
    this.calls = calls;
    this.per = per;
    this.perMillis = per.toMillis();
  }

  /** Uses {@code older}'s counters from now on (a reloaded policy with the same rule and rate). */
  void takeOver(RateLimit older) {
    byPrincipal.putAll(older.byPrincipal);
  }

  /** Records a call by {@code principal} at {@code clock}'s now and says whether it fits the limit. */
  boolean tryAcquire(String principal, Clock clock) {
    long now = clock.millis();
    Ring ring = byPrincipal.get(principal);
    if (ring == null) {
      if (byPrincipal.size() >= MAX_PRINCIPALS && !sweep(now)) {
        return false; // fail closed rather than grow without bound
      }
      ring = byPrincipal.computeIfAbsent(principal, k -> new Ring(calls));
    }
    return ring.tryAcquire(now, perMillis);
  }

  private boolean sweep(long now) {
    for (Iterator<Ring> it = byPrincipal.values().iterator(); it.hasNext(); ) {
      if (it.next().idleSince(now - perMillis)) {
        it.remove();
      }
    }
    return byPrincipal.size() < MAX_PRINCIPALS;
  }

  /** The times of the last {@code capacity} accepted calls, oldest at {@code head}. Grows on demand. */
  private static final class Ring {
    private final int capacity;
    private long[] times = new long[4];
    private int head;
    private int size;

    Ring(int capacity) {
      this.capacity = capacity;
    }

    synchronized boolean tryAcquire(long now, long perMillis) {
      // drop calls that left the window; a clock stepping back keeps them, which only errs towards refusing
      while (size > 0 && times[head] <= now - perMillis) {
        head = (head + 1) % times.length;
        size--;
      }
      if (size >= capacity) {
        return false;
      }
      if (size == times.length) {
        long[] grown = new long[Math.min(capacity, times.length * 2)];
        for (int i = 0; i < size; i++) {
          grown[i] = times[(head + i) % times.length];
        }
        times = grown;
        head = 0;
      }
      times[(head + size) % times.length] = now;
      size++;
      return true;
    }

    synchronized boolean idleSince(long cutoff) {
      return size == 0 || times[(head + size - 1) % times.length] <= cutoff;
    }
  }
}
