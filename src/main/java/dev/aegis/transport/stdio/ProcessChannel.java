package dev.aegis.transport.stdio;

import dev.aegis.protocol.Codec;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An MCP server run as a child process speaking newline-delimited JSON-RPC on its stdin/stdout. Its stderr is
 * passed line by line to a log sink. Closing terminates the process (politely, then forcibly).
 *
 * <pre>{@code ProcessChannel.launch(List.of("npx", "server-everything"), Map.of(), null, codec, "everything", log::info) }</pre>
 */
public final class ProcessChannel extends StreamChannel {
  private static final int MAX_STDERR_LINE = 8 * 1024;
  private final Process process;

  private ProcessChannel(Process process, Codec codec, String description) {
    super(process.getInputStream(), process.getOutputStream(), codec, description);
    this.process = process;
  }

  /**
   * Starts the command.
   *
   * @param env variables added to (or replacing) the gateway's own environment
   * @param cwd working directory, or null for the gateway's
   * @param stderr receives each line the child writes to stderr
   */
  public static ProcessChannel launch(List<String> command, Map<String, String> env, String cwd, Codec codec,
      String description, Consumer<String> stderr) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
    pb.environment().putAll(env);
    if (cwd != null) {
      pb.directory(new File(cwd));
    }
    pb.redirectErrorStream(false);
    Process p = pb.start();
    ProcessChannel channel = new ProcessChannel(p, codec, description);
    Thread t = new Thread(() -> pumpStderr(p, stderr), "aegis-stderr-" + description);
    t.setDaemon(true);
    t.start();
    channel.stderrPump = t;
    return channel;
  }

  private static void pumpStderr(Process p, Consumer<String> sink) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        sink.accept(line.length() > MAX_STDERR_LINE ? line.substring(0, MAX_STDERR_LINE) + "…" : line);
      }
    } catch (IOException | RuntimeException ignored) {
      // the process is gone
    }
  }

  /** Copies the child's stderr to the sink; ends at the child's (or its last descendant's) end of stderr. */
  private volatile Thread stderrPump;

  public long pid() {
    return process.pid();
  }

  @Override
  protected void readerEnded(Throwable cause) {
    if (cause == null && !isClosed()) {
      try {
        if (process.waitFor(2, TimeUnit.SECONDS)) {
          cause = new IOException("process exited with code " + process.exitValue());
          // its last stderr lines reach the sink before the close is reported (they often say why)
          Thread pump = stderrPump;
          if (pump != null) {
            pump.join(1000);
          }
        } else {
          cause = new IOException("process closed its stdout");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    reportClosed(cause);
  }

  @Override
  public void close() {
    super.close();
    process.destroy();
    try {
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    reportClosed(null);
  }
}
