package dev.aegis.gateway;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Checks every upstream connection's request deadlines ten times a second. One periodic task for the whole gateway
 * instead of a timer per request: scheduling and cancelling a timer for each call wakes the timer thread each time,
 * which costs more than the call itself on a small machine. Timeouts are therefore precise to about 100 ms.
 */
final class Sweeper {
  static final long PERIOD_MS = 100;
  private final Set<UpstreamConnection> connections = ConcurrentHashMap.newKeySet();

  Sweeper(ScheduledExecutorService scheduler) {
    scheduler.scheduleWithFixedDelay(this::sweep, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  void add(UpstreamConnection c) {
    connections.add(c);
  }

  void remove(UpstreamConnection c) {
    connections.remove(c);
  }

  private void sweep() {
    long now = System.nanoTime();
    for (UpstreamConnection c : connections) {
      try {
        c.sweep(now);
      } catch (RuntimeException e) {
        // one connection's trouble must not stop the sweeping of the others
      }
    }
  }
}
