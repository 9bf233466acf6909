package dev.aegis.interop;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One process a test started: a gateway, an upstream server or a client. Its stdout and stderr go to files (no pipe
 * can fill up and stall it), read back for assertions and for failure messages.
 */
final class Peer {
  private final String name;
  private final Process process;
  private final Path out;
  private final Path err;

  Peer(String name, Process process, Path out, Path err) {
    this.name = name;
    this.process = process;
    this.out = out;
    this.err = err;
  }

  String name() {
    return name;
  }

  Process process() {
    return process;
  }

  String stdout() {
    return read(out);
  }

  String stderr() {
    return read(err);
  }

  /** The last {@code lines} lines of stderr, for failure messages. */
  String stderrTail(int lines) {
    List<String> all = stderr().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /** Waits until something accepts connections on 127.0.0.1:{@code port}; fails early if the process exits. */
  void awaitListening(int port, Duration atMost) {
    try {
      await("'" + name + "' listening on port " + port)
          .atMost(atMost)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .failFast("'" + name + "' exited", () -> !process.isAlive())
          .until(() -> accepts(port));
    } catch (ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
      throw new AssertionError(e.getMessage() + "; exit " + (process.isAlive() ? "-" : process.exitValue())
          + "; stderr:\n" + stderrTail(40), e);
    }
  }

  /** Waits for the process to exit; fails (leaving cleanup to {@link Peers}) when it does not in time. */
  int awaitExit(Duration atMost) {
    try {
      if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("'" + name + "' did not finish within " + atMost + "; stderr:\n" + stderrTail(60));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for '" + name + "'", e);
    }
    return process.exitValue();
  }

  /** Stops the process and everything it started: politely, then forcibly after {@code grace}. */
  void stop(Duration grace) {
    List<ProcessHandle> tree = process.descendants().toList();
    process.destroy();
    tree.forEach(ProcessHandle::destroy);
    long until = System.nanoTime() + grace.toNanos();
    for (ProcessHandle h : concat(process.toHandle(), tree)) {
      long left = until - System.nanoTime();
      try {
        h.onExit().get(Math.max(0, left), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    }
  }

  private static List<ProcessHandle> concat(ProcessHandle first, List<ProcessHandle> rest) {
    List<ProcessHandle> all = new java.util.ArrayList<>(rest.size() + 1);
    all.add(first);
    all.addAll(rest);
    return all;
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
