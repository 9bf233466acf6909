package dev.aegis.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The active policy of one file, reloaded when the file changes. A broken edit never replaces a working policy:
 * the store keeps the last good one and reports the errors, with their positions, once per broken version.
 *
 * <pre>{@code
 * try (PolicyStore store = PolicyStore.load(Path.of("policy.yaml"))) {
 *   store.watch(errors -> errors.forEach(log::warn), () -> log.info("policy " + store.version()));
 *   Verdict v = store.current().decide(request);
 * }
 * }</pre>
 *
 * <p>Polls (every 500 ms, on a daemon thread) instead of using a {@code WatchService}: that misses edits on some
 * file systems and through symlinked configuration (Kubernetes ConfigMaps swap a symlink). The file is compared by
 * its SHA-256, which is also {@link #version()}, so an approval bound to a version cannot outlive an edit.
 */
public final class PolicyStore implements AutoCloseable {
  static final long POLL_MILLIS = 500;

  /** A policy with the hash of the bytes it came from, swapped as one so readers never see a mismatched pair. */
  private record Active(Policy policy, String version) {}

  private final Path file;
  private final Clock clock;
  private final AtomicReference<Active> active;
  private volatile String lastFailed;
  private ScheduledExecutorService poller;
  private boolean closed;

  private PolicyStore(Path file, Clock clock, Active first) {
    this.file = file;
    this.clock = clock;
    this.active = new AtomicReference<>(first);
  }

  /** Reads and parses {@code file}; every problem (including an unreadable file) comes back as a PolicyException. */
  public static PolicyStore load(Path file) throws PolicyException {
    return load(file, Clock.systemUTC());
  }

  /** As {@link #load(Path)}, with the clock rate windows are measured on. */
  public static PolicyStore load(Path file, Clock clock) throws PolicyException {
    byte[] bytes = read(file);
    return new PolicyStore(file, clock, new Active(parse(file, bytes, clock), sha256(bytes)));
  }

  /** The policy in force now. */
  public Policy current() {
    return active.get().policy();
  }

  /** SHA-256 (hex) of the file bytes the current policy was parsed from. */
  public String version() {
    return active.get().version();
  }

  /**
   * Starts polling the file. On a change that parses, the new policy replaces the old one atomically (keeping rate
   * counters of unchanged rules) and {@code onReload} runs; on a change that does not, the old policy stays and
   * {@code onError} gets every error. Both run on the polling thread and must not block it for long.
   *
   * @throws IllegalStateException if already watching or closed
   */
  public synchronized void watch(Consumer<List<String>> onError, Runnable onReload) {
    if (poller != null || closed) {
      throw new IllegalStateException("policy store for " + file + " is already watching (or closed)");
    }
    poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "aegis-policy-watch");
      t.setDaemon(true);
      return t;
    });
    poller.scheduleWithFixedDelay(() -> poll(onError, onReload), POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** One look at the file; package-private so tests can drive it without waiting. */
  void poll(Consumer<List<String>> onError, Runnable onReload) {
    try {
      byte[] bytes;
      try {
        bytes = read(file);
      } catch (PolicyException e) {
        report(e.errors().get(0), e.errors(), onError);
        return;
      }
      String version = sha256(bytes);
      Active now = active.get();
      if (version.equals(now.version())) {
        lastFailed = null;
        return;
      }
      if (version.equals(lastFailed)) {
        return; // already reported; wait for the next edit
      }
      try {
        Policy next = parse(file, bytes, clock);
        next.carryRatesFrom(now.policy());
        active.set(new Active(next, version));
        lastFailed = null;
        onReload.run();
      } catch (PolicyException e) {
        report(version, e.errors(), onError);
      }
    } catch (RuntimeException e) {
      // a throwing callback must not end the polling, or later edits would be ignored silently
      onError.accept(List.of(file + ": policy reload failed: " + e));
    }
  }

  private void report(String key, List<String> errors, Consumer<List<String>> onError) {
    if (!key.equals(lastFailed)) {
      lastFailed = key;
      onError.accept(errors);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (poller != null) {
      poller.shutdownNow();
    }
  }

  private static byte[] read(Path file) throws PolicyException {
    try {
      if (Files.size(file) > PolicyParser.MAX_BYTES) {
        throw new PolicyException(List.of(file + ": the policy is larger than 1 MiB"));
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new PolicyException(List.of(file + ": cannot read the policy: " + e));
    }
  }

  private static Policy parse(Path file, byte[] bytes, Clock clock) throws PolicyException {
    return Policy.parse(file.toString(), new String(bytes, StandardCharsets.UTF_8), clock);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
