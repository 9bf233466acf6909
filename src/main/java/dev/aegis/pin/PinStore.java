package dev.aegis.pin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One lockfile shared by the gateway's sessions, by other gateway processes on the same file and by
 * {@code aegis approve}. Reads see the newest file (re-read when its time stamp or size changed); changes go through
 * {@link #update}, which takes an exclusive lock on {@code FILE.lock}, re-reads, applies the change and writes the file
 * atomically only if the change says it changed something. A watcher notices changes made by others (an approval)
 * and calls back, so the gateway can show the approved definitions at once.
 *
 * <pre>{@code
 * PinStore store = new PinStore(Path.of("aegis.lock"));
 * boolean held = store.update(lock -> new PinStore.Result<>(true, lock.server("x") == null));
 * store.watch(gateway::definitionsChanged);
 * }</pre>
 */
public final class PinStore implements AutoCloseable {
  /**
   * File locks belong to the whole JVM (a second lock on the same file from this process throws), so stores on one
   * file in one process also take this monitor first.
   */
  private static final java.util.concurrent.ConcurrentHashMap<Path, Object> IN_PROCESS =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Path file;
  private final Path lockPath;
  private Lockfile current;
  private FileTime seenTime;
  private long seenSize = -1;
  private ScheduledExecutorService watcher;

  /** What a change did: {@code dirty} when the lockfile must be written; {@code value} goes back to the caller. */
  public record Result<T>(boolean dirty, T value) {}

  public PinStore(Path file) {
    this.file = file.toAbsolutePath();
    this.lockPath = this.file.resolveSibling(this.file.getFileName() + ".lock");
  }

  public Path file() {
    return file;
  }

  /**
   * The lockfile as it is now on disk (cached while the file is unchanged).
   *
   * @throws IllegalArgumentException if the file is not a valid lockfile (the message says where)
   */
  public synchronized Lockfile snapshot() {
    try {
      refresh();
      return current;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Applies {@code change} to the newest lockfile under an exclusive lock; writes it when the change is dirty. */
  public synchronized <T> T update(Function<Lockfile, Result<T>> change) {
    try {
      Files.createDirectories(file.getParent());
      synchronized (IN_PROCESS.computeIfAbsent(file, f -> new Object())) {
        return locked(change);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update " + file + ": " + e.getMessage(), e);
    }
  }


  private <T> T locked(Function<Lockfile, Result<T>> change) throws IOException {
    try (FileChannel ch = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = ch.lock()) {
      seenSize = -1; // another process may have written within the same time stamp: read again
      current = null;
      refresh();
      Result<T> r;
      try {
        r = change.apply(current);
      } catch (RuntimeException e) {
        current = null; // the change may have half-applied: read the file again next time
        seenSize = -1;
        throw e;
      }
      if (r.dirty()) {
        current.write(file);
        remember();
      }
      return r.value();
    }
  }

  /**
   * Calls {@code onChange} (on a background thread) whenever someone else changes the file; checks every
   * {@code periodMillis}.
   */
  public synchronized void watch(Runnable onChange, long periodMillis) {
    if (watcher != null) {
      return;
    }
    watcher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "aegis-lockfile-watch");
      t.setDaemon(true);
      return t;
    });
    watcher.scheduleWithFixedDelay(() -> {
      boolean changed;
      synchronized (this) {
        try {
          changed = Files.exists(file) && (!Files.getLastModifiedTime(file).equals(seenTime)
              || Files.size(file) != seenSize);
          if (changed) {
            refresh();
          }
        } catch (IOException | RuntimeException e) {
          changed = false; // a half-written or broken file: the next read reports it
        }
      }
      if (changed) {
        onChange.run();
      }
    }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  private void refresh() throws IOException {
    if (!Files.exists(file)) {
      if (current == null || seenSize != 0) {
        current = Lockfile.empty();
        seenTime = null;
        seenSize = 0;
      }
      return;
    }
    FileTime t = Files.getLastModifiedTime(file);
    long size = Files.size(file);
    if (current != null && t.equals(seenTime) && size == seenSize) {
      return;
    }
    current = Lockfile.read(file);
    seenTime = t;
    seenSize = size;
  }

  private void remember() throws IOException {
    seenTime = Files.getLastModifiedTime(file);
    seenSize = Files.size(file);
  }

  @Override
  public synchronized void close() {
    if (watcher != null) {
      watcher.shutdownNow();
      watcher = null;
    }
  }
}
