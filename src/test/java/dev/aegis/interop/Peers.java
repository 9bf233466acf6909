package dev.aegis.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every process a test class started, so that all of them (and whatever they started in turn) are stopped when the
 * test is done, whether it passed, failed or timed out.
 *
 * <pre>{@code
 * try (Peers peers = new Peers(tempDir)) {
 *   Peer server = peers.start("everything-http", List.of("node", everything, "streamableHttp"), Map.of("PORT", "8123"));
 *   server.awaitListening(8123, Duration.ofSeconds(20));
 * }
 * }</pre>
 */
final class Peers implements AutoCloseable {
  private final Path logs;
  private final List<Peer> started = new ArrayList<>();

  Peers(Path logs) {
    this.logs = logs;
  }

  /** Starts {@code command} with extra environment; stdin is left open (an empty pipe). */
  synchronized Peer start(String name, List<String> command, Map<String, String> env) {
    String file = name.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + started.size();
    Path out = logs.resolve(file + ".out");
    Path err = logs.resolve(file + ".err");
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    pb.environment().putAll(env);
    try {
      Files.createDirectories(logs);
      Peer peer = new Peer(name, pb.start(), out, err);
      started.add(peer);
      return peer;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  /** A port nothing listens on right now (the OS's choice for an ephemeral bind on 127.0.0.1). */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops every process, newest first. */
  @Override
  public synchronized void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).stop(Duration.ofSeconds(5));
    }
    started.clear();
  }
}
